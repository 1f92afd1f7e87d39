// Metrics: counters and histograms kept in the process with atomics, and their rendering
// in the Prometheus text exposition format (version 0.0.4). The composition root
// (library::Library) owns one Registry and hands it down; a hot path asks the registry for
// its series once and then only touches atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wenku::metrics {

// Label pairs of one series, in the order given (name, value).
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Observations counted in buckets with upper bounds `bounds` (ascending; +Inf implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts, one per bound and a last one for +Inf (the total count).
  std::vector<uint64_t> cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds for request latencies (1 ms .. 10 s).
const std::vector<double>& latency_buckets();
// Bucket bounds in seconds for job durations (10 ms .. 30 min).
const std::vector<double>& job_buckets();

class Registry {
 public:
  // The series of `name` with `labels`, created on first use; the reference stays valid for
  // the registry's life. A name is a counter or a histogram, never both (a bug: throws).
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                       const Labels& labels = {});
  // Every series, families sorted by name, in the text exposition format.
  std::string render() const;

 private:
  enum class Type { kCounter, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;      // by rendered labels
    std::map<std::string, std::unique_ptr<Histogram>> histograms;  // by rendered labels
  };
  Family& family(std::string_view name, std::string_view help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// Appends one gauge family with one series to `out` (figures read at scrape time).
void append_gauge(std::string& out, std::string_view name, std::string_view help, double value,
                  const Labels& labels = {});
// `{a="x",b="y"}` with values escaped ("" when there are no labels).
std::string render_labels(const Labels& labels);
// A number as Prometheus writes it (integers without a fraction, +Inf).
std::string format_value(double v);

}  // namespace wenku::metrics
