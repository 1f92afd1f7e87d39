// WorkerPool over a real store: jobs run once each, queued jobs of a kind with a batch
// handler go together, and one job's failure in a batch is that job's alone; stop() lets
// running jobs finish within its grace and hands the leases of the others back.
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
  int64_t add_document(const std::string& kind, int n, int max_attempts = 1) {
    store::NewDocument d;
    d.title = "文档" + std::to_string(n);
    d.original_name = d.title + ".txt";
    d.size = 1;
    d.sha256 = std::to_string(n);
    d.blob_key = "k" + std::to_string(n);
    auto id = store_->create_document(d, {kind, 0, 0, max_attempts});
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

// Waits until `pred` holds (or 10 s).
template <typename P>
bool eventually(P pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST_F(WorkerPoolTest, StopLetsARunningJobFinishWithinTheGrace) {
  int64_t doc = add_document("preview", 1);
  WorkerPoolOptions o;
  o.lanes = {{"preview", {"preview"}, 1, 1}};
  o.poll_interval_ms = 10;
  o.stop_grace_ms = 10000;
  WorkerPool pool(*store_, o);
  std::atomic<bool> started{false};
  pool.on("preview", [&](const store::Job&, JobContext&) {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return Result<void>{};
  });
  bool interrupted = false;
  pool.on_interrupt([&] { interrupted = true; });
  pool.start();
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  pool.stop();
  EXPECT_FALSE(interrupted);
  EXPECT_EQ(pool.handed_back(), 0);
  EXPECT_EQ((*store_->jobs_of(doc))[0].state, store::JobState::kDone);
}

TEST_F(WorkerPoolTest, StopHandsBackTheLeasesOfJobsStillRunningAfterTheGraceAndInterruptsThem) {
  // The interrupted run still counts as an attempt (MetadataStore::release_job keeps the
  // count), so the job needs a second one to finish after the restart.
  int64_t doc = add_document("preview", 1, 3);
  WorkerPoolOptions o;
  o.lanes = {{"preview", {"preview"}, 1, 1}};
  o.poll_interval_ms = 10;
  o.stop_grace_ms = 100;
  WorkerPool pool(*store_, o);
  std::atomic<bool> started{false}, cut{false};
  std::atomic<int> interrupts{0}, final_failures{0};
  pool.on("preview", [&](const store::Job&, JobContext&) {
    started = true;
    // A conversion that runs until the interrupt hook ends it (the converter's helpers killed).
    while (!cut) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Result<void>(make_error(ErrorCode::kUnavailable, "helper killed"));
  });
  pool.on_interrupt([&] {
    ++interrupts;
    // The lease is back in the queue before the handlers are told to stop.
    auto jobs = *store_->jobs_of(doc);
    EXPECT_EQ(jobs[0].state, store::JobState::kQueued);
    cut = true;
  });
  pool.on_final_failure([&](const store::Job&, const Error&) { ++final_failures; });
  pool.start();
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  auto t0 = std::chrono::steady_clock::now();
  pool.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(interrupts.load(), 1);
  EXPECT_EQ(pool.handed_back(), 1);
  EXPECT_EQ(final_failures.load(), 0) << "a stop never fails a document";
  auto jobs = *store_->jobs_of(doc);
  EXPECT_EQ(jobs[0].state, store::JobState::kQueued) << "queued again, for the next start";
  // The next pool (a restart) takes it at once and finishes it.
  WorkerPool next(*store_, o);
  next.on("preview", [&](const store::Job&, JobContext&) { return Result<void>{}; });
  next.start();
  wait_idle();
  next.stop();
  EXPECT_EQ((*store_->jobs_of(doc))[0].state, store::JobState::kDone);
}

TEST_F(WorkerPoolTest, ATransientFailureWhileStoppingIsHandedBackNotFailedForGood) {
  int64_t doc = add_document("preview", 1);
  WorkerPoolOptions o;
  o.lanes = {{"preview", {"preview"}, 1, 1}};
  o.poll_interval_ms = 10;
  o.stop_grace_ms = 10000;
  WorkerPool pool(*store_, o);
  std::atomic<bool> started{false};
  std::atomic<int> final_failures{0};
  pool.on("preview", [&](const store::Job& j, JobContext&) {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // The last attempt: outside a stop this would fail the document for good.
    EXPECT_EQ(j.attempts, 1);
    return Result<void>(make_error(ErrorCode::kTimeout, "conversion timed out"));
  });
  pool.on_final_failure([&](const store::Job&, const Error&) { ++final_failures; });
  pool.start();
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  pool.stop();
  EXPECT_EQ(final_failures.load(), 0);
  EXPECT_EQ((*store_->jobs_of(doc))[0].state, store::JobState::kQueued);
}

}  // namespace
}  // namespace wenku::jobs
