// PostgresStore, jobs slice: the durable job queue shared by every worker process of a site.
// A claim locks the next runnable row with FOR UPDATE SKIP LOCKED, so workers on several
// machines take different jobs without waiting on each other; a lease that runs out (its
// worker died) makes the job claimable again. Times are the database server's clock, the
// one clock every machine shares.
#include "core/clock.h"
#include "core/strings.h"
#include "store/postgres_store_impl.h"

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

Job read_job(const Rows& s, int row) {
  Job j;
  j.id = s.int64(row, 0);
  j.kind = s.text(row, 1);
  j.document_id = s.int64(row, 2);
  j.priority = s.integer(row, 3);
  j.attempts = s.integer(row, 4);
  j.max_attempts = s.integer(row, 5);
  j.state = parse_job_state(s.text(row, 6));
  j.error = s.text(row, 7);
  j.progress = s.real(row, 8);
  j.page = s.integer(row, 9);
  return j;
}

constexpr std::string_view kJobColumns =
    "id, kind, COALESCE(document_id, 0), priority, attempts, max_attempts, state, error, progress, page";

// The server's clock in Unix seconds.
constexpr std::string_view kNow = "floor(extract(epoch FROM clock_timestamp()))::bigint";

Error not_running(int64_t job_id) {
  return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) + " is not running (deleted with its document?)");
}

}  // namespace

Result<int64_t> PostgresStore::enqueue_job(const JobSpec& job) {
  return write([&](Conn& c) { return enqueue_in(c, job); });
}

Result<std::optional<Job>> PostgresStore::claim_job(const std::string& worker, const std::vector<std::string>& kinds,
                                                    int lease_seconds) {
  std::string kinds_csv;
  for (const auto& k : kinds) kinds_csv += "," + k;
  kinds_csv += ",";
  // Runnable: queued and due, or running with an expired lease. The first of each kind is
  // read in (priority, id) order from the jobs_queue index, skipping rows another claim
  // holds, and the better of the two taken (as in the SQLite store).
  const std::string kNowSql(kNow);
  std::string sql = R"sql(
    WITH queued AS (
      SELECT id, priority FROM jobs
      WHERE state = 'queued' AND run_after <= )sql" + kNowSql + R"sql(
        AND ($3::text = ',' OR strpos($3::text, ',' || kind || ',') > 0)
      ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED),
    expired AS (
      SELECT id, priority FROM jobs
      WHERE state = 'running' AND lease_until < )sql" + kNowSql + R"sql(
        AND ($3::text = ',' OR strpos($3::text, ',' || kind || ',') > 0)
      ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED),
    pick AS (
      SELECT id FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) both_kinds
      ORDER BY priority, id LIMIT 1)
    UPDATE jobs SET state = 'running', worker = $1::text, lease_until = )sql" + kNowSql + R"sql( + $2::bigint,
      attempts = attempts + 1, updated_at = )sql" + kNowSql + R"sql(
    WHERE id = (SELECT id FROM pick)
    RETURNING )sql" + std::string(kJobColumns);
  return write([&](Conn& c) -> Result<std::optional<Job>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(sql, Params().add(worker).add(lease_seconds).add(kinds_csv)));
    if (r.empty()) return std::optional<Job>{};
    return std::optional<Job>{read_job(r, 0)};
  });
}

Result<void> PostgresStore::renew_job(int64_t job_id, const std::string& worker, int lease_seconds,
                                      double progress) {
  const std::string kNowSql(kNow);
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(
        Rows r, c.exec("UPDATE jobs SET lease_until = " + kNowSql + " + $3::bigint, progress = $4::double precision, "
                       "updated_at = " + kNowSql + " WHERE id = $1::bigint AND worker = $2::text AND state = 'running'",
                       Params().add(job_id).add(worker).add(lease_seconds).add(progress)));
    if (r.affected() == 0) {
      return make_error(ErrorCode::kConflict, "job " + std::to_string(job_id) + " is no longer leased to " + worker);
    }
    return {};
  });
}

// Only a running job is completed or failed (see the SQLite store: a job deleted with its
// document must not be marked under another's id).
Result<void> PostgresStore::complete_job(int64_t job_id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("UPDATE jobs SET state = 'done', progress = 1, error = '', "
                                          "updated_at = $2::bigint WHERE id = $1::bigint AND state = 'running'",
                                          Params().add(job_id).add(now_unix())));
    if (r.affected() == 0) return not_running(job_id);
    return {};
  });
}

Result<void> PostgresStore::fail_job(int64_t job_id, const std::string& error, int64_t retry_at) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_ASSIGN_OR_RETURN(
        Rows r, c.exec("UPDATE jobs SET state = $2::text, error = $3::text, run_after = $4::bigint, lease_until = 0, "
                       "updated_at = $5::bigint WHERE id = $1::bigint AND state = 'running'",
                       Params().add(job_id).add(retry_at > 0 ? "queued" : "failed").add(error).add(retry_at)
                           .add(now_unix())));
    if (r.affected() == 0) return not_running(job_id);
    return {};
  });
}

Result<std::vector<Job>> PostgresStore::jobs_of(int64_t document_id) {
  return read([&](Conn& c) -> Result<std::vector<Job>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT " + std::string(kJobColumns) +
                                              " FROM jobs WHERE document_id = $1::bigint ORDER BY id",
                                          Params().add(document_id)));
    std::vector<Job> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(read_job(r, i));
    return out;
  });
}

Result<std::vector<std::pair<Job, std::string>>> PostgresStore::running_jobs() {
  return read([&](Conn& c) -> Result<std::vector<std::pair<Job, std::string>>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT " + std::string(kJobColumns) +
                                          ", worker FROM jobs WHERE state = 'running' ORDER BY id"));
    std::vector<std::pair<Job, std::string>> out;
    for (int i = 0; i < r.size(); ++i) out.emplace_back(read_job(r, i), r.text(i, 10));
    return out;
  });
}

Result<void> PostgresStore::release_job(int64_t job_id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("UPDATE jobs SET state = 'queued', lease_until = 0, worker = '', run_after = 0 "
                     "WHERE id = $1::bigint AND state = 'running'",
                     Params().add(job_id)));
    return {};
  });
}

Result<void> PostgresStore::defer_job(int64_t job_id, const std::string& error, int64_t retry_at) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("UPDATE jobs SET state = 'queued', lease_until = 0, worker = '', run_after = $3::bigint, "
                     "error = $2::text, attempts = GREATEST(attempts - 1, 0), updated_at = $4::bigint "
                     "WHERE id = $1::bigint AND state = 'running'",
                     Params().add(job_id).add(error).add(retry_at).add(now_unix())));
    return {};
  });
}

Result<bool> PostgresStore::hurry_job(const std::string& kind, int64_t document_id, int priority) {
  return write([&](Conn& c) -> Result<bool> {
    const int64_t now = now_unix();
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("UPDATE jobs SET priority = LEAST(priority, $3::integer), "
                                          "run_after = LEAST(run_after, $4::bigint), updated_at = $4::bigint "
                                          "WHERE kind = $1::text AND document_id = $2::bigint AND state = 'queued'",
                                          Params().add(kind).add(document_id).add(priority).add(now)));
    return r.affected() > 0;
  });
}

Result<bool> PostgresStore::enqueue_job_once(const JobSpec& job) {
  return write([&](Conn& c) -> Result<bool> {
    // Two web processes asking at once: the advisory lock of this transaction (keyed by the
    // kind, document and page) makes the second see the first's row.
    WENKU_TRY(c.exec("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 11))",
                     Params().add(job.kind + ":" + std::to_string(job.document_id) + ":" + std::to_string(job.page))));
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT 1 FROM jobs WHERE document_id = $1::bigint AND kind = $2::text "
                                          "AND page = $3::integer AND state IN ('queued', 'running')",
                                          Params().add(job.document_id).add(job.kind).add(job.page)));
    if (!r.empty()) return false;
    WENKU_TRY(enqueue_in(c, job));
    return true;
  });
}

Result<int64_t> PostgresStore::count_jobs(JobState state) {
  return read([&](Conn& c) -> Result<int64_t> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT count(*) FROM jobs WHERE state = $1::text",
                                          Params().add(job_state_name(state))));
    return r.int64(0, 0);
  });
}

Result<int64_t> PostgresStore::oldest_queued_job_at() {
  return read([&](Conn& c) -> Result<int64_t> {
    std::string sql = "SELECT coalesce(min(greatest(created_at, run_after)), 0) FROM jobs "
                      "WHERE state = 'queued' AND run_after <= ";
    sql += kNow;
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(sql));
    return r.int64(0, 0);
  });
}

Result<int64_t> PostgresStore::enqueue_in(Conn& c, const JobSpec& job) {
  WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(R"sql(
    INSERT INTO jobs (document_id, kind, priority, max_attempts, created_at, updated_at, page)
    VALUES (NULLIF($1::bigint, 0), $2::text, $3::integer, $4::integer, $5::bigint, $5::bigint, $6::integer)
    RETURNING id)sql",
                                        Params().add(job.document_id).add(job.kind).add(job.priority)
                                            .add(job.max_attempts).add(now_unix()).add(job.page)));
  return r.int64(0, 0);
}

}  // namespace wenku::store
