// OcrEngine: Tesseract's LSTM models kept loaded; per page: orientation (OSD) and skew
// corrected, the script chosen on a few sample lines read by each candidate model, the page
// read by the winner, its lines rebuilt into paragraphs by extract::paragraph_text.
#include "ocr/ocr_engine.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <time.h>

#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <tuple>

#include "core/strings.h"
#include "extract/pdf_text.h"
#include "ocr/script_vote.h"

namespace wenku::ocr {

namespace {

using Clock = std::chrono::steady_clock;

struct PixDeleter {
  void operator()(Pix* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// Our raster as an 8-bit gray Leptonica image (what Tesseract binarises anyway).
PixPtr to_gray_pix(const image::Raster& r) {
  PixPtr pix(pixCreate(r.width, r.height, 8));
  if (!pix) return nullptr;
  const int wpl = pixGetWpl(pix.get());
  l_uint32* data = pixGetData(pix.get());
  const uint8_t* in = r.pixels.data();
  for (int y = 0; y < r.height; ++y) {
    l_uint32* line = data + static_cast<ptrdiff_t>(y) * wpl;
    for (int x = 0; x < r.width; ++x) {
      int v;
      if (r.channels == 1) {
        v = *in++;
      } else {
        v = (in[0] * 299 + in[1] * 587 + in[2] * 114) / 1000;
        in += r.channels;
      }
      SET_DATA_BYTE(line, x, static_cast<l_uint8>(v));
    }
  }
  return pix;
}

struct TessDeleter {
  void operator()(tesseract::TessBaseAPI* api) const {
    api->End();
    delete api;
  }
};
using TessPtr = std::unique_ptr<tesseract::TessBaseAPI, TessDeleter>;

// A line as Tesseract laid it out, in the page's pixels.
struct OcrLine {
  std::string text;
  int left = 0, top = 0, right = 0, bottom = 0;
  int base = 0;
  bool vertical = false;
};

void append_word(std::string& line, const std::string& word) {
  if (word.empty()) return;
  if (!line.empty()) {
    std::u32string prev = utf8_to_u32(line.substr(line.size() >= 4 ? line.size() - 4 : 0));
    std::u32string next = utf8_to_u32(word.substr(0, 4));
    char32_t a = prev.empty() ? U' ' : prev.back();
    char32_t b = next.empty() ? U' ' : next.front();
    // Latin words keep their spaces; none between Han characters or CJK punctuation.
    if (!extract::is_wide_char(a) && !extract::is_wide_char(b)) line += ' ';
  }
  line += word;
}

std::vector<OcrLine> read_lines(tesseract::TessBaseAPI* api) {
  std::vector<OcrLine> lines;
  std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
  if (!it) return lines;
  constexpr auto kLine = tesseract::RIL_TEXTLINE;
  constexpr auto kWord = tesseract::RIL_WORD;
  if (it->Empty(kLine)) return lines;
  do {
    OcrLine line;
    if (!it->BoundingBox(kLine, &line.left, &line.top, &line.right, &line.bottom)) continue;
    int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    line.base = it->Baseline(kLine, &x1, &y1, &x2, &y2) ? (y1 + y2) / 2 : line.bottom;
    tesseract::Orientation orientation;
    tesseract::WritingDirection direction;
    tesseract::TextlineOrder order;
    float deskew = 0;
    it->Orientation(&orientation, &direction, &order, &deskew);
    line.vertical = direction == tesseract::WRITING_DIRECTION_TOP_TO_BOTTOM ||
                    order == tesseract::TEXTLINE_ORDER_RIGHT_TO_LEFT;
    do {
      std::unique_ptr<char[]> word(it->GetUTF8Text(kWord));
      if (word) append_word(line.text, trim(word.get()));
      if (it->IsAtFinalElement(kLine, kWord)) break;
    } while (it->Next(kWord));
    if (!line.text.empty()) lines.push_back(std::move(line));
  } while (it->Next(kLine));
  return lines;
}

// Every character read, with Tesseract's confidence in it (for the script vote).
std::vector<ReadChar> read_chars(tesseract::TessBaseAPI* api) {
  std::vector<ReadChar> out;
  std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
  if (!it || it->Empty(tesseract::RIL_SYMBOL)) return out;
  do {
    std::unique_ptr<char[]> sym(it->GetUTF8Text(tesseract::RIL_SYMBOL));
    if (!sym) continue;
    const float conf = it->Confidence(tesseract::RIL_SYMBOL);
    for (char32_t c : utf8_to_u32(sym.get())) out.push_back(ReadChar{c, conf});
  } while (it->Next(tesseract::RIL_SYMBOL));
  return out;
}

// The page's paragraphs. Vertical columns (read right to left) are turned into rows first, so
// that the same rules join a column that reaches the bottom margin with the next one.
std::string page_text(const std::vector<OcrLine>& lines) {
  std::vector<extract::LaidLine> laid;
  laid.reserve(lines.size());
  for (const OcrLine& l : lines) {
    extract::LaidLine d;
    d.text = l.text;
    if (l.vertical) {
      d.x0 = static_cast<float>(l.top);
      d.x1 = static_cast<float>(l.bottom);
      d.base = static_cast<float>(-l.left);  // the next column is to the left: "below"
      d.em = static_cast<float>(std::max(1, l.right - l.left));
    } else {
      d.x0 = static_cast<float>(l.left);
      d.x1 = static_cast<float>(l.right);
      d.base = static_cast<float>(l.base);
      d.em = static_cast<float>(std::max(1, l.bottom - l.top));
    }
    laid.push_back(std::move(d));
  }
  return extract::paragraph_text(laid);
}

bool plausible_dpi(int dpi) { return dpi >= 70 && dpi <= 1200; }

// An image that says nothing of its resolution (a PNG without pHYs, a photo) but has the
// proportions of a sheet of paper (A4 is 1:1.414, Letter 1:1.294) is taken to show one sheet of
// A4: its long side is 11.69 inches, and at least 150 dpi (a smaller picture of a whole sheet
// would hold unreadably small print, so its text is larger than a sheet's: Tesseract's layout
// split the lines of a 1240 x 900 test page told 106 dpi, and read it whole at 72 or 150-300).
// Tesseract's own estimate from the text height read such a page worse (scan017.png, measured,
// bench/README.md "OCR"). Anything else: 0, Tesseract estimates.
int page_shaped_dpi(int width, int height) {
  const int lo = std::min(width, height), hi = std::max(width, height);
  if (lo <= 0) return 0;
  const double ratio = static_cast<double>(hi) / lo;
  if (ratio < 1.25 || ratio > 1.5) return 0;
  const int dpi = std::max(150, static_cast<int>(std::lround(hi / 11.69)));
  return plausible_dpi(dpi) ? dpi : 0;
}

PixPtr clip(Pix* pix, int x, int y, int w, int h) {
  BOX* box = boxCreate(x, y, w, h);
  if (box == nullptr) return nullptr;
  PixPtr out(pixClipRectangle(pix, box, nullptr));
  boxDestroy(&box);
  return out;
}

// CPU time of the calling thread: the page's time limit counts the work done for it, not the
// time other processes took the cores (a shared machine under load).
int64_t thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// When a page has to stop: its CPU budget spent, or (a backstop) four times that in wall time.
struct Deadline {
  int64_t cpu_ms = 0;
  Clock::time_point wall;
  bool passed() const { return thread_cpu_ms() > cpu_ms || Clock::now() > wall; }
};

bool cancel_page(void* deadline, int /*words*/) { return static_cast<const Deadline*>(deadline)->passed(); }

}  // namespace

struct OcrEngine::Impl {
  OcrOptions options;
  std::map<std::string, TessPtr> models;
  TessPtr osd;
  bool osd_failed = false;

  // A loaded model by language string ("chi_sim", "chi_tra_vert"...), loaded on first use.
  Result<tesseract::TessBaseAPI*> model(const std::string& language) {
    auto found = models.find(language);
    if (found != models.end()) return found->second.get();
    TessPtr api(new tesseract::TessBaseAPI());
    const char* dir = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
    // LSTM only: the legacy engine's data is not in every traineddata and is slower.
    if (api->Init(dir, language.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
      return keyed_error(ErrorCode::kUnavailable, "ocr.model_missing", {{"language", language}});
    }
    api->SetVariable("debug_file", "/dev/null");
    auto* raw = api.get();
    models.emplace(language, std::move(api));
    return raw;
  }

  tesseract::TessBaseAPI* osd_model() {
    if (osd || osd_failed) return osd.get();
    TessPtr api(new tesseract::TessBaseAPI());
    const char* dir = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
    if (api->Init(dir, "osd", tesseract::OEM_TESSERACT_ONLY) != 0) {
      osd_failed = true;
      return nullptr;
    }
    api->SetVariable("debug_file", "/dev/null");
    api->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    osd = std::move(api);
    return osd.get();
  }

  // Degrees to turn the page clockwise so its text stands upright (0 when unsure).
  int upright_rotation(Pix* pix, int dpi) {
    tesseract::TessBaseAPI* api = osd_model();
    if (api == nullptr) return 0;
    // OSD classifies Han blobs with the legacy classifier: about 1 s for a whole A4 page at
    // 200 dpi, as much as reading it. The middle of the text area (a quarter of it) holds
    // enough characters to tell the orientation, in a quarter of the time.
    PixPtr middle;
    const Sample area = find_sample(pix);
    if (area.text_w > 400 && area.text_h > 400) {
      middle = clip(pix, area.text_x + area.text_w / 4, area.text_y + area.text_h / 4, area.text_w / 2,
                    area.text_h / 2);
      if (middle) pix = middle.get();
    }
    api->SetImage(pix);
    if (plausible_dpi(dpi)) api->SetSourceResolution(dpi);
    int deg = 0;
    float conf = 0, script_conf = 0;
    const char* script = nullptr;
    bool ok = api->DetectOrientationScript(&deg, &conf, &script, &script_conf);
    api->Clear();
    // OSD's confidence is a margin between the best and second orientation; below a few
    // points it flips upright Chinese pages by 180 (measured on the scans, README).
    if (!ok || conf < kMinOrientationConfidence) return 0;
    return (360 - deg) % 360;
  }
  static constexpr float kMinOrientationConfidence = 5.0f;
  // A sample band read at least this confidently is upright.
  static constexpr int kUprightConfidence = 70;
  static constexpr int kTraditionalMargin = 6;

  // Reads `pix` with one model over the given segmentation; its lines and mean confidence.
  Result<std::pair<std::vector<OcrLine>, int>> read(tesseract::TessBaseAPI* api, Pix* pix, int dpi,
                                                    tesseract::PageSegMode mode, const Deadline& deadline,
                                                    std::vector<ReadChar>* chars = nullptr) {
    api->SetPageSegMode(mode);
    api->SetImage(pix);
    if (plausible_dpi(dpi)) api->SetSourceResolution(dpi);
    // Tesseract asks the monitor between words (its layout analysis is not covered: the
    // helper process's limits are the backstop there).
    tesseract::ETEXT_DESC monitor;
    monitor.cancel = cancel_page;
    monitor.cancel_this = const_cast<Deadline*>(&deadline);
    int rc = api->Recognize(&monitor);
    if (deadline.passed()) {
      api->Clear();
      return keyed_error(ErrorCode::kTimeout, "ocr.page_timeout", {{"ms", std::to_string(options.timeout_ms)}});
    }
    if (rc != 0) {
      api->Clear();
      return keyed_error(ErrorCode::kInternal, "ocr.tesseract_could_read_page");
    }
    auto lines = read_lines(api);
    if (chars != nullptr) *chars = read_chars(api);
    int conf = api->MeanTextConf();
    api->Clear();
    return std::make_pair(std::move(lines), conf);
  }

  // The script of a page: the candidate models (horizontal or vertical), the one chosen, and
  // whether the sample band was enough to choose it.
  struct Choice {
    std::string simp, trad, language;
    int conf = -1;         // the chosen model's confidence on the band (-1: no band)
    bool decided = true;   // false: read the page by both models and vote again on it
    ScriptVote vote;
  };

  // Confidence as the tie-breaker: most characters are shared by the two sets, so the
  // traditional model reads a simplified page almost as confidently; it must win by a margin
  // (measured: a simplified band read 86 by chi_tra, the traditional ones lose 15-30 points
  // under chi_sim).
  static bool traditional_by_confidence(int simp_conf, int trad_conf) {
    return trad_conf >= simp_conf + kTraditionalMargin;
  }

  // The model for this page. Cheap signs first, from the ink alone: whether the text runs in
  // rows or columns (which of the two projections has the gaps), and a sample band of about two
  // lines where the ink is densest. The band is read by the simplified and the traditional
  // model (about a tenth of reading the page, bench/README.md "OCR") and the character-set
  // test of script_vote.h decides when its votes are clear; otherwise the page is read by both.
  Result<Choice> choose_language(Pix* pix, int dpi, const Deadline& deadline) {
    const Sample sample = find_sample(pix);
    Choice out;
    out.simp = sample.vertical ? "chi_sim_vert" : "chi_sim";
    out.trad = sample.vertical ? "chi_tra_vert" : "chi_tra";
    out.language = out.simp;
    if (sample.w <= 0 || sample.h <= 0) return out;
    PixPtr band(clip(pix, sample.x, sample.y, sample.w, sample.h));
    if (!band) return out;
    const auto mode = sample.vertical ? tesseract::PSM_SINGLE_BLOCK_VERT_TEXT : tesseract::PSM_SINGLE_BLOCK;
    int conf[2] = {-1, -1};
    std::vector<ReadChar> chars[2];
    for (int k = 0; k < 2; ++k) {
      WENKU_ASSIGN_OR_RETURN(tesseract::TessBaseAPI * m, model(k == 0 ? out.simp : out.trad));
      WENKU_ASSIGN_OR_RETURN(auto r, read(m, band.get(), dpi, mode, deadline, &chars[k]));
      conf[k] = r.second;
    }
    const bool trad = traditional_by_confidence(conf[0], conf[1]);
    out.language = trad ? out.trad : out.simp;
    out.conf = trad ? conf[1] : conf[0];
    const ScriptTables* tables = ScriptTables::get();
    if (tables == nullptr) return out;  // no OpenCC tables: confidence alone, as a fallback
    out.vote = vote_script(chars[0], chars[1], *tables);
    const int winner = out.vote.winner(/*clear=*/true);
    out.decided = winner != 0;
    if (winner != 0) {
      out.language = winner > 0 ? out.simp : out.trad;
      out.conf = winner > 0 ? conf[0] : conf[1];
    }
    return out;
  }

  struct Sample {
    bool vertical = false;
    int x = 0, y = 0, w = 0, h = 0;                     // the band to read
    int text_x = 0, text_y = 0, text_w = 0, text_h = 0;  // where the ink is
  };

  // Where the ink is: the text's bounding box, rows vs columns, the densest band of ~2 lines.
  static Sample find_sample(Pix* pix) {
    Sample out;
    const int W = pixGetWidth(pix), H = pixGetHeight(pix);
    const int wpl = pixGetWpl(pix);
    const l_uint32* data = pixGetData(pix);
    std::vector<int> rows(static_cast<size_t>(H), 0), cols(static_cast<size_t>(W), 0);
    for (int y = 0; y < H; ++y) {
      const l_uint32* line = data + static_cast<ptrdiff_t>(y) * wpl;
      for (int x = 0; x < W; ++x) {
        if (GET_DATA_BYTE(line, x) < 128) {
          ++rows[static_cast<size_t>(y)];
          ++cols[static_cast<size_t>(x)];
        }
      }
    }
    // The text area: rows and columns with ink, past a margin of noise.
    auto extent = [](const std::vector<int>& v, int noise, int* lo, int* hi) {
      *lo = 0;
      *hi = static_cast<int>(v.size()) - 1;
      while (*lo < *hi && v[static_cast<size_t>(*lo)] <= noise) ++*lo;
      while (*hi > *lo && v[static_cast<size_t>(*hi)] <= noise) --*hi;
    };
    int y0, y1, x0, x1;
    extent(rows, W / 200, &y0, &y1);
    extent(cols, H / 200, &x0, &x1);
    if (y1 - y0 < 8 || x1 - x0 < 8) return out;
    out.text_x = x0;
    out.text_y = y0;
    out.text_w = x1 - x0 + 1;
    out.text_h = y1 - y0 + 1;
    // Gaps: lines of the text area with (almost) no ink. Rows of text leave empty rows between
    // them; columns of vertical text leave empty columns.
    auto gaps = [](const std::vector<int>& v, int lo, int hi, int noise, int* runs) {
      int empty = 0;
      bool in_gap = false;
      *runs = 0;
      for (int i = lo; i <= hi; ++i) {
        bool e = v[static_cast<size_t>(i)] <= noise;
        empty += e ? 1 : 0;
        if (!e && in_gap) ++*runs;
        in_gap = e;
      }
      return static_cast<double>(empty) / (hi - lo + 1);
    };
    int row_runs = 0, col_runs = 0;
    const double row_gaps = gaps(rows, y0, y1, (x1 - x0) / 100, &row_runs);
    const double col_gaps = gaps(cols, x0, x1, (y1 - y0) / 100, &col_runs);
    out.vertical = col_gaps > 0.15 && col_gaps > 1.5 * row_gaps;
    const std::vector<int>& along = out.vertical ? cols : rows;
    const int lo = out.vertical ? x0 : y0, hi = out.vertical ? x1 : y1;
    const int lines = std::max(1, (out.vertical ? col_runs : row_runs) + 1);
    const int pitch = std::max(8, (hi - lo + 1) / lines);
    const int band = std::min(hi - lo + 1, 2 * pitch + pitch / 2);
    // The densest window of `band` lines.
    int64_t sum = 0, best = -1;
    int best_at = lo;
    for (int i = lo; i <= hi; ++i) {
      sum += along[static_cast<size_t>(i)];
      if (i - lo >= band) sum -= along[static_cast<size_t>(i - band)];
      if (i - lo + 1 >= band && sum > best) {
        best = sum;
        best_at = i - band + 1;
      }
    }
    // Whole lines: the band's edges moved out to the nearest gap (at most one pitch), so that no
    // line is cut through, which reads as nonsense in either model.
    const int noise = ((out.vertical ? y1 - y0 : x1 - x0) + 1) / 100;
    int first = best_at, last = std::min(hi, best_at + band - 1);
    for (int k = 0; k < pitch && first > lo && along[static_cast<size_t>(first)] > noise; ++k) --first;
    for (int k = 0; k < pitch && last < hi && along[static_cast<size_t>(last)] > noise; ++k) ++last;
    best_at = first;
    const int whole = last - first + 1;
    // Across the lines: the middle 60 % of the text's extent, enough characters to judge by.
    const int span_lo = out.vertical ? y0 : x0, span_hi = out.vertical ? y1 : x1;
    const int span = span_hi - span_lo + 1;
    const int from = span_lo + span / 5, length = std::max(8, span * 3 / 5);
    if (out.vertical) {
      out.x = best_at;
      out.w = whole;
      out.y = from;
      out.h = std::min(length, H - from);
    } else {
      out.y = best_at;
      out.h = whole;
      out.x = from;
      out.w = std::min(length, W - from);
    }
    return out;
  }
};

OcrEngine::OcrEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OcrEngine::~OcrEngine() = default;

Result<std::unique_ptr<OcrEngine>> OcrEngine::create(const OcrOptions& options) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { setMsgSeverity(L_SEVERITY_NONE); });
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  WENKU_TRY(impl->model(options.language.empty() ? "chi_sim" : options.language));
  return std::unique_ptr<OcrEngine>(new OcrEngine(std::move(impl)));
}

Result<OcrPage> OcrEngine::recognize(const image::Raster& page) {
  if (page.empty() || (page.channels != 1 && page.channels != 3) ||
      page.pixels.size() < static_cast<size_t>(page.width) * page.height * page.channels) {
    return keyed_error(ErrorCode::kInvalidArgument, "ocr.no_image_read");
  }
  const auto start = Clock::now();
  const Deadline deadline{thread_cpu_ms() + impl_->options.timeout_ms,
                          start + std::chrono::milliseconds(4LL * impl_->options.timeout_ms)};
  OcrPage out;
  int64_t cpu = thread_cpu_ms();
  PixPtr pix = to_gray_pix(page);
  if (!pix) return keyed_error(ErrorCode::kTooLarge, "ocr.out_memory_page_image");
  int dpi = plausible_dpi(page.dpi) ? page.dpi : page_shaped_dpi(page.width, page.height);
  if (page.pixel_count() > impl_->options.max_pixels) {
    const double f = std::sqrt(static_cast<double>(impl_->options.max_pixels) / static_cast<double>(page.pixel_count()));
    pix.reset(pixScaleGrayLI(pix.get(), static_cast<float>(f), static_cast<float>(f)));
    if (!pix) return keyed_error(ErrorCode::kTooLarge, "ocr.out_memory_page_image");
    if (dpi > 0) dpi = static_cast<int>(dpi * f);
  }
  if (impl_->options.deskew) {
    l_float32 angle = 0, conf = 0;
    PixPtr straight(pixFindSkewAndDeskew(pix.get(), 2, &angle, &conf));
    if (straight && std::fabs(angle) > 0.1f && conf > 2.0f) {
      pix = std::move(straight);
      out.skew_degrees = angle;
    }
  }

  out.prepare_cpu_ms = thread_cpu_ms() - cpu;
  cpu = thread_cpu_ms();
  const bool detect = impl_->options.language.empty();
  Impl::Choice choice;
  choice.language = impl_->options.language;
  if (detect) {
    WENKU_ASSIGN_OR_RETURN(choice, impl_->choose_language(pix.get(), dpi, deadline));
  }
  // Orientation (OSD) costs as much as reading a quarter of the page: asked only when the
  // sample band read badly (a page turned by 90 degrees looks like vertical text to the ink
  // test and reads as nonsense; one turned by 180 reads as nonsense too), or when the
  // language is forced and there was no sample.
  if (impl_->options.detect_orientation && choice.conf < Impl::kUprightConfidence) {
    int turn = impl_->upright_rotation(pix.get(), dpi);
    if (turn != 0) {
      pix.reset(pixRotateOrth(pix.get(), turn / 90));
      if (!pix) return keyed_error(ErrorCode::kInternal, "ocr.turn_page_image");
      out.rotated = turn;
      if (detect) {
        WENKU_ASSIGN_OR_RETURN(choice, impl_->choose_language(pix.get(), dpi, deadline));
      }
    }
  }
  out.choose_cpu_ms = thread_cpu_ms() - cpu;
  cpu = thread_cpu_ms();
  std::pair<std::vector<OcrLine>, int> read;
  if (detect && !choice.decided) {
    // The band's votes were not clear (few contested characters, or split): the page is read
    // by both models and the vote taken again over all of it; the winner's reading is kept.
    std::vector<ReadChar> chars[2];
    std::pair<std::vector<OcrLine>, int> reads[2];
    for (int k = 0; k < 2; ++k) {
      WENKU_ASSIGN_OR_RETURN(tesseract::TessBaseAPI * m, impl_->model(k == 0 ? choice.simp : choice.trad));
      WENKU_ASSIGN_OR_RETURN(reads[k], impl_->read(m, pix.get(), dpi, tesseract::PSM_AUTO, deadline, &chars[k]));
    }
    choice.vote = vote_script(chars[0], chars[1], *ScriptTables::get());
    int winner = choice.vote.winner(/*clear=*/false);
    if (winner == 0) winner = Impl::traditional_by_confidence(reads[0].second, reads[1].second) ? -1 : 1;
    choice.language = winner > 0 ? choice.simp : choice.trad;
    read = std::move(reads[winner > 0 ? 0 : 1]);
    out.read_twice = true;
  } else {
    WENKU_ASSIGN_OR_RETURN(tesseract::TessBaseAPI * api, impl_->model(choice.language));
    WENKU_ASSIGN_OR_RETURN(read, impl_->read(api, pix.get(), dpi, tesseract::PSM_AUTO, deadline));
  }
  const std::string language = choice.language;
  out.script_vote = choice.vote.describe();
  out.read_cpu_ms = thread_cpu_ms() - cpu;
  out.text = page_text(read.first);
  out.confidence = static_cast<float>(read.second);
  out.language = language;
  out.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  return out;
}

}  // namespace wenku::ocr
