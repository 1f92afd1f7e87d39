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

namespace wenku::extract {

// One paragraph per line ('\n' between them), no trailing newline. Reads the structure only:
// it makes no MuPDF call, so it needs no context and cannot throw.
std::string paragraph_text(const fz_stext_page* page);

// True for characters written without spaces between them: Han, kana, Hangul, and CJK and
// full-width punctuation and forms.
bool is_wide_char(char32_t c);

}  // namespace wenku::extract
