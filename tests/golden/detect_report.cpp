// Prints what detect says about each file given (or every MANIFEST row): a measuring tool.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "detect/detect.h"
#include "golden/manifest.h"

int main(int argc, char** argv) {
  std::vector<std::string> paths;
  std::filesystem::path base;
  if (argc == 3 && std::string(argv[1]) == "--corpus") {
    base = argv[2];
    for (const auto& r : wenku::testing::read_manifest(base)) paths.push_back(r.path);
  } else {
    for (int i = 1; i < argc; ++i) paths.emplace_back(argv[i]);
  }
  double total_ms = 0;
  for (const auto& p : paths) {
    auto t0 = std::chrono::steady_clock::now();
    auto d = wenku::detect::detect_file(base.empty() ? std::filesystem::path(p) : base / p);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    total_ms += ms;
    std::printf("%s\t%s\t%s%s%s\t%s\t%.2fms\t%s\n", p.c_str(), d.format.c_str(), d.supported ? "S" : "-",
                d.encrypted ? "E" : "-", d.needs_conversion ? "C" : "-", d.encoding.c_str(), ms, d.reason.c_str());
  }
  std::fprintf(stderr, "%zu files, %.1f ms total\n", paths.size(), total_ms);
}
