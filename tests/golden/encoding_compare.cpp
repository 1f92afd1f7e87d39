// Compares uchardet and ICU's charset detector on corpus texts whose names carry their
// encoding (chardet_<ENCODING>__...): prints each verdict and the accuracy of both engines.
#include <chrono>
#include <cstdio>
#include <map>

#include "core/strings.h"
#include "detect/text_encoding.h"
#include "golden/manifest.h"
#include "support/test_support.h"

using wenku::detect::CharsetEngine;

// Encodings that decode the same text: a detector answering the superset is right.
static bool same_family(std::string truth, std::string got) {
  truth = wenku::to_lower_ascii(truth);
  got = wenku::to_lower_ascii(got);
  static const std::map<std::string, std::vector<std::string>> kFamily = {
      {"gb2312", {"gb2312", "gbk", "gb18030"}}, {"big5", {"big5", "big5-hkscs"}},
      {"shift_jis", {"shift_jis", "windows-31j"}}, {"cp932", {"shift_jis", "windows-31j", "cp932"}},
      {"euc-kr", {"euc-kr", "uhc", "cp949"}}, {"cp949", {"euc-kr", "uhc", "cp949"}},
      {"utf-16", {"utf-16le", "utf-16be", "utf-16"}}, {"utf-32", {"utf-32le", "utf-32be", "utf-32"}},
      {"tis-620", {"tis-620", "windows-874", "iso-8859-11"}}, {"maccyrillic", {"mac-cyrillic", "x-mac-cyrillic", "maccyrillic"}},
      {"ibm866", {"ibm866", "cp866"}}, {"ibm855", {"ibm855", "cp855"}}, {"utf-8", {"utf-8", "ascii"}},
      {"ascii", {"ascii", "utf-8", "windows-1252", "iso-8859-1"}},
      {"iso-8859-1", {"iso-8859-1", "windows-1252"}}, {"windows-1252", {"iso-8859-1", "windows-1252"}}};
  if (truth == got) return true;
  auto it = kFamily.find(truth);
  if (it == kFamily.end()) return false;
  for (const auto& g : it->second)
    if (g == got) return true;
  return false;
}

int main(int argc, char** argv) {
  std::filesystem::path corpus = argc > 1 ? argv[1] : "";
  int n = 0, ok_u = 0, ok_i = 0, ok_gu = 0, ok_gi = 0;
  double ms_u = 0, ms_i = 0;
  for (const auto& r : wenku::testing::read_manifest(corpus)) {
    auto name = std::filesystem::path(r.path).filename().string();
    if (name.rfind("chardet_", 0) != 0 || (r.folder != "txt" && r.folder != "html")) continue;
    std::string truth = name.substr(8, name.find("__") - 8);
    if (truth == "README.txt") continue;
    std::string data = wenku::testing::read_file(corpus / r.path);
    auto t0 = std::chrono::steady_clock::now();
    std::string u = wenku::detect::detect_charset(data, CharsetEngine::kUchardet);
    auto t1 = std::chrono::steady_clock::now();
    std::string i = wenku::detect::detect_charset(data, CharsetEngine::kIcu);
    auto t2 = std::chrono::steady_clock::now();
    ms_u += std::chrono::duration<double, std::milli>(t1 - t0).count();
    ms_i += std::chrono::duration<double, std::milli>(t2 - t1).count();
    auto gu = wenku::detect::guess_text_encoding(data, true, CharsetEngine::kUchardet).encoding;
    auto gi = wenku::detect::guess_text_encoding(data, true, CharsetEngine::kIcu).encoding;
    ++n;
    ok_u += same_family(truth, u);
    ok_i += same_family(truth, i);
    ok_gu += same_family(truth, gu);
    ok_gi += same_family(truth, gi);
    std::printf("%-60s truth=%-12s uchardet=%-12s icu=%-12s pipeline(u)=%-12s pipeline(icu)=%s\n", r.path.c_str(),
                truth.c_str(), u.c_str(), i.c_str(), gu.c_str(), gi.c_str());
  }
  std::printf("files=%d detector alone: uchardet %d/%d (%.1f ms), icu %d/%d (%.1f ms); "
              "full pipeline (BOM, UTF-16/32, UTF-8, declared charset, detector): uchardet %d/%d, icu %d/%d\n",
              n, ok_u, n, ms_u, ok_i, n, ms_i, ok_gu, n, ok_gi, n);
}
