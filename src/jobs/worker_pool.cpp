// Worker threads over the durable job queue.
#include "jobs/worker_pool.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <algorithm>
#include <chrono>
#include <exception>

#include "core/clock.h"
#include "core/log.h"

namespace wenku::jobs {

namespace {

class LeaseContext final : public JobContext {
 public:
  LeaseContext(store::MetadataStore& s, std::vector<int64_t> job_ids, std::string worker, int lease_seconds,
               WorkerPool& pool)
      : store_(s), job_ids_(std::move(job_ids)), worker_(std::move(worker)), lease_seconds_(lease_seconds),
        pool_(pool) {}

  void progress(double fraction) override {
    for (int64_t id : job_ids_) pool_.note_progress(id, fraction);
    auto now = std::chrono::steady_clock::now();
    // Renewing costs a write; once a second is plenty for leases of minutes.
    if (now - last_ < std::chrono::seconds(1) && fraction < 1.0) return;
    last_ = now;
    for (int64_t id : job_ids_) {
      auto r = store_.renew_job(id, worker_, lease_seconds_, fraction);
      if (!r.ok()) log::warn("job_renew_failed job={} error={}", id, r.error().message);
    }
  }

 private:
  store::MetadataStore& store_;
  std::vector<int64_t> job_ids_;
  std::string worker_;
  int lease_seconds_;
  WorkerPool& pool_;
  std::chrono::steady_clock::time_point last_{};
};

// Taken again after its lease expired more often than it may run: whatever it does kills
// its worker, so it must not run again.
bool interrupted_too_often(const store::Job& job) { return job.attempts > job.max_attempts; }
Error interrupted_error(const store::Job& job) {
  return keyed_error(ErrorCode::kInternal, "jobs.interrupted", {{"times", std::to_string(job.attempts - 1)}});
}

}  // namespace

WorkerPool::WorkerPool(store::MetadataStore& store, WorkerPoolOptions options)
    : store_(store), options_(std::move(options)) {
  id_ = local_worker_prefix();
}

std::string local_worker_prefix() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

bool is_dead_local_worker(const std::string& worker) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string prefix = std::string(host) + ":";
  if (worker.rfind(prefix, 0) != 0) return false;
  size_t slash = worker.find('/', prefix.size());
  std::string pid_text = worker.substr(prefix.size(), slash == std::string::npos ? std::string::npos : slash - prefix.size());
  char* end = nullptr;
  long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid <= 0 || *end != '\0') return false;
  if (pid == ::getpid()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::on(const std::string& kind, JobHandler handler) { handlers_[kind] = std::move(handler); }

void WorkerPool::on_batch(const std::string& kind, BatchHandler handler) {
  batch_handlers_[kind] = std::move(handler);
}

void WorkerPool::on_final_failure(FinalFailureHandler handler) { final_failure_ = std::move(handler); }

void WorkerPool::on_interrupt(std::function<void()> hook) { interrupt_ = std::move(hook); }

void WorkerPool::begin_running(const std::vector<int64_t>& ids, const std::string& worker) {
  std::lock_guard lock(run_mu_);
  running_.insert(ids.begin(), ids.end());
  for (int64_t id : ids) held_[id] = Held{worker, 0};
}

void WorkerPool::end_running(int64_t id) {
  {
    std::lock_guard lock(run_mu_);
    running_.erase(id);
    held_.erase(id);
  }
  idle_cv_.notify_all();
}

void WorkerPool::note_progress(int64_t id, double fraction) {
  std::lock_guard lock(run_mu_);
  if (auto it = held_.find(id); it != held_.end()) it->second.progress = fraction;
}

void WorkerPool::start() {
  for (const auto& lane : options_.lanes) {
    for (int i = 0; i < lane.workers; ++i) threads_.emplace_back([this, &lane, i] { run(lane, i); });
  }
  if (!threads_.empty()) heartbeat_ = std::thread([this] { heartbeat(); });
}

void WorkerPool::heartbeat() {
  ::pthread_setname_np(::pthread_self(), "wk-lease");
  const auto every = std::chrono::milliseconds(std::max(1000, options_.lease_seconds * 1000 / 3));
  auto next = std::chrono::steady_clock::now() + every;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next, [&] { return threads_done_; });
      if (threads_done_) return;
    }
    next = std::chrono::steady_clock::now() + every;
    std::map<int64_t, Held> held;
    {
      std::lock_guard lock(run_mu_);
      for (const auto& [id, h] : held_) {
        if (!handed_back_.count(id)) held.emplace(id, h);
      }
    }
    for (const auto& [id, h] : held) {
      auto r = store_.renew_job(id, h.worker, options_.lease_seconds, h.progress);
      // Not fatal: the job may have just finished, or the store be down for a moment.
      if (!r.ok()) log::debug("job_heartbeat_failed job={} error={}", id, r.error().message);
    }
  }
}

void WorkerPool::stop() {
  stopping_ = true;
  notify();
  bool interrupted = false;
  if (!threads_.empty()) {
    std::unique_lock lock(run_mu_);
    if (!idle_cv_.wait_for(lock, std::chrono::milliseconds(options_.stop_grace_ms),
                           [this] { return running_.empty(); })) {
      // Past the grace: the queue gets these jobs back now, so a restart (or another
      // worker) need not wait for their leases to run out.
      for (int64_t id : running_) {
        if (handed_back_.count(id)) continue;
        auto r = store_.release_job(id);
        if (r.ok()) {
          handed_back_.insert(id);
          ++handed_back_count_;
        }
        log::warn("job_handed_back job={} reason=stopping grace_ms={} ok={}", id, options_.stop_grace_ms, r.ok());
      }
      interrupted = true;
    }
  }
  if (interrupted && interrupt_) interrupt_();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  {
    std::lock_guard lock(mu_);
    threads_done_ = true;
  }
  cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

void WorkerPool::notify() {
  {
    std::lock_guard lock(mu_);
    ++wake_seq_;
  }
  cv_.notify_all();
}

void WorkerPool::run(const Lane& lane, int index) {
  std::string worker = id_ + "/" + lane.name + "-" + std::to_string(index);
  // "wk-text-0": what top -H and /proc/PID/task/*/comm show (15 bytes at most).
  ::pthread_setname_np(::pthread_self(), ("wk-" + lane.name + "-" + std::to_string(index)).substr(0, 15).c_str());
  while (!stopping_) {
    uint64_t seen;
    {
      std::lock_guard lock(mu_);
      seen = wake_seq_;
    }
    auto claimed = store_.claim_job(worker, lane.kinds, options_.lease_seconds);
    if (!claimed.ok()) {
      log::warn("job_claim_failed worker={} error={}", worker, claimed.error().message);
    } else if (claimed->has_value()) {
      const store::Job& first = **claimed;
      if (lane.batch > 1 && batch_handlers_.count(first.kind)) {
        std::vector<store::Job> batch{first};
        while (static_cast<int>(batch.size()) < lane.batch && !stopping_) {
          auto more = store_.claim_job(worker, {first.kind}, options_.lease_seconds);
          if (!more.ok() || !more->has_value()) break;
          batch.push_back(std::move(**more));
        }
        run_batch(batch, worker);
      } else {
        run_one(first, worker);
      }
      continue;
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms),
                 [&] { return stopping_ || wake_seq_ != seen; });
  }
}

void WorkerPool::run_one(const store::Job& job, const std::string& worker) {
  ++busy_;
  begin_running({job.id}, worker);
  auto it = handlers_.find(job.kind);
  Result<void> result = make_error(ErrorCode::kInternal, "no handler for job kind " + job.kind);
  double seconds = 0;
  if (interrupted_too_often(job)) {
    result = interrupted_error(job);
  } else if (it != handlers_.end()) {
    LeaseContext ctx(store_, {job.id}, worker, options_.lease_seconds, *this);
    const auto started = std::chrono::steady_clock::now();
    try {
      result = it->second(job, ctx);
    } catch (const std::exception& e) {
      // A bug in a handler fails this job, never the worker.
      result = keyed_error(ErrorCode::kInternal, "jobs.internal_error", {{"detail", e.what()}});
    }
    // How long each stage takes, for operators tuning lanes and limits.
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log::debug("job_done job={} kind={} document={} ok={} ms={}", job.id, job.kind, job.document_id,
               result.ok(), static_cast<int64_t>(seconds * 1000));
  }
  finish(job, result, seconds);
  end_running(job.id);
  --busy_;
}

void WorkerPool::run_batch(const std::vector<store::Job>& jobs, const std::string& worker) {
  busy_ += static_cast<int>(jobs.size());
  std::vector<int64_t> all_ids;
  for (const store::Job& job : jobs) all_ids.push_back(job.id);
  begin_running(all_ids, worker);
  std::vector<store::Job> runnable;
  for (const store::Job& job : jobs) {
    if (interrupted_too_often(job)) {
      finish(job, interrupted_error(job), 0);
      end_running(job.id);
      --busy_;
    } else {
      runnable.push_back(job);
    }
  }
  if (runnable.empty()) return;
  std::vector<int64_t> ids;
  for (const store::Job& job : runnable) ids.push_back(job.id);
  LeaseContext ctx(store_, ids, worker, options_.lease_seconds, *this);
  const auto started = std::chrono::steady_clock::now();
  std::vector<Result<void>> results;
  try {
    results = batch_handlers_.at(runnable.front().kind)(runnable, ctx);
  } catch (const std::exception& e) {
    // A bug in a handler fails these jobs (they are retried), never the worker.
    results.assign(runnable.size(), keyed_error(ErrorCode::kInternal, "jobs.internal_error", {{"detail", e.what()}}));
  }
  if (results.size() != runnable.size()) {
    results.assign(runnable.size(), make_error(ErrorCode::kInternal, "batch handler gave a wrong number of results"));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log::debug("job_batch_done kind={} jobs={} ms={}", runnable.front().kind, runnable.size(),
             static_cast<int64_t>(seconds * 1000));
  for (size_t i = 0; i < runnable.size(); ++i) {
    finish(runnable[i], results[i], seconds / static_cast<double>(runnable.size()));
    end_running(runnable[i].id);
    --busy_;
  }
}

void WorkerPool::record(const store::Job& job, const char* outcome, double seconds) {
  if (options_.metrics == nullptr) return;
  metrics::Labels labels{{"kind", job.kind}, {"outcome", outcome}};
  options_.metrics->counter("wenku_jobs_finished_total", "Jobs finished, by kind and outcome (ok, retry, failed, "
                            "handed_back).", labels).add();
  options_.metrics->histogram("wenku_job_duration_seconds", "How long job handlers ran, by kind and outcome.",
                              metrics::job_buckets(), labels).observe(seconds);
}

void WorkerPool::finish(const store::Job& job, const Result<void>& result, double seconds) {
  bool handed_back = false;
  {
    std::lock_guard lock(run_mu_);
    handed_back = handed_back_.count(job.id) > 0;
  }
  if (handed_back && !result.ok()) {
    // stop() gave this job back to the queue; what the interrupted run says is not its fate.
    log::info("job_interrupted job={} kind={} document={} handed_back=true error={}", job.id, job.kind,
              job.document_id, result.error().message);
    record(job, "handed_back", seconds);
    return;
  }
  if (result.ok()) {
    record(job, "ok", seconds);
    if (auto r = store_.complete_job(job.id); !r.ok()) {
      log::error("job_complete_failed job={} error={}", job.id, r.error().message);
    }
    return;
  }
  const Error& e = result.error();
  if (stopping_ && is_transient(e.code)) {
    // Stopping: a conversion cut short, a helper gone. Back to the queue for the next start,
    // never a document failed for good by a restart.
    log::warn("job_handed_back job={} kind={} document={} reason=stopping error={}", job.id, job.kind,
              job.document_id, e.message);
    if (auto r = store_.release_job(job.id); !r.ok()) {
      log::error("job_release_failed job={} error={}", job.id, r.error().message);
    }
    record(job, "handed_back", seconds);
    return;
  }
  if (is_transient(e.code) && options_.backend_down && options_.backend_down()) {
    // Not this job's fault: again in a few seconds, without using up an attempt, however long
    // the outage lasts (issue 12: jobs are retried later, never lost).
    int64_t wait = int64_t{options_.backoff_base_seconds} << std::min(std::max(job.attempts - 1, 0), 3);
    log::warn("job_deferred job={} kind={} document={} reason=backend_down wait_s={} error={}", job.id, job.kind,
              job.document_id, wait, e.message);
    record(job, "retry", seconds);
    if (auto r = store_.defer_job(job.id, e.message, now_unix() + wait); !r.ok()) {
      log::error("job_defer_failed job={} error={}", job.id, r.error().message);
    }
    return;
  }
  bool retry = is_transient(e.code) && job.attempts < job.max_attempts;
  int64_t retry_at = 0;
  if (retry) retry_at = now_unix() + (int64_t{options_.backoff_base_seconds} << (job.attempts - 1));
  log::warn("job_failed job={} kind={} document={} attempt={} retry={} error={}", job.id, job.kind,
            job.document_id, job.attempts, retry, e.message);
  record(job, retry ? "retry" : "failed", seconds);
  if (auto r = store_.fail_job(job.id, e.message, retry_at); !r.ok()) {
    log::error("job_fail_failed job={} error={}", job.id, r.error().message);
  }
  if (!retry && final_failure_) final_failure_(job, e);
}

}  // namespace wenku::jobs
