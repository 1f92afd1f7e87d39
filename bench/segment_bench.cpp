// Segmentation and normalisation speed on the corpus passages, beside python3-jieba's in the
// same run. Usage: segment_bench [passages.jsonl] [jieba_sample_mb]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "text/normalizer.h"
#include "text/segmenter.h"

namespace {

// CPU time of this thread: on a machine shared with other work, wall time measures the
// neighbours too.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs Debian's python3-jieba (precise mode, HMM on, as `wenku segment --mode query`)
// over the file, timing only the cutting; returns seconds or a negative number on failure.
double jieba_seconds(const std::string& path) {
  std::string cmd =
      "/usr/bin/python3 -c \"import sys,time,jieba\n"
      "jieba.setLogLevel(60); jieba.initialize()\n"
      "lines=open(sys.argv[1],encoding='utf-8').read().split('\\n')\n"
      "t=time.perf_counter()\n"
      "for l in lines:\n"
      "  for w in jieba.cut(l): pass\n"
      "print(time.perf_counter()-t)\" " + path;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[64] = {};
  bool got = std::fgets(buf, sizeof buf, p) != nullptr;
  int rc = pclose(p);
  if (!got || rc != 0) return -1;
  return std::atof(buf);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "../shared/corpus/text/passages.jsonl";
  double jieba_mb = argc > 2 ? std::atof(argv[2]) : 2.0;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "segment_bench: cannot read " << path << "\n";
    return 1;
  }
  std::string text;
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("text")) continue;
    text += j["text"].get<std::string>();
    text += '\n';
  }
  const double mb = static_cast<double>(text.size()) / 1e6;

  auto t0 = std::chrono::steady_clock::now();
  auto seg = wenku::text::make_segmenter();
  double load = seconds_since(t0);
  if (!seg) {
    std::cerr << "segment_bench: " << seg.error().message << "\n";
    return 1;
  }
  t0 = std::chrono::steady_clock::now();
  auto norm = wenku::text::make_normalizer();
  double norm_load = seconds_since(t0);
  if (!norm) {
    std::cerr << "segment_bench: " << norm.error().message << "\n";
    return 1;
  }

  size_t tokens = 0;
  t0 = std::chrono::steady_clock::now();
  double c0 = thread_cpu_seconds();
  size_t pos = 0;
  while (pos < text.size()) {  // line by line, as the index and `wenku segment` see it
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    tokens += (*seg)->segment(std::string_view(text).substr(pos, eol - pos), wenku::text::SegmentMode::kQuery).size();
    pos = eol + 1;
  }
  double seg_s = seconds_since(t0);
  double seg_cpu = thread_cpu_seconds() - c0;
  t0 = std::chrono::steady_clock::now();
  c0 = thread_cpu_seconds();
  size_t index_tokens = (*seg)->segment(text, wenku::text::SegmentMode::kIndex).size();
  double index_s = seconds_since(t0);
  double index_cpu = thread_cpu_seconds() - c0;
  t0 = std::chrono::steady_clock::now();
  size_t norm_bytes = (*norm)->normalize(text).size();
  double norm_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  size_t map_bytes = (*norm)->normalize_with_offsets(text).text.size();
  double map_s = seconds_since(t0);

  std::printf("text: %.1f MB from %s\n", mb, path.c_str());
  std::printf("wenku dictionary load: %.0f ms; normalizer set-up: %.0f ms\n", load * 1000, norm_load * 1000);
  std::printf("wenku segment (query): %.1f MB/s wall, %.1f MB/s CPU (%zu tokens)\n", mb / seg_s, mb / seg_cpu, tokens);
  std::printf("wenku segment (index): %.1f MB/s wall, %.1f MB/s CPU (%zu tokens)\n", mb / index_s, mb / index_cpu,
              index_tokens);
  std::printf("wenku normalize: %.1f MB/s; with offsets %.1f MB/s (%zu / %zu bytes out)\n",
              mb / norm_s, mb / map_s, norm_bytes, map_bytes);

  // jieba on a prefix of the same text (it is slow), cut at a line end.
  size_t cut = std::min(text.size(), static_cast<size_t>(jieba_mb * 1e6));
  while (cut < text.size() && text[cut] != '\n') ++cut;
  std::string sample_path = "segment_bench_sample.txt";
  {
    std::ofstream out(sample_path, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(cut));
  }
  double js = jieba_seconds(sample_path);
  std::remove(sample_path.c_str());
  if (js <= 0) {
    std::printf("python3-jieba: not available (install python3-jieba)\n");
    return 0;
  }
  double jieba_rate = static_cast<double>(cut) / 1e6 / js;
  std::printf("python3-jieba: %.2f MB/s on the first %.1f MB\n", jieba_rate, static_cast<double>(cut) / 1e6);
  std::printf("ratio: wenku / python3-jieba = %.1fx\n", (mb / seg_s) / jieba_rate);
  return 0;
}
