// paragraph_text over structured text built by hand: lines placed as a PDF lays them out.
#include "extract/pdf_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "core/strings.h"

namespace wenku::extract {
namespace {

// Builds an fz_stext_page of text blocks; each line is placed by its left edge, width and top.
class Page {
 public:
  Page() { page_.first_block = page_.last_block = nullptr; }

  void block() {
    fz_stext_block& b = blocks_.emplace_back();
    b.type = FZ_STEXT_BLOCK_TEXT;
    b.u.t.first_line = b.u.t.last_line = nullptr;
    link(page_.first_block, page_.last_block, &b);
  }

  // One line of `text` at (x, y), characters `em` wide; `vertical` for top-to-bottom text.
  void line(const std::string& text, float x, float y, float em = 10, bool vertical = false) {
    fz_stext_block& b = blocks_.back();
    fz_stext_line& l = lines_.emplace_back();
    l.wmode = vertical ? 1 : 0;
    l.dir = vertical ? fz_point{0, 1} : fz_point{1, 0};
    l.first_char = l.last_char = nullptr;
    std::u32string chars = utf8_to_u32(text);
    // As MuPDF gives them: a box taller than the line pitch (the font's ascent and descent),
    // the baseline at y + em.
    l.bbox = fz_rect{x, y - em, x + em * static_cast<float>(chars.size()), y + 2 * em};
    float pen = x;
    for (char32_t c : chars) {
      fz_stext_char& ch = chars_.emplace_back();
      ch = fz_stext_char{};
      ch.c = static_cast<int>(c);
      ch.size = em;
      ch.origin = fz_point{pen, y + em};
      pen += em;
      if (l.last_char) l.last_char->next = &ch; else l.first_char = &ch;
      l.last_char = &ch;
    }
    link(b.u.t.first_line, b.u.t.last_line, &l);
  }

  std::string text() const { return paragraph_text(&page_); }
  fz_stext_line* first_line() { return blocks_.back().u.t.first_line; }

 private:
  template <typename T>
  static void link(T*& first, T*& last, T* item) {
    item->prev = last;
    item->next = nullptr;
    if (last) last->next = item; else first = item;
    last = item;
  }

  fz_stext_page page_{};
  std::deque<fz_stext_block> blocks_;
  std::deque<fz_stext_line> lines_;
  std::deque<fz_stext_char> chars_;
};

TEST(ParagraphText, JoinsChineseLinesOfAParagraphWithoutASpace) {
  Page p;
  p.block();
  p.line("二是加强相对薄弱学校软硬件建", 20, 0);  // indented first line, to the margin
  p.line("设，投资和政策要倾斜，各分管领", 0, 12);
  p.line("导都要有清楚的认识。", 0, 24);          // stops short: the paragraph's end
  p.line("敬业。主要是五支队伍要有敬业精", 20, 36);  // the next paragraph, indented
  p.line("神。", 0, 48);
  EXPECT_EQ(p.text(),
            "二是加强相对薄弱学校软硬件建设，投资和政策要倾斜，各分管领导都要有清楚的认识。\n"
            "敬业。主要是五支队伍要有敬业精神。");
}

TEST(ParagraphText, LatinWordsKeepOneSpaceAndMixedLinesNone) {
  Page p;
  p.block();
  p.line("the Lyapunov stability of the", 0, 0, 5);
  p.line("system, proved by a Lyapunov", 0, 6, 5);
  p.line("函数的构造方法见文献[3]所给出的", 0, 12, 5);
  EXPECT_EQ(p.text(), "the Lyapunov stability of the system, proved by a Lyapunov函数的构造方法见文献[3]所给出的");
}

TEST(ParagraphText, BlocksHeadingsAndListsStayOnTheirOwnLines) {
  Page p;
  p.block();
  p.line("市教育局机关汇报总结会讲话稿", 60, 0);  // a centred heading
  p.block();
  p.line("一、关于适应新常态", 0, 30);
  p.line("二、关于解决新问题", 0, 42);
  EXPECT_EQ(p.text(), "市教育局机关汇报总结会讲话稿\n一、关于适应新常态\n二、关于解决新问题");
}

TEST(ParagraphText, ListItemsOfEvenLengthStayApart) {
  Page p;
  p.block();
  p.line("• I1", 0, 0);
  p.line("• I2", 0, 12);
  p.line("1. 甲", 0, 24);
  p.line("2、乙", 0, 36);
  p.line("(3) 丙", 0, 48);
  p.line("（四）丁", 0, 60);
  p.line("五、戊", 0, 72);
  p.line("第六条己", 0, 84);
  EXPECT_EQ(p.text(), "• I1\n• I2\n1. 甲\n2、乙\n(3) 丙\n（四）丁\n五、戊\n第六条己");
}

TEST(ParagraphText, NumbersAtALineStartAreNoListItem) {
  Page p;
  p.block();
  p.line("本系统的版本号是", 0, 0);
  p.line("2.0版，第二版于", 0, 12);
  p.line("2023年发布，共有", 0, 24);
  p.line("十二个模块。", 0, 36);
  EXPECT_EQ(p.text(), "本系统的版本号是2.0版，第二版于2023年发布，共有十二个模块。");
}

TEST(ParagraphText, ABigGapOrANewColumnStartsAParagraph) {
  Page p;
  p.block();
  p.line("第一栏第一行排满了这一栏的宽度", 0, 0);
  p.line("第一栏第二行也排满了这一栏宽度", 0, 12);
  p.line("第一栏第三行同样排满了这栏宽度", 0, 24);
  p.line("第一栏的最后一行排到了页边这里", 0, 36);
  p.line("隔开一段距离的另一段文字排满了", 0, 66);  // 2.5 lines down: paragraph spacing
  p.line("第二栏的第一行又从页面的顶端起", 200, 0);  // above the previous line
  EXPECT_EQ(p.text(),
            "第一栏第一行排满了这一栏的宽度第一栏第二行也排满了这一栏宽度第一栏第三行同样排满了这栏宽度"
            "第一栏的最后一行排到了页边这里\n隔开一段距离的另一段文字排满了\n第二栏的第一行又从页面的顶端起");
}

TEST(ParagraphText, VerticalTextKeepsItsLines) {
  Page p;
  p.block();
  p.line("床前明月光", 100, 0, 10, true);
  p.line("疑是地上霜", 88, 0, 10, true);
  EXPECT_EQ(p.text(), "床前明月光\n疑是地上霜");
}

TEST(ParagraphText, SpacesAroundLinesAndEmptyLinesAreDropped) {
  Page p;
  p.block();
  p.line("  第一行  ", 0, 0);
  p.line("   ", 0, 12);
  EXPECT_EQ(p.text(), "第一行");
  Page empty;
  EXPECT_EQ(empty.text(), "");
}

TEST(ParagraphText, AHugeTableOfCellsStaysLinearAndKeepsItsCells) {
  Page p;
  for (int row = 0; row < 2500; ++row) {
    p.block();
    p.line("甲" + std::to_string(row), 0, static_cast<float>(row) * 12);
    p.block();
    p.line("乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙", 100, static_cast<float>(row) * 12);
  }
  std::string text = p.text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4999);
  EXPECT_EQ(text.substr(0, text.find('\n')), "甲0");
}

TEST(ParagraphText, WhatNoCharacterIsBecomesValidUtf8) {
  Page p;
  p.block();
  p.line("甲乙", 0, 0);
  fz_stext_line* line = nullptr;
  // Overwrite the two characters with what a hostile font may claim: a surrogate and -1.
  for (fz_stext_line* l = p.first_line(); l != nullptr; l = l->next) line = l;
  line->first_char->c = 0xD800;
  line->last_char->c = -1;
  p.line("\x01丙", 0, 12);
  std::string text = p.text();
  EXPECT_EQ(text, "\uFFFD\uFFFD丙") << "a control character is a space, trimmed at the line's start";
  EXPECT_EQ(sanitize_utf8(text), text);
}

TEST(ParagraphText, WideCharacters) {
  EXPECT_TRUE(is_wide_char(U'中'));
  EXPECT_TRUE(is_wide_char(U'。'));
  EXPECT_TRUE(is_wide_char(U'，'));
  EXPECT_TRUE(is_wide_char(U'あ'));
  EXPECT_TRUE(is_wide_char(U'한'));
  EXPECT_TRUE(is_wide_char(U'𠀀'));
  EXPECT_FALSE(is_wide_char(U'a'));
  EXPECT_FALSE(is_wide_char(U'3'));
  EXPECT_FALSE(is_wide_char(U','));
}

}  // namespace
}  // namespace wenku::extract
