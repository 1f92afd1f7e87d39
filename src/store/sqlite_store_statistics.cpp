// SqliteStore, statistics slice: the query log, daily counters and quotas, format counts.
#include "store/sqlite_store_impl.h"

#include <algorithm>

#include "core/clock.h"
#include "core/strings.h"

namespace wenku::store {

template <typename Bind>
Result<std::vector<QueryCount>> SqliteStore::query_counts(const char* sql, Bind bind) {
  auto r = reader();
  auto st = r->prepare(sql);
  bind(st);
  std::vector<QueryCount> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back({st.text(0), st.int64(1)});
  }
  return out;
}

Result<void> SqliteStore::log_query(const std::string& query, int64_t results, int64_t clicked_document_id) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "INSERT INTO query_log (query, results, clicked_document_id, created_at) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, query).bind(2, results).bind(3, clicked_document_id).bind(4, now_unix());
  return st.run();
}

Result<std::vector<QueryCount>> SqliteStore::popular_queries(int64_t since, int limit) {
  return query_counts(
      "SELECT query, count(*) AS n FROM query_log WHERE created_at >= ?1 AND clicked_document_id = 0 "
      "AND results > 0 GROUP BY query ORDER BY n DESC, query LIMIT ?2",
      [&](Statement& st) { st.bind(1, since).bind(2, limit); });
}

Result<std::vector<QueryCount>> SqliteStore::queries_for_document(int64_t document_id, int limit) {
  return query_counts(
      "SELECT query, count(*) AS n FROM query_log WHERE clicked_document_id = ?1 "
      "GROUP BY query ORDER BY n DESC, query LIMIT ?2",
      [&](Statement& st) { st.bind(1, document_id).bind(2, limit); });
}

Result<std::vector<QueryCount>> SqliteStore::suggest_queries(const std::string& prefix, int limit) {
  // substr() instead of LIKE: the prefix is matched literally, % and _ included.
  return query_counts(
      "SELECT query, count(*) AS n FROM query_log WHERE substr(query, 1, length(?1)) = ?1 "
      "AND results > 0 AND clicked_document_id = 0 GROUP BY query ORDER BY n DESC, query LIMIT ?2",
      [&](Statement& st) { st.bind(1, prefix).bind(2, limit); });
}

Result<void> SqliteStore::prune_query_log(int64_t before) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare("DELETE FROM query_log WHERE created_at < ?1");
  st.bind(1, before);
  return st.run();
}

Result<void> SqliteStore::add_daily(const std::string& kind, int64_t n) {
  std::lock_guard lock(write_mu_);
  auto st = writer_->prepare(
      "INSERT INTO daily_counts (day, kind, count) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (day, kind) DO UPDATE SET count = count + excluded.count");
  st.bind(1, now_unix() / 86400).bind(2, kind).bind(3, n);
  return st.run();
}

Result<std::vector<DayCount>> SqliteStore::daily_counts(const std::string& kind, int days) {
  auto r = reader();
  int64_t from = now_unix() / 86400 - days + 1;
  std::string sql;
  if (kind == "upload") {
    sql = "SELECT created_at / 86400 AS day, count(*) FROM documents WHERE created_at / 86400 >= ?1 "
          "AND duplicate_of = 0 GROUP BY day ORDER BY day";
  } else if (kind == "failed") {
    sql = "SELECT updated_at / 86400 AS day, count(*) FROM documents WHERE status = 'failed' "
          "AND updated_at / 86400 >= ?1 GROUP BY day ORDER BY day";
  } else if (kind == "search") {
    sql = "SELECT created_at / 86400 AS day, count(*) FROM query_log WHERE created_at / 86400 >= ?1 "
          "AND clicked_document_id = 0 GROUP BY day ORDER BY day";
  } else {
    sql = "SELECT day, count FROM daily_counts WHERE day >= ?1 AND kind = ?2 ORDER BY day";
  }
  auto st = r->prepare(sql);
  st.bind(1, from);
  if (sql.find("?2") != std::string::npos) st.bind(2, kind);
  std::vector<DayCount> out;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back({st.int64(0), st.int64(1)});
  }
  return out;
}

Result<bool> SqliteStore::take_daily_quota(const std::string& subject, int64_t limit) {
  std::lock_guard lock(write_mu_);
  int64_t day = now_unix() / 86400;
  auto st = writer_->prepare(
      "INSERT INTO daily_quota (day, subject, count) VALUES (?1, ?2, 1) "
      "ON CONFLICT (day, subject) DO UPDATE SET count = count + 1 WHERE ?3 = 0 OR count < ?3");
  st.bind(1, day).bind(2, subject).bind(3, limit);
  WENKU_TRY(st.run());
  bool taken = writer_->changes() > 0;
  // Yesterday's counters are of no further use.
  auto purge = writer_->prepare("DELETE FROM daily_quota WHERE day < ?1");
  purge.bind(1, day - 1);
  WENKU_TRY(purge.run());
  return taken;
}

Result<bool> SqliteStore::take_rate(const std::string& key, int64_t max, int64_t window_seconds) {
  std::lock_guard lock(write_mu_);
  const int64_t now = now_unix();
  window_seconds = std::clamp<int64_t>(window_seconds, 1, 86400);
  Transaction tx(*writer_);
  WENKU_TRY(tx.begin());
  auto count = writer_->prepare("SELECT count(*) FROM rate_hits WHERE key = ?1 AND at > ?2");
  count.bind(1, key).bind(2, now - window_seconds);
  WENKU_ASSIGN_OR_RETURN(bool row, count.step());
  if (row && count.int64(0) >= max) return false;  // the transaction rolls back: nothing written
  auto add = writer_->prepare("INSERT INTO rate_hits (key, at) VALUES (?1, ?2)");
  add.bind(1, key).bind(2, now);
  WENKU_TRY(add.run());
  // Hits older than the longest window are of no further use; one in 256 calls sweeps them.
  if ((++rate_calls_ & 0xff) == 0) {
    auto purge = writer_->prepare("DELETE FROM rate_hits WHERE at <= ?1");
    purge.bind(1, now - 86400);
    WENKU_TRY(purge.run());
  }
  WENKU_TRY(tx.commit());
  return true;
}

Result<std::vector<QueryCount>> SqliteStore::format_counts() {
  return query_counts(
      "SELECT CASE format WHEN '' THEN '?' ELSE format END AS f, count(*) AS n FROM documents "
      "WHERE duplicate_of = 0 GROUP BY f ORDER BY n DESC, f LIMIT ?1",
      [&](Statement& st) { st.bind(1, 50); });
}

}  // namespace wenku::store
