// OcrEngine: a page image -> its text as Chinese is written, with Tesseract 5 linked as a
// library. Models are loaded once per engine and reused; the script of each page is found
// (simplified, traditional, vertical) rather than assumed, orientation and skew corrected.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/raster.h"

namespace wenku::ocr {

struct OcrOptions {
  // Where the *.traineddata are; empty = Tesseract's own default (Debian:
  // /usr/share/tesseract-ocr/5/tessdata), or $TESSDATA_PREFIX.
  std::string tessdata_dir;
  // CPU time one page may take (checked by Tesseract's monitor between words; four times
  // this in wall time is a backstop); past it: kTimeout.
  int timeout_ms = 60'000;
  // Larger pages are scaled down to this many pixels before recognition (not refused).
  int64_t max_pixels = 24'000'000;
  // Empty: the script is detected per page. Otherwise Tesseract's language string, used as
  // told (e.g. "chi_sim", as the tesseract CLI's -l).
  std::string language;
  bool detect_orientation = true;  // OSD: pages turned by 90/180/270 degrees are turned back
  // Leptonica's deskew before Tesseract. Off by default: Tesseract's own layout analysis fits
  // slightly rotated lines (a photocopy, a photo), and the deskew cost ~0.1 s a page without
  // changing accuracy on the scans (bench/README.md "OCR").
  bool deskew = false;
};

struct OcrPage {
  std::string text;           // paragraphs separated by '\n' (extract::paragraph_text's rules)
  std::string language;       // the model used: chi_sim, chi_tra, chi_sim_vert, chi_tra_vert, ...
  int rotated = 0;            // degrees the page was turned clockwise before recognition
  float skew_degrees = 0;     // the slight rotation corrected
  float confidence = 0;       // Tesseract's mean word confidence, 0..100
  // How the script was chosen (script_vote.h): the votes, and whether the sample band left it
  // open so that the page was read by both models.
  std::string script_vote;
  bool read_twice = false;
  int64_t ms = 0;             // time of the whole page
  // CPU time of its steps: orientation and skew; choosing the model; reading the page.
  int64_t prepare_cpu_ms = 0, choose_cpu_ms = 0, read_cpu_ms = 0;
};

class OcrEngine {
 public:
  ~OcrEngine();
  OcrEngine(const OcrEngine&) = delete;
  OcrEngine& operator=(const OcrEngine&) = delete;

  // Loads the simplified-Chinese model (the others load when a page first needs them).
  // Errors: kUnavailable (Tesseract or a model missing: "apt install tesseract-ocr-chi-sim").
  static Result<std::unique_ptr<OcrEngine>> create(const OcrOptions& options = {});

  // The text of one page. `page.dpi` is used when it is plausible (70..1200), otherwise
  // Tesseract estimates the resolution from the text height.
  // Errors: kInvalidArgument (empty raster), kTimeout, kInternal (Tesseract failed).
  Result<OcrPage> recognize(const image::Raster& page);

  // Not thread-safe: one engine per thread (or per helper process).
 private:
  struct Impl;
  explicit OcrEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wenku::ocr
