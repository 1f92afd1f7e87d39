#include "extract/pdf_text.h"

#include <algorithm>
#include <vector>

#include "core/strings.h"

namespace wenku::extract {

bool is_wide_char(char32_t c) {
  return (c >= 0x1100 && c <= 0x11FF) ||    // Hangul Jamo
         (c >= 0x2E80 && c <= 0x303F) ||    // CJK radicals, symbols and punctuation (、。「」)
         (c >= 0x3040 && c <= 0x33FF) ||    // kana, bopomofo, compatibility
         (c >= 0x3400 && c <= 0x4DBF) ||    // extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||    // unified ideographs
         (c >= 0xAC00 && c <= 0xD7AF) ||    // Hangul syllables
         (c >= 0xF900 && c <= 0xFAFF) ||    // compatibility ideographs
         (c >= 0xFE30 && c <= 0xFE4F) ||    // vertical forms
         (c >= 0xFF00 && c <= 0xFFEF) ||    // full-width forms (，：；（）)
         (c >= 0x20000 && c <= 0x3FFFF);    // supplementary ideographs
}

bool text_layer_usable(std::string_view page_text) {
  size_t visible = 0, unusable = 0;
  for (char32_t c : utf8_to_u32(page_text)) {
    if (c <= 0x20 || c == 0x7F || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200B)) continue;
    ++visible;
    if (c == 0xFFFD || (c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000) ++unusable;
  }
  return visible > 0 && 2 * unusable < visible;
}

namespace {

bool is_space(int c) { return c == ' ' || c == '\t' || c == 0xA0 || c == 0x3000 || c == '\r' || c == '\n'; }

// What a hostile PDF's font maps a glyph to can be any int: control characters become
// spaces, values that are no Unicode character U+FFFD (as MuPDF's own text output does).
char32_t text_char(int c) {
  if (c >= 0 && c < 0x20) return U' ';
  if (c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return U'\uFFFD';
  return static_cast<char32_t>(c);
}

// One laid-out line: its text without surrounding spaces and where it sits.
struct Line {
  std::string text;
  char32_t first = 0, last = 0;
  float x0 = 0, x1 = 0;
  float base = 0;  // the baseline's height (a line's box may be twice the font's height)
  float em = 0;    // the line's largest character size
  bool horizontal = true;
};

Line read_line(const fz_stext_line* line) {
  Line out;
  std::vector<const fz_stext_char*> chars;
  for (const fz_stext_char* ch = line->first_char; ch != nullptr; ch = ch->next) chars.push_back(ch);
  size_t begin = 0, end = chars.size();
  auto blank = [&](size_t i) { return is_space(static_cast<int>(text_char(chars[i]->c))); };
  while (begin < end && blank(begin)) ++begin;
  while (end > begin && blank(end - 1)) --end;
  for (size_t i = begin; i < end; ++i) {
    append_utf8(out.text, text_char(chars[i]->c));
    out.em = std::max(out.em, chars[i]->size);
  }
  if (begin < end) {
    out.first = text_char(chars[begin]->c);
    out.last = text_char(chars[end - 1]->c);
  }
  out.horizontal = line->wmode == 0 && line->dir.x > 0.9f;
  out.x0 = line->bbox.x0;
  out.x1 = line->bbox.x1;
  out.base = begin < end ? chars[begin]->origin.y : line->bbox.y1;
  if (!(out.em > 0)) out.em = std::max(1.0f, line->bbox.y1 - line->bbox.y0);
  return out;
}

// A line that opens a list item or a numbered heading: •, ▪, "- ", "1.", "2、", "(3)",
// "（四）", "五、", "第六条". Lists of short, even lines otherwise read as one paragraph.
bool starts_list_item(const std::string& text) {
  std::u32string head = utf8_to_u32(text.substr(0, 32));
  if (head.empty()) return false;
  static const std::u32string kBullets = U"•·▪◦●○■□◆◇►▶➢✓✔※";
  if (kBullets.find(head[0]) != std::u32string::npos) return true;
  if ((head[0] == U'-' || head[0] == U'*') && head.size() > 1 && head[1] == U' ') return true;
  auto is_digit = [](char32_t c) { return (c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９'); };
  auto is_numeral = [](char32_t c) { return std::u32string_view(U"一二三四五六七八九十百零〇").find(c) != std::u32string_view::npos; };
  size_t i = 0;
  bool open = head[0] == U'(' || head[0] == U'（';
  if (open) ++i;
  if (!open && head[0] == U'第') {
    ++i;
    while (i < head.size() && (is_numeral(head[i]) || is_digit(head[i]))) ++i;
    return i > 1 && i < head.size() && std::u32string_view(U"章节条款部分篇").find(head[i]) != std::u32string_view::npos;
  }
  size_t start = i;
  bool digits = i < head.size() && is_digit(head[i]);
  while (i < head.size() && i - start < 3 && (digits ? is_digit(head[i]) : is_numeral(head[i]))) ++i;
  if (i == start || i >= head.size()) return false;
  char32_t mark = head[i];
  if (open) return mark == U')' || mark == U'）';
  bool next_digit = i + 1 < head.size() && is_digit(head[i + 1]);  // 2.0, 3.14: a number
  if (mark == U'、' || mark == U'）' || mark == U')') return true;
  return (mark == U'.' || mark == U'．') && !next_digit;
}

// Where the column a line sits in ends: the furthest right any line overlapping it
// horizontally reaches (the right margin), so that a short line (a list item, a heading, a
// paragraph's last line) is told from one that fills the column.
std::vector<float> column_rights(const std::vector<Line>& lines) {
  // Comparing every line with every other is quadratic: past a few thousand lines (a huge
  // table, a hostile page) the page's own right edge stands in for each column's.
  constexpr size_t kMaxLinesCompared = 4000;
  if (lines.size() > kMaxLinesCompared) {
    float page = lines.front().x1;
    for (const Line& l : lines) page = std::max(page, l.x1);
    return std::vector<float>(lines.size(), page);
  }
  std::vector<float> out(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    float right = lines[i].x1;
    for (const Line& o : lines) {
      if (o.horizontal && o.x0 < lines[i].x1 && o.x1 > lines[i].x0) right = std::max(right, o.x1);
    }
    out[i] = right;
  }
  return out;
}

// The usual distance between the baselines of a paragraph's lines on this page (the median
// of those between 0.8 and 4 characters), 0 when the page has too few lines to tell.
float line_pitch(const std::vector<Line>& lines) {
  std::vector<float> steps;
  for (size_t i = 1; i < lines.size(); ++i) {
    float d = lines[i].base - lines[i - 1].base;
    float em = std::max(lines[i].em, lines[i - 1].em);
    if (d > 0.8f * em && d < 4 * em) steps.push_back(d);
  }
  if (steps.size() < 3) return 0;
  std::nth_element(steps.begin(), steps.begin() + static_cast<ptrdiff_t>(steps.size() / 2), steps.end());
  return steps[steps.size() / 2];
}

// A line from elsewhere (OCR): trimmed as read_line trims, its characters checked alike.
Line from_laid(const LaidLine& in) {
  Line out;
  std::u32string chars = utf8_to_u32(in.text);
  for (char32_t& c : chars) c = text_char(static_cast<int>(c));
  size_t begin = 0, end = chars.size();
  while (begin < end && is_space(static_cast<int>(chars[begin]))) ++begin;
  while (end > begin && is_space(static_cast<int>(chars[end - 1]))) --end;
  for (size_t i = begin; i < end; ++i) append_utf8(out.text, chars[i]);
  if (begin < end) {
    out.first = chars[begin];
    out.last = chars[end - 1];
  }
  out.x0 = in.x0;
  out.x1 = in.x1;
  out.base = in.base;
  out.em = in.em > 0 ? in.em : 1.0f;
  out.horizontal = in.horizontal;
  return out;
}

// Joins a page's lines, in reading order, into paragraphs (see pdf_text.h).
std::string join_lines(const std::vector<Line>& lines) {
  std::string out;
  if (lines.empty()) return out;
  const std::vector<float> right = column_rights(lines);
  const float pitch = line_pitch(lines);
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    if (i > 0) {
      const Line& prev = lines[i - 1];
      const float em = std::max(prev.em, l.em);
      // A paragraph goes on where its previous line filled the column to the right margin and
      // the next line starts right below it, where that one started (a hanging indent too) or
      // up to 4 characters left of it (the previous line was the paragraph's indented first).
      bool ends_short = prev.x1 < right[i - 1] - 2 * em;  // the paragraph's last line
      const float shift = prev.x0 - l.x0;  // how far left of the previous line this one starts
      bool starts_elsewhere = shift < -em || shift > 4 * em;
      const float down = l.base - prev.base;
      bool gap = pitch > 0 && down > std::max(1.25f * pitch, pitch + 0.5f * em);  // space between paragraphs
      bool not_below = !(down > 0.5f * em);  // beside it or above: a new cell or column
      // Vertical or rotated text keeps MuPDF's lines: margins mean nothing there.
      bool laid_across = !prev.horizontal || !l.horizontal;
      bool list_item = starts_list_item(l.text);
      if (ends_short || starts_elsewhere || gap || not_below || laid_across || list_item) {
        out += '\n';
      } else if (!(is_wide_char(prev.last) || is_wide_char(l.first) || prev.last == '-' || prev.last == '/')) {
        out += ' ';
      }
    }
    out += l.text;
  }
  return out;
}

}  // namespace

std::string paragraph_text(const fz_stext_page* page) {
  // MuPDF's blocks are not paragraphs: some PDFs put every line in a block of its own, others
  // a whole page in one. Lines are judged one after the other, whatever block holds them.
  std::vector<Line> lines;
  for (const fz_stext_block* block = page->first_block; block != nullptr; block = block->next) {
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (const fz_stext_line* line = block->u.t.first_line; line != nullptr; line = line->next) {
      Line l = read_line(line);
      if (!l.text.empty()) lines.push_back(std::move(l));
    }
  }
  return join_lines(lines);
}

std::string paragraph_text(const std::vector<LaidLine>& laid) {
  std::vector<Line> lines;
  lines.reserve(laid.size());
  for (const LaidLine& in : laid) {
    Line l = from_laid(in);
    if (!l.text.empty()) lines.push_back(std::move(l));
  }
  return join_lines(lines);
}

}  // namespace wenku::extract
