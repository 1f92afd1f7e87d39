// PostgreSQL implementation of MetadataStore: opening and migrating, backup, and the
// factory. The interface's slices are in postgres_store_*.cpp (postgres_store_impl.h lists
// them).
#include "store/postgres_store.h"

#include "core/strings.h"
#include "store/postgres_store_impl.h"

namespace wenku::store {

Result<void> PostgresStore::init() {
  // The first connection tells at once whether the URL is good and the server answers.
  WENKU_ASSIGN_OR_RETURN(auto lease, pool_.acquire());
  return postgres_migrate(*lease);
}

// A snapshot of every table, as of one moment (a REPEATABLE READ transaction on this
// store), copied with COPY into a new database at `url` inside one transaction there that
// also creates the schema: the copy is whole or absent. The identity sequences follow, so a
// restored store never hands out a number this one already gave.
Result<void> PostgresStore::backup_to(const std::string& url) {
  if (!starts_with(url, "postgresql://") && !starts_with(url, "postgres://")) {
    return make_error(ErrorCode::kInvalidArgument,
                      "metadata_url is a PostgreSQL database: back it up with PostgreSQL's own tools (pg_dump, "
                      "pg_basebackup); it copies only into another PostgreSQL database, not into " +
                          url.substr(0, url.find("://")) + "://");
  }
  WENKU_ASSIGN_OR_RETURN(auto target, Conn::open(url));
  WENKU_ASSIGN_OR_RETURN(auto source, pool_.acquire());
  auto copied = [&]() -> Result<void> {
    WENKU_TRY(source->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    WENKU_TRY(target->exec("BEGIN"));
    WENKU_TRY(target->exec("SELECT pg_advisory_xact_lock($1::bigint)", Params().add(int64_t{0x77656e6b75})));
    WENKU_ASSIGN_OR_RETURN(Rows there, target->exec("SELECT to_regclass('wenku_schema') IS NOT NULL"));
    if (there.boolean(0, 0)) {
      return make_error(ErrorCode::kAlreadyExists, "a wenku store already exists at the backup's database " +
                                                       target->where());
    }
    WENKU_TRY(target->exec_script("CREATE TABLE wenku_schema (version INTEGER NOT NULL)"));
    for (auto m : postgres_migrations()) WENKU_TRY(target->exec_script(std::string(m)));
    WENKU_TRY(target->exec("INSERT INTO wenku_schema (version) VALUES ($1::integer)",
                           Params().add(static_cast<int>(postgres_migrations().size()))));
    for (auto table : postgres_tables()) {
      std::string t(table);
      WENKU_TRY(target->copy_in_begin("COPY " + t + " FROM STDIN"));
      auto out = source->copy_out("COPY " + t + " TO STDOUT",
                                  [&](std::string_view chunk) { return target->copy_in_put(chunk); });
      if (!out.ok()) return out;
      WENKU_TRY(target->copy_in_end());
      WENKU_ASSIGN_OR_RETURN(Rows seq, source->exec(
                                           "SELECT pg_get_serial_sequence(table_name, 'id') FROM information_schema.columns "
                                           "WHERE table_schema = current_schema() AND table_name = $1::text "
                                           "AND column_name = 'id'",
                                           Params().add(t)));
      if (seq.empty() || seq.is_null(0, 0)) continue;
      std::string name = seq.text(0, 0);
      // NULL until the sequence was first used: then the copy starts it afresh too.
      WENKU_ASSIGN_OR_RETURN(Rows last, source->exec("SELECT pg_sequence_last_value($1::regclass)", Params().add(name)));
      if (last.empty() || last.is_null(0, 0)) continue;
      WENKU_TRY(target->exec("SELECT setval($1::regclass, $2::bigint, true)", Params().add(name).add(last.int64(0, 0))));
    }
    WENKU_TRY(target->exec("COMMIT"));
    return {};
  }();
  if (!copied.ok()) (void)target->exec("ROLLBACK");
  (void)source->exec(copied.ok() ? "COMMIT" : "ROLLBACK");
  return copied;
}

Result<std::unique_ptr<MetadataStore>> open_postgres_store(const std::string& url, int connections) {
  auto s = std::make_unique<PostgresStore>(url, connections);
  WENKU_TRY(s->init());
  return std::unique_ptr<MetadataStore>(std::move(s));
}

}  // namespace wenku::store
