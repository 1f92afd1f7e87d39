// wenku-segment: `wenku segment` on its own, for measuring before (and beside) the CLI.
// Usage: wenku-segment [segment] [--mode index|query] < text > words
#include <iostream>
#include <string_view>

#include "text/segment_command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  auto mode = wenku::text::SegmentMode::kQuery;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "segment") continue;
    if (a == "--mode" && i + 1 < argc) {
      std::string_view m = argv[++i];
      if (m == "index") {
        mode = wenku::text::SegmentMode::kIndex;
      } else if (m != "query") {
        std::cerr << "wenku-segment: --mode must be index or query\n";
        return 2;
      }
      continue;
    }
    std::cerr << "usage: wenku-segment [--mode index|query] < text\n";
    return 2;
  }
  return wenku::text::run_segment_command(std::cin, std::cout, mode);
}
