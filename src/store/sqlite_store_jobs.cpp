// SqliteStore, jobs slice: the durable job queue (enqueue, lease, complete, fail, release).
#include "store/sqlite_store_impl.h"

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::store {

namespace {

std::string_view job_state_name(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kFailed: return "failed";
  }
  return "queued";
}

JobState parse_job_state(std::string_view s) {
  if (s == "running") return JobState::kRunning;
  if (s == "done") return JobState::kDone;
  if (s == "failed") return JobState::kFailed;
  return JobState::kQueued;
}

Job read_job(const Statement& s) {
  Job j;
  j.id = s.int64(0);
  j.kind = s.text(1);
  j.document_id = s.int64(2);
  j.priority = s.integer(3);
  j.attempts = s.integer(4);
  j.max_attempts = s.integer(5);
  j.state = parse_job_state(s.text(6));
  j.error = s.text(7);
  j.progress = s.real(8);
  j.page = s.integer(9);
  return j;
}

constexpr std::string_view kJobColumns =
    "id, kind, COALESCE(document_id, 0), priority, attempts, max_attempts, state, error, progress, page";

}  // namespace

Result<int64_t> SqliteStore::enqueue_job(const JobSpec& job) {
  std::lock_guard lock(write_mu_);
  return enqueue_locked(job);
}

Result<std::optional<Job>> SqliteStore::claim_job(const std::string& worker, const std::vector<std::string>& kinds,
                                                  int lease_seconds) {
  std::lock_guard lock(write_mu_);
  int64_t now = now_unix();
  std::string kinds_csv;
  for (const auto& k : kinds) kinds_csv += "," + k;
  kinds_csv += ",";
  // A job is runnable when queued and due, or running with an expired lease (its worker died).
  // The first of each kind is read in (priority, id) order from the jobs_queue index and the
  // better of the two taken: one query with OR read every queued job and sorted them, so a
  // bulk import of n documents cost n^2 row reads in claims (a quarter of its text CPU).
  auto st = writer_->prepare(std::string(R"sql(
    UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2 + ?3, attempts = attempts + 1,
      updated_at = ?2
    WHERE id = (
      SELECT id FROM (
        SELECT * FROM (
          SELECT id, priority FROM jobs
          WHERE state = 'queued' AND run_after <= ?2 AND (?4 = ',' OR instr(?4, ',' || kind || ',') > 0)
          ORDER BY priority, id LIMIT 1)
        UNION ALL
        SELECT * FROM (
          SELECT id, priority FROM jobs
          WHERE state = 'running' AND lease_until < ?2 AND (?4 = ',' OR instr(?4, ',' || kind || ',') > 0)
          ORDER BY priority, id LIMIT 1))
      ORDER BY priority, id LIMIT 1)
    RETURNING )sql") + std::string(kJobColumns));
  st.bind(1, worker).bind(2, now).bind(3, lease_seconds).bind(4, kinds_csv);
  WENKU_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<Job>{};
  Job j = read_job(st);
  WENKU_TRY(st.run());
  return std::optional<Job>{j};
}

Result<void> SqliteStore::renew_job(int64_t job_id, const std::string& worker, int lease_seconds,
                                    double progress) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "UPDATE jobs SET lease_until = ?3, progress = ?4, updated_at = ?5 "
      "WHERE id = ?1 AND worker = ?2 AND state = 'running'");
  int64_t now = now_unix();
  st.bind(1, job_id).bind(2, worker).bind(3, now + lease_seconds).bind(4, progress).bind(5, now);
  WENKU_TRY(st.run());
  if (writer_->changes() == 0) {
    return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) + " is no longer leased to " + worker);
  }
  return {};
}

// Only a running job is completed or failed. Job ids can be reused (a document's delete
// removes its jobs, and the next job may take the highest id again), so a worker whose
// document was deleted under it must not mark the newcomer's queued job: that left a new
// upload `processing` for ever with "no document N" (found by the crash_edit suite).
Result<void> SqliteStore::complete_job(int64_t job_id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "UPDATE jobs SET state = 'done', progress = 1, error = '', updated_at = ?2 "
      "WHERE id = ?1 AND state = 'running'");
  st.bind(1, job_id).bind(2, now_unix());
  WENKU_TRY(st.run());
  return job_changed(job_id);
}

Result<void> SqliteStore::fail_job(int64_t job_id, const std::string& error, int64_t retry_at) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "UPDATE jobs SET state = ?2, error = ?3, run_after = ?4, lease_until = 0, updated_at = ?5 "
      "WHERE id = ?1 AND state = 'running'");
  st.bind(1, job_id).bind(2, retry_at > 0 ? "queued" : "failed").bind(3, error).bind(4, retry_at)
      .bind(5, now_unix());
  WENKU_TRY(st.run());
  return job_changed(job_id);
}

Result<std::vector<Job>> SqliteStore::jobs_of(int64_t document_id) {
  auto r = reader();
  auto st = r->prepare("SELECT " + std::string(kJobColumns) + " FROM jobs WHERE document_id = ?1 ORDER BY id");
  st.bind(1, document_id);
  std::vector<Job> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back(read_job(st));
  }
  return out;
}

Result<std::vector<std::pair<Job, std::string>>> SqliteStore::running_jobs() {
  auto r = reader();
  auto st = r->prepare("SELECT " + std::string(kJobColumns) + ", worker FROM jobs WHERE state = 'running'");
  std::vector<std::pair<Job, std::string>> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.emplace_back(read_job(st), st.text(10));
  }
  return out;
}

Result<void> SqliteStore::release_job(int64_t job_id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "UPDATE jobs SET state = 'queued', lease_until = 0, worker = '', run_after = 0 "
      "WHERE id = ?1 AND state = 'running'");
  st.bind(1, job_id);
  return st.run();
}

Result<void> SqliteStore::defer_job(int64_t job_id, const std::string& error, int64_t retry_at) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "UPDATE jobs SET state = 'queued', lease_until = 0, worker = '', run_after = ?3, error = ?2, "
      "attempts = MAX(attempts - 1, 0), updated_at = ?4 WHERE id = ?1 AND state = 'running'");
  st.bind(1, job_id).bind(2, error).bind(3, retry_at).bind(4, now_unix());
  return st.run();
}

Result<bool> SqliteStore::hurry_job(const std::string& kind, int64_t document_id, int priority) {
  std::lock_guard lock(write_mu_);
  const int64_t now = now_unix();
  auto st = writer_->prepare(
      "UPDATE jobs SET priority = MIN(priority, ?3), run_after = MIN(run_after, ?4), updated_at = ?4 "
      "WHERE kind = ?1 AND document_id = ?2 AND state = 'queued'");
  st.bind(1, kind).bind(2, document_id).bind(3, int64_t{priority}).bind(4, now);
  WENKU_TRY(st.run());
  return writer_->changes() > 0;
}

Result<bool> SqliteStore::enqueue_job_once(const JobSpec& job) {
  std::lock_guard lock(write_mu_);
  // Under the write lock: no other enqueue of this process comes between the look and the
  // insert, and another process's waits on SQLite's own write lock.
  Transaction tx(*writer_);
  WENKU_TRY(tx.begin());
  auto st = writer_->prepare(
      "SELECT 1 FROM jobs WHERE document_id = ?1 AND kind = ?2 AND page = ?3 AND state IN ('queued', 'running')");
  st.bind(1, job.document_id).bind(2, job.kind).bind(3, job.page);
  WENKU_ASSIGN_OR_RETURN(bool pending, st.step());
  if (pending) return false;
  WENKU_TRY(enqueue_locked(job));
  WENKU_TRY(tx.commit());
  return true;
}

Result<int64_t> SqliteStore::count_jobs(JobState state) {
  auto r = reader();
  auto st = r->prepare("SELECT count(*) FROM jobs WHERE state = ?1");
  st.bind(1, job_state_name(state));
  WENKU_TRY(st.step());
  return st.int64(0);
}

Result<int64_t> SqliteStore::oldest_queued_job_at() {
  auto r = reader();
  auto st = r->prepare(
      "SELECT coalesce(min(max(created_at, run_after)), 0) FROM jobs WHERE state = 'queued' AND run_after <= ?1");
  st.bind(1, now_unix());
  WENKU_TRY(st.step());
  return st.int64(0);
}

Result<void> SqliteStore::job_changed(int64_t job_id) {
  if (writer_->changes() == 0) {
    return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) + " is not running (deleted with its document?)");
  }
  return {};
}

Result<int64_t> SqliteStore::enqueue_locked(const JobSpec& job) {
  int64_t now = now_unix();
  auto st = writer_->prepare(R"sql(
    INSERT INTO jobs (document_id, kind, priority, max_attempts, created_at, updated_at, page)
    VALUES (NULLIF(?1, 0), ?2, ?3, ?4, ?5, ?5, ?6))sql");
  st.bind(1, job.document_id).bind(2, job.kind).bind(3, job.priority).bind(4, job.max_attempts)
      .bind(5, now).bind(6, job.page);
  WENKU_TRY(st.run());
  return writer_->last_insert_id();
}

}  // namespace wenku::store
