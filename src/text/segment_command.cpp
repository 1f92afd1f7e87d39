// `wenku segment`: line-by-line segmentation for scripts and evaluation.
#include "text/segment_command.h"

#include <iostream>
#include <string>

namespace wenku::text {

int run_segment_command(const Segmenter& segmenter, std::istream& in, std::ostream& out,
                        SegmentMode mode) {
  std::string line;
  std::string buf;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<Token> tokens = mode == SegmentMode::kIndex ? segmenter.segment_fine(line)
                                                            : segmenter.segment(line, SegmentMode::kQuery);
    buf.clear();
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0) buf += ' ';
      buf += tokens[i].text;
    }
    buf += '\n';
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  }
  out.flush();
  return out ? 0 : 1;
}

int run_segment_command(std::istream& in, std::ostream& out, SegmentMode mode) {
  auto seg = make_segmenter();
  if (!seg) {
    std::cerr << "wenku segment: " << seg.error().message << "\n";
    return 1;
  }
  return run_segment_command(**seg, in, out, mode);
}

}  // namespace wenku::text
