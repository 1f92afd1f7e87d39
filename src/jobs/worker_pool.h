// WorkerPool: threads that take jobs from the durable queue in the MetadataStore, run the
// handler registered for the job's kind, renew the lease while it runs, and retry transient
// failures with exponential back-off. Work resumes after a restart because the queue is durable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "store/metadata_store.h"

namespace wenku::jobs {

// Given to a handler so it can report progress (which also renews the lease).
class JobContext {
 public:
  virtual ~JobContext() = default;
  virtual void progress(double fraction) = 0;
};

using JobHandler = std::function<Result<void>(const store::Job& job, JobContext& ctx)>;
// Runs several jobs of one kind together: one result per job, in the jobs' order. What a
// kind gains from it is work shared between its jobs (the text lane commits a batch of
// documents to the search index at once instead of one commit each).
using BatchHandler = std::function<std::vector<Result<void>>(const std::vector<store::Job>& jobs, JobContext& ctx)>;
// Called once when a job has failed for good (not retried any more).
using FinalFailureHandler = std::function<void(const store::Job& job, const Error& error)>;

struct Lane {
  std::string name;                 // for logs and worker names
  std::vector<std::string> kinds;   // job kinds this lane takes; empty = any
  int workers = 1;
  // Up to this many runnable jobs of one kind are taken together when the kind has a batch
  // handler. Only jobs already queued join: an idle lane still runs a lone job at once, and
  // batches form by themselves under a backlog (a bulk import).
  int batch = 1;
};

struct WorkerPoolOptions {
  std::vector<Lane> lanes;
  int lease_seconds = 120;
  int backoff_base_seconds = 5;     // retry n waits base * 2^(n-1)
  int poll_interval_ms = 500;       // also wakes on notify()
  // stop(): how long running jobs may go on to finish before their leases are handed back.
  int stop_grace_ms = 30000;
  // When set: wenku_jobs_finished_total and wenku_job_duration_seconds by kind and outcome
  // (ok, retry, failed, handed_back). Not owned.
  metrics::Registry* metrics = nullptr;
  // When set and true after a transient failure: a backend of the site (database, bucket,
  // index) does not answer, so the job is deferred (MetadataStore::defer_job) without using
  // up an attempt, as long as the outage lasts.
  std::function<bool()> backend_down;
};

// "host:pid": the prefix of this process's worker names.
std::string local_worker_prefix();
// True when `worker` names a process on this host that no longer exists (killed, crashed):
// its jobs can be taken again at once instead of waiting for the lease to expire.
bool is_dead_local_worker(const std::string& worker);

class WorkerPool {
 public:
  WorkerPool(store::MetadataStore& store, WorkerPoolOptions options);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void on(const std::string& kind, JobHandler handler);
  // For lanes with `batch` > 1; a kind with both handlers uses this one there.
  void on_batch(const std::string& kind, BatchHandler handler);
  void on_final_failure(FinalFailureHandler handler);
  // Called once by stop() when the grace runs out with jobs still running, after their
  // leases were handed back: it should make the handlers return soon (end conversions).
  void on_interrupt(std::function<void()> hook);
  // The last progress a running job reported (the heartbeat renews its lease with it).
  void note_progress(int64_t id, double fraction);
  void start();
  // Takes no more jobs; lets running ones finish for up to `stop_grace_ms`; then hands the
  // leases of those still running back to the queue (queued again at once, for this
  // process's next start or another worker; their outcome here is no longer recorded unless
  // they succeed) and calls the interrupt hook; then joins the threads. A job that fails
  // transiently while stopping is handed back too, never failed for good. Idempotent.
  void stop();
  // Leases handed back by stop() (for logs and tests).
  int handed_back() const { return handed_back_count_.load(); }
  // Wakes idle workers (a job was just queued).
  void notify();
  // Jobs currently being run by this pool.
  int busy() const { return busy_.load(); }

 private:
  void run(const Lane& lane, int index);
  void run_one(const store::Job& job, const std::string& worker);
  void run_batch(const std::vector<store::Job>& jobs, const std::string& worker);
  // Completes the job, or retries or fails it after `result`'s error; `seconds` is how long
  // its handler ran (a batch's time shared among its jobs).
  void finish(const store::Job& job, const Result<void>& result, double seconds);
  void record(const store::Job& job, const char* outcome, double seconds);
  void begin_running(const std::vector<int64_t>& ids, const std::string& worker);
  void end_running(int64_t id);
  // Renews the lease of every running job every third of the lease (issue 12): a handler
  // that reports no progress for a while (a long conversion, a text batch on a busy
  // machine) must not lose its job to another worker while its process lives.
  void heartbeat();

  store::MetadataStore& store_;
  WorkerPoolOptions options_;
  std::map<std::string, JobHandler> handlers_;
  std::map<std::string, BatchHandler> batch_handlers_;
  FinalFailureHandler final_failure_;
  std::function<void()> interrupt_;
  std::mutex run_mu_;
  std::condition_variable idle_cv_;
  std::set<int64_t> running_;      // job ids being run, under run_mu_
  struct Held {
    std::string worker;
    double progress = 0;
  };
  std::map<int64_t, Held> held_;   // the lease holder of each running job, under run_mu_
  std::thread heartbeat_;
  std::set<int64_t> handed_back_;  // released by stop() while still running, under run_mu_
  std::atomic<int> handed_back_count_{0};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t wake_seq_ = 0;
  bool threads_done_ = false;  // under mu_: stop() joined the workers, the heartbeat ends
  std::atomic<bool> stopping_{false};
  std::atomic<int> busy_{0};
  std::string id_;
};

}  // namespace wenku::jobs
