// PostgresStore, statistics slice: the query log, daily counters and quotas, format counts.
// Counters and quotas are single upserts, so web processes on several machines share them.
#include "core/clock.h"
#include "core/strings.h"
#include "store/postgres_store_impl.h"

namespace wenku::store {

Result<std::vector<QueryCount>> PostgresStore::query_counts(const std::string& sql, const Params& params) {
  return read([&](Conn& c) -> Result<std::vector<QueryCount>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(sql, params));
    std::vector<QueryCount> out;
    for (int i = 0; i < r.size(); ++i) out.push_back({r.text(i, 0), r.int64(i, 1)});
    return out;
  });
}

Result<void> PostgresStore::log_query(const std::string& query, int64_t results, int64_t clicked_document_id) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("INSERT INTO query_log (query, results, clicked_document_id, created_at) "
                     "VALUES ($1::text, $2::bigint, $3::bigint, $4::bigint)",
                     Params().add(query).add(results).add(clicked_document_id).add(now_unix())));
    return {};
  });
}

Result<std::vector<QueryCount>> PostgresStore::popular_queries(int64_t since, int limit) {
  return query_counts(
      "SELECT query, count(*) AS n FROM query_log WHERE created_at >= $1::bigint AND clicked_document_id = 0 "
      "AND results > 0 GROUP BY query ORDER BY n DESC, query COLLATE \"C\" LIMIT $2::bigint",
      Params().add(since).add(limit));
}

Result<std::vector<QueryCount>> PostgresStore::queries_for_document(int64_t document_id, int limit) {
  return query_counts(
      "SELECT query, count(*) AS n FROM query_log WHERE clicked_document_id = $1::bigint "
      "GROUP BY query ORDER BY n DESC, query COLLATE \"C\" LIMIT $2::bigint",
      Params().add(document_id).add(limit));
}

Result<std::vector<QueryCount>> PostgresStore::suggest_queries(const std::string& prefix, int limit) {
  // left() instead of LIKE: the prefix is matched literally, % and _ included.
  return query_counts(
      "SELECT query, count(*) AS n FROM query_log WHERE left(query, length($1::text)) = $1::text "
      "AND results > 0 AND clicked_document_id = 0 GROUP BY query ORDER BY n DESC, query COLLATE \"C\" "
      "LIMIT $2::bigint",
      Params().add(prefix).add(limit));
}

Result<void> PostgresStore::prune_query_log(int64_t before) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("DELETE FROM query_log WHERE created_at < $1::bigint", Params().add(before)));
    return {};
  });
}

Result<void> PostgresStore::add_daily(const std::string& kind, int64_t n) {
  return write([&](Conn& c) -> Result<void> {
    WENKU_TRY(c.exec("INSERT INTO daily_counts (day, kind, count) VALUES ($1::bigint, $2::text, $3::bigint) "
                     "ON CONFLICT (day, kind) DO UPDATE SET count = daily_counts.count + excluded.count",
                     Params().add(now_unix() / 86400).add(kind).add(n)));
    return {};
  });
}

Result<std::vector<DayCount>> PostgresStore::daily_counts(const std::string& kind, int days) {
  int64_t from = now_unix() / 86400 - days + 1;
  std::string sql;
  Params p;
  p.add(from);
  if (kind == "upload") {
    sql = "SELECT created_at / 86400 AS day, count(*) FROM documents WHERE created_at / 86400 >= $1::bigint "
          "AND duplicate_of = 0 GROUP BY day ORDER BY day";
  } else if (kind == "failed") {
    sql = "SELECT updated_at / 86400 AS day, count(*) FROM documents WHERE status = 'failed' "
          "AND updated_at / 86400 >= $1::bigint GROUP BY day ORDER BY day";
  } else if (kind == "search") {
    sql = "SELECT created_at / 86400 AS day, count(*) FROM query_log WHERE created_at / 86400 >= $1::bigint "
          "AND clicked_document_id = 0 GROUP BY day ORDER BY day";
  } else {
    sql = "SELECT day, count FROM daily_counts WHERE day >= $1::bigint AND kind = $2::text ORDER BY day";
    p.add(kind);
  }
  return read([&](Conn& c) -> Result<std::vector<DayCount>> {
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec(sql, p));
    std::vector<DayCount> out;
    for (int i = 0; i < r.size(); ++i) out.push_back({r.int64(i, 0), r.int64(i, 1)});
    return out;
  });
}

Result<bool> PostgresStore::take_daily_quota(const std::string& subject, int64_t limit) {
  int64_t day = now_unix() / 86400;
  return write([&](Conn& c) -> Result<bool> {
    WENKU_ASSIGN_OR_RETURN(
        Rows r, c.exec("INSERT INTO daily_quota (day, subject, count) VALUES ($1::bigint, $2::text, 1) "
                       "ON CONFLICT (day, subject) DO UPDATE SET count = daily_quota.count + 1 "
                       "WHERE $3::bigint = 0 OR daily_quota.count < $3::bigint",
                       Params().add(day).add(subject).add(limit)));
    bool taken = r.affected() > 0;
    // Yesterday's counters are of no further use.
    WENKU_TRY(c.exec("DELETE FROM daily_quota WHERE day < $1::bigint", Params().add(day - 1)));
    return taken;
  });
}

Result<bool> PostgresStore::take_rate(const std::string& key, int64_t max, int64_t window_seconds) {
  const int64_t now = now_unix();
  window_seconds = std::clamp<int64_t>(window_seconds, 1, 86400);
  return write([&](Conn& c) -> Result<bool> {
    // One hit of a key at a time, across processes, so the count and the insert agree.
    WENKU_TRY(c.exec("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7))", Params().add(key)));
    WENKU_ASSIGN_OR_RETURN(Rows r, c.exec("SELECT count(*) FROM rate_hits WHERE key = $1::text AND at > $2::bigint",
                                          Params().add(key).add(now - window_seconds)));
    if (r.int64(0, 0) >= max) return false;
    WENKU_TRY(c.exec("INSERT INTO rate_hits (key, at) VALUES ($1::text, $2::bigint)", Params().add(key).add(now)));
    // Hits older than the longest window are of no further use; one in 256 calls sweeps them.
    if ((rate_calls_.fetch_add(1) & 0xff) == 0) {
      WENKU_TRY(c.exec("DELETE FROM rate_hits WHERE at <= $1::bigint", Params().add(now - 86400)));
    }
    return true;
  });
}

Result<std::vector<QueryCount>> PostgresStore::format_counts() {
  return query_counts(
      "SELECT CASE format WHEN '' THEN '?' ELSE format END AS f, count(*) AS n FROM documents "
      "WHERE duplicate_of = 0 GROUP BY f ORDER BY n DESC, (CASE format WHEN '' THEN '?' ELSE format END) COLLATE \"C\" LIMIT $1::bigint",
      Params().add(50));
}

}  // namespace wenku::store
