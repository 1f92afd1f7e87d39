// WorkerPool over a real store: jobs run once each, queued jobs of a kind with a batch
// handler go together, and one job's failure in a batch is that job's alone.
#include "jobs/worker_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "store/sqlite_store.h"
#include "support/test_support.h"

namespace wenku::jobs {
namespace {

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_sqlite_store((dir_ / "wenku.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  // A document with its first job, as uploads make them.
  int64_t add_document(const std::string& kind, int n) {
    store::NewDocument d;
    d.title = "文档" + std::to_string(n);
    d.original_name = d.title + ".txt";
    d.size = 1;
    d.sha256 = std::to_string(n);
    d.blob_key = "k" + std::to_string(n);
    auto id = store_->create_document(d, {kind, 0, 0, 1});
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }
  // Waits until no job is queued or running (or 10 s).
  void wait_idle() {
    for (int i = 0; i < 1000; ++i) {
      if (*store_->count_jobs(store::JobState::kQueued) == 0 && *store_->count_jobs(store::JobState::kRunning) == 0) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "jobs still pending";
  }

  testing::TempDir dir_;
  std::unique_ptr<store::MetadataStore> store_;
};

TEST_F(WorkerPoolTest, QueuedJobsOfABatchKindRunTogetherAndFailAlone) {
  std::vector<int64_t> docs;
  for (int i = 0; i < 10; ++i) docs.push_back(add_document("extract", i));
  WorkerPoolOptions o;
  o.lanes = {{"text", {"extract"}, 1, 4}};
  o.poll_interval_ms = 10;
  WorkerPool pool(*store_, o);
  std::mutex mu;
  std::vector<size_t> sizes;
  std::vector<int64_t> seen;
  pool.on_batch("extract", [&](const std::vector<store::Job>& jobs, JobContext& ctx) {
    ctx.progress(0.5);
    std::vector<Result<void>> out;
    std::lock_guard lock(mu);
    sizes.push_back(jobs.size());
    for (const auto& j : jobs) {
      seen.push_back(j.document_id);
      // The fourth document's job fails for good; its batch's others succeed.
      out.push_back(j.document_id == docs[3] ? Result<void>(make_error(ErrorCode::kCorrupt, "bad file"))
                                             : Result<void>{});
    }
    return out;
  });
  std::vector<int64_t> failed;
  pool.on_final_failure([&](const store::Job& j, const Error&) {
    std::lock_guard lock(mu);
    failed.push_back(j.document_id);
  });
  pool.start();
  wait_idle();
  pool.stop();
  std::lock_guard lock(mu);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, docs) << "every job runs, once";
  ASSERT_FALSE(sizes.empty());
  EXPECT_EQ(sizes.front(), 4u) << "the queued jobs were taken four at a time";
  for (size_t n : sizes) EXPECT_LE(n, 4u);
  EXPECT_EQ(failed, std::vector<int64_t>{docs[3]});
  for (int64_t d : docs) {
    auto jobs = *store_->jobs_of(d);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].state, d == docs[3] ? store::JobState::kFailed : store::JobState::kDone);
  }
}

TEST_F(WorkerPoolTest, KindsWithoutABatchHandlerRunOneAtATime) {
  for (int i = 0; i < 6; ++i) add_document("preview", i);
  WorkerPoolOptions o;
  o.lanes = {{"preview", {"preview"}, 1, 8}};
  o.poll_interval_ms = 10;
  WorkerPool pool(*store_, o);
  std::atomic<int> runs{0};
  pool.on("preview", [&](const store::Job&, JobContext&) {
    ++runs;
    return Result<void>{};
  });
  pool.start();
  wait_idle();
  pool.stop();
  EXPECT_EQ(runs.load(), 6);
  EXPECT_EQ(*store_->count_jobs(store::JobState::kDone), 6);
}

}  // namespace
}  // namespace wenku::jobs
