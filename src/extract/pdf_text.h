// A PDF page's text as a reader reads it: MuPDF's structured text gives the lines as they are
// laid out, broken wherever the page's margin fell (软硬件建\n设). Lines of one paragraph are
// joined again: without a space where either side is a Chinese (wide) character, with one
// between Latin words. Paragraphs are found by what a reader sees: a line that stops short of
// the right margin ends one, an indented line or a new MuPDF block starts one.
#pragma once

extern "C" {
#include <mupdf/fitz.h>
}

#include <string>
#include <string_view>
#include <vector>

namespace wenku::extract {

// One laid-out line of a page, wherever it comes from (MuPDF's structured text, an OCR
// engine's line boxes): its text and where it sits, in any unit as long as all lines of a
// page share it (points, pixels), y growing downwards.
struct LaidLine {
  std::string text;      // UTF-8
  float x0 = 0, x1 = 0;  // left and right edges
  float base = 0;        // the baseline's height
  float em = 0;          // the line's character size (its height where nothing better is known)
  bool horizontal = true;
};

// One paragraph per line ('\n' between them), no trailing newline. Reads the structure only:
// it makes no MuPDF call, so it needs no context and cannot throw.
std::string paragraph_text(const fz_stext_page* page);

// The same rules over lines in reading order (their text is trimmed; empty lines are skipped).
std::string paragraph_text(const std::vector<LaidLine>& lines);

// Whether a PDF page's extracted text is real text, or the page needs OCR: false when it has
// no visible character, or when at least half of them are U+FFFD or private-use code points
// (glyphs of a font without a usable ToUnicode map).
bool text_layer_usable(std::string_view page_text);

// True for characters written without spaces between them: Han, kana, Hangul, and CJK and
// full-width punctuation and forms.
bool is_wide_char(char32_t c);

}  // namespace wenku::extract
