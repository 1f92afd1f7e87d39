// libFuzzer target: text decoding (guess the encoding, decode to UTF-8, as extract does for
// txt/html) and then the normaliser and segmenter of src/text on the result, checking the
// offset map and token positions they promise.
#include <cstdlib>
#include <string>
#include <string_view>

#include "detect/text_encoding.h"
#include "fuzz_entries.h"
#include "text/normalizer.h"
#include "text/segmenter.h"

namespace wenku::fuzz {
namespace {

// Loaded once: building the dictionary takes a second, far longer than one input.
struct TextTools {
  std::unique_ptr<text::Normalizer> normalizer;
  std::unique_ptr<text::Segmenter> segmenter;
  TextTools() {
    auto n = text::make_normalizer();
    auto s = text::make_segmenter();
    if (!n.ok() || !s.ok()) std::abort();  // the fuzzer cannot run without them: say so loudly
    normalizer = std::move(n).value();
    segmenter = std::move(s).value();
  }
};

const TextTools& tools() {
  static const TextTools t;
  return t;
}

void check(bool ok) {
  if (!ok) fail("text_decode", "a broken promise of the offset map or the tokens");
}

}  // namespace

void text_decode_init() { (void)tools(); }

int text_decode_one(const uint8_t* data, size_t size) {
  static const char* kForced[] = {"", "UTF-8", "GB18030", "Big5", "UTF-16LE", "UTF-16BE", "Shift_JIS", "EUC-KR",
                                  "windows-1252", "UTF-32LE", "bogus-charset"};
  if (size < 1) return 0;
  return guarded("text_decode", [&] {
    std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    // Byte 0: bit 7 the detector engine, bit 6 "complete", the low bits an encoding to force
    // (0: decode with the guessed one, as extract does).
    const char* forced = kForced[(data[0] & 0x0f) % (sizeof(kForced) / sizeof(kForced[0]))];
    auto engine = (data[0] & 0x80) != 0 ? detect::CharsetEngine::kIcu : detect::CharsetEngine::kUchardet;
    detect::TextGuess g = detect::guess_text_encoding(bytes, (data[0] & 0x40) != 0, engine);
    check(g.bom_length <= bytes.size());
    std::string encoding = *forced != '\0' ? forced : g.encoding;
    if (g.binary && *forced == '\0') return;
    constexpr size_t kMaxOut = 1 << 20;
    auto utf8 = detect::decode_to_utf8(bytes.substr(*forced != '\0' ? 0 : g.bom_length), encoding, kMaxOut);
    if (!utf8.ok()) {
      check_not_internal("text_decode", utf8.error());
      return;
    }
    check(utf8->size() <= kMaxOut);

    text::NormalizedText nt = tools().normalizer->normalize_with_offsets(*utf8);
    check(nt.source_offsets.size() == nt.text.size() + 1);
    check(nt.source_offsets.back() == utf8->size());
    for (size_t i = 1; i < nt.source_offsets.size(); ++i)
      check(nt.source_offsets[i - 1] <= nt.source_offsets[i]);
    for (auto mode : {text::SegmentMode::kQuery, text::SegmentMode::kIndex}) {
      for (const auto& t : tools().segmenter->segment(nt.text, mode)) {
        check(t.offset + t.text.size() <= nt.text.size());
        check(t.text.data() == nt.text.data() + t.offset);
      }
    }
    size_t covered = 0;
    for (const auto& t : tools().segmenter->segment_fine(nt.text)) {
      check(t.offset >= covered && t.offset + t.text.size() <= nt.text.size());
      covered = t.offset + t.text.size();
    }
  });
}

}  // namespace wenku::fuzz

WENKU_FUZZ_MAIN_INIT(text_decode_one, text_decode_init)
