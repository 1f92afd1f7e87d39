// Page text in reading order: each TextCode's glyphs are cut into segments that run along
// one baseline (a rotated run stays one segment in its own order); segments are gathered
// into lines by baseline (top to bottom) and ordered left to right within a line. Only the
// TextCode characters are used, never a rendering.
#include <algorithm>
#include <cmath>

#include "core/strings.h"
#include "ofd/ofd.h"

namespace wenku::ofd {
namespace {

struct Segment {
  std::u32string chars;
  double x0 = 0, x1 = 0, y = 0, size = 0;
  size_t order = 0;  // drawing order, the tie-breaker
};

bool wide(char32_t c) { return c >= 0x2E80; }

}  // namespace

std::vector<std::string> page_texts(const Document& doc) {
  std::vector<std::string> out;
  for (const Page& page : doc.pages) {
    std::vector<Segment> segs;
    for (const TextRun& run : page.texts) {
      // The size of a character on the page: the run's size through its transform.
      double em = run.size * std::sqrt(std::fabs(run.linear.a * run.linear.d - run.linear.b * run.linear.c));
      if (!(em > 0)) em = 1;
      // A rotated run (its baseline more than ~10 degrees off the horizontal, or mirrored:
      // a slanted watermark, a sideways label) is one segment in its own character order,
      // placed where its first character is.
      if (std::fabs(run.linear.b) > 0.17 * std::fabs(run.linear.a) || run.linear.a < 0) {
        Segment rot;
        rot.x0 = rot.x1 = run.glyphs.front().x;
        rot.y = run.glyphs.front().y;
        rot.size = em;
        rot.order = segs.size();
        for (const Glyph& g : run.glyphs) rot.chars.push_back(g.ch);
        rot.x1 += em;
        segs.push_back(rot);
        continue;
      }
      Segment cur;
      for (const Glyph& g : run.glyphs) {
        double adv = em * (wide(g.ch) ? 1.0 : 0.5);
        bool joins = !cur.chars.empty() && std::fabs(g.y - cur.y) < 0.3 * em && g.x > cur.x0 - 0.1 * em &&
                     g.x - cur.x1 < 3 * em;
        if (!cur.chars.empty() && !joins) {
          segs.push_back(cur);
          cur = Segment{};
        }
        if (cur.chars.empty()) {
          cur.x0 = g.x;
          cur.x1 = g.x;
          cur.y = g.y;
          cur.size = em;
          cur.order = segs.size();
        }
        cur.chars.push_back(g.ch);
        cur.x1 = std::max(cur.x1, g.x + adv);
      }
      if (!cur.chars.empty()) segs.push_back(cur);
    }
    std::stable_sort(segs.begin(), segs.end(), [](const Segment& a, const Segment& b) { return a.y < b.y; });
    // Lines: a segment whose baseline is within 40% of the line's character size of the
    // line's first baseline belongs to it.
    std::vector<std::vector<Segment>> lines;
    double line_y = 0, line_size = 0;
    for (const Segment& s : segs) {
      if (lines.empty() || std::fabs(s.y - line_y) > 0.4 * std::max(s.size, line_size)) {
        lines.emplace_back();
        line_y = s.y;
        line_size = s.size;
      }
      lines.back().push_back(s);
      line_size = std::max(line_size, s.size);
    }
    std::string text;
    for (auto& line : lines) {
      std::stable_sort(line.begin(), line.end(), [](const Segment& a, const Segment& b) {
        return a.x0 < b.x0 - 0.01 || (std::fabs(a.x0 - b.x0) <= 0.01 && a.order < b.order);
      });
      std::u32string l;
      double end = 0;
      for (size_t i = 0; i < line.size(); ++i) {
        const Segment& s = line[i];
        // A visible gap (a table cell, a label and its value) becomes a space.
        if (i > 0 && s.x0 - end > 0.8 * s.size && !l.empty() && l.back() != U' ' && s.chars.front() != U' ')
          l.push_back(U' ');
        l += s.chars;
        end = std::max(end, s.x1);
      }
      std::string u = trim(u32_to_utf8(l));
      if (u.empty()) continue;
      text += u;
      text += '\n';
    }
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace wenku::ofd
