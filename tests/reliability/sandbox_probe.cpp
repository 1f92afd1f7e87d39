// sandbox_probe: asks a converter helper, through the real pool and its box, to do what a
// compromised LibreOffice would try (tests/reliability/sandbox_test.py writes the list).
// Usage: sandbox_probe --helper wenku-convert-helper-probe --work DIR --request FILE
//                      [--memory-mb N]
// Prints the helper's "PROBE name=result;..." line, or the pool's error, on stdout.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "convert/converter.h"
#include "core/error.h"

int main(int argc, char** argv) {
  wenku::convert::ConverterOptions o;
  o.slots = 1;
  o.timeout_seconds = 60;
  std::filesystem::path request;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--helper") o.helper_path = argv[i + 1];
    else if (a == "--work") o.work_dir = argv[i + 1];
    else if (a == "--request") request = argv[i + 1];
    else if (a == "--memory-mb") o.memory_mb = std::atoi(argv[i + 1]);
  }
  if (o.helper_path.empty() || o.work_dir.empty() || request.empty()) {
    std::fprintf(stderr, "usage: sandbox_probe --helper PATH --work DIR --request FILE [--memory-mb N]\n");
    return 2;
  }
  auto converter = wenku::convert::make_converter(o);
  if (!converter.ok()) {
    std::printf("POOL %s\n", converter.error().message.c_str());
    return 1;
  }
  auto r = (*converter)->to_pdf(request, "txt", o.work_dir.parent_path() / "probe-out.pdf");
  if (r.ok()) {
    std::printf("CONVERTED (the helper has no probe hook)\n");
    return 1;
  }
  // The pool's error is a worded error (core/error.h): the helper's reason is one of its
  // parameters, unescaped by parse_error_line.
  std::string m = r.error().message;
  if (auto line = wenku::parse_error_line(m)) {
    for (const auto& p : line->params) {
      if (p.value.find("PROBE") != std::string::npos) m = p.value;
    }
  }
  size_t at = m.find("PROBE");
  std::printf("%s\n", at == std::string::npos ? ("POOL " + m).c_str() : m.substr(at).c_str());
  return at == std::string::npos ? 1 : 0;
}
