#include "core/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace wenku::metrics {

TEST(Metrics, CounterSeriesAreMadeOnceAndRenderedWithTheirLabels) {
  Registry r;
  Counter& a = r.counter("wenku_things_total", "Things.", {{"kind", "x"}});
  a.add();
  r.counter("wenku_things_total", "Things.", {{"kind", "x"}}).add(2);
  r.counter("wenku_things_total", "Things.", {{"kind", "y\"\\\n"}}).add();
  EXPECT_EQ(&a, &r.counter("wenku_things_total", "Things.", {{"kind", "x"}}));
  EXPECT_EQ(a.value(), 3u);
  EXPECT_EQ(r.render(),
            "# HELP wenku_things_total Things.\n# TYPE wenku_things_total counter\n"
            "wenku_things_total{kind=\"x\"} 3\nwenku_things_total{kind=\"y\\\"\\\\\\n\"} 1\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  Histogram& h = r.histogram("wenku_wait_seconds", "Waits.", {0.1, 1}, {{"route", "page"}});
  h.observe(0.05);
  h.observe(0.1);  // on a bound: counted in that bucket (le)
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(h.cumulative(), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(r.render(),
            "# HELP wenku_wait_seconds Waits.\n# TYPE wenku_wait_seconds histogram\n"
            "wenku_wait_seconds_bucket{route=\"page\",le=\"0.1\"} 2\n"
            "wenku_wait_seconds_bucket{route=\"page\",le=\"1\"} 3\n"
            "wenku_wait_seconds_bucket{route=\"page\",le=\"+Inf\"} 4\n"
            "wenku_wait_seconds_sum{route=\"page\"} 7.65\n"
            "wenku_wait_seconds_count{route=\"page\"} 4\n");
}

TEST(Metrics, ANameIsOneTypeOnly) {
  Registry r;
  r.counter("wenku_x_total", "X.");
  EXPECT_THROW(r.histogram("wenku_x_total", "X.", latency_buckets()), std::logic_error);
}

TEST(Metrics, CountsFromManyThreadsAddUp) {
  Registry r;
  Counter& c = r.counter("wenku_n_total", "N.");
  Histogram& h = r.histogram("wenku_d_seconds", "D.", latency_buckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.add();
        h.observe(0.003);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 80000u);
  EXPECT_EQ(h.cumulative().back(), 80000u);
  EXPECT_NEAR(h.sum(), 240.0, 1e-6);
}

TEST(Metrics, GaugesAndValuesAsPrometheusWritesThem) {
  std::string out;
  append_gauge(out, "wenku_jobs_queued", "Jobs waiting.", 12);
  EXPECT_EQ(out, "# HELP wenku_jobs_queued Jobs waiting.\n# TYPE wenku_jobs_queued gauge\nwenku_jobs_queued 12\n");
  EXPECT_EQ(format_value(-1), "-1");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(render_labels({}), "");
}

}  // namespace wenku::metrics
