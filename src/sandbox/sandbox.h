// The helper box: how a helper parsing untrusted bytes (the LibreOffice converter, the MuPDF
// renderer) is confined. bubblewrap gives it a read-only view of the system, an empty tmpfs over /tmp, the homes, /run and the data directory, its
// own scratch directories bound writable, no network, fresh ipc/pid/uts namespaces, no
// capabilities and a seccomp filter; the pool adds rlimits (memory, CPU, files, processes).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::sandbox {

enum class Mode {
  kBox,   // bubblewrap with everything above
  kNone,  // WENKU_CONVERT_SANDBOX=none: no box at all (logged as an error at every start)
};

// What one helper's box shows besides the read-only system.
struct Mounts {
  std::vector<std::filesystem::path> writable;  // bound read-write (the slot's scratch)
  std::vector<std::filesystem::path> readable;  // bound read-only again inside hidden dirs
  std::vector<std::filesystem::path> hidden;    // replaced by an empty tmpfs (data directory)
  std::filesystem::path chdir;
};

inline constexpr const char* kBwrap = "/usr/bin/bwrap";
// Directories every box hides behind an empty tmpfs: other people's files, sockets, scratch.
inline constexpr const char* kAlwaysHidden[] = {"/tmp", "/var/tmp", "/home", "/root", "/run",
                                                "/srv", "/mnt", "/media"};

// The seccomp program the helpers run under, as the raw array of sock_filter that
// `bwrap --seccomp FD` reads: sockets other than AF_UNIX fail with EAFNOSUPPORT; ptrace,
// mount, namespaces, kernel keyring, bpf, perf, module and reboot calls with EPERM.
// Errors: kInternal (libseccomp refused to build it).
Result<std::string> seccomp_program();

// Decides how helpers are confined, by starting the full box once (/bin/true in it).
// Errors: kUnavailable when the box does not start here (the message names the cause:
// bubblewrap missing, user namespaces off, /proc not mountable) and the environment did not
// ask for WENKU_CONVERT_SANDBOX=none: converting unboxed is never a silent fallback.
// `env_var` names the variable that may say none (WENKU_CONVERT_SANDBOX for the converter,
// WENKU_RENDER_SANDBOX for the renderer); `program` names what would run unconfined.
Result<Mode> choose(const std::string& seccomp_bpf, const char* env_var = "WENKU_CONVERT_SANDBOX",
                    std::string_view program = "LibreOffice");

// The bubblewrap command line up to and including "--" for one helper.
std::vector<std::string> bwrap_argv(const Mounts& mounts, int seccomp_fd);

// A memfd holding `bpf` at a descriptor >= 64 (close-on-exec: the forked child clears the
// flag on that one descriptor before exec). -1 on failure.
int program_fd(const std::string& bpf);

}  // namespace wenku::sandbox
