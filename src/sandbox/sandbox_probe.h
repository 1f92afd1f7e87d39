// Sandbox probes for tests: a list of things a compromised helper would try, one a line after
// a first line "WENKU-SANDBOX-PROBE": `NAME write PATH`, `NAME read PATH`, `NAME connect IPV4
// PORT`, `NAME unix PATH`, `NAME socket inet|inet6|netlink|packet`, `NAME ptrace`, `NAME
// mount`, `NAME limits`, `NAME pids`. Compiled only into the test-build probe helpers
// (wenku-convert-helper-probe, wenku-render-helper-probe), never into wenku_core.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace wenku::sandbox {

// One probe, split on spaces (NAME KIND ARGS...): "ok", "refused:ERRNO" or a value.
std::string probe_one(const std::vector<std::string>& words);
// "PROBE NAME=result; ..." for a probe list, "" when `in` does not start with the marker.
std::string run_probes(std::istream& in);

}  // namespace wenku::sandbox
