// `wenku segment`: UTF-8 lines in, each line's words separated by single spaces out.
#pragma once

#include <iosfwd>

#include "text/segmenter.h"

namespace wenku::text {

// Reads lines from `in` until EOF and writes one line of words per input line (an empty
// line for a line without words). `mode` kIndex prints the finer split of long words (see
// fine_segment()), so the output still covers each character once. Returns a process exit
// code: 0, or 1 when the dictionary cannot be loaded (message on stderr).
int run_segment_command(std::istream& in, std::ostream& out, SegmentMode mode);

// The same with a segmenter the caller already holds.
int run_segment_command(const Segmenter& segmenter, std::istream& in, std::ostream& out,
                        SegmentMode mode);

}  // namespace wenku::text
