// SQLite implementation of MetadataStore: opening and migrating the file, the pool of reader
// connections (WAL lets them read while the writer writes), backup, and the factory. The
// interface's slices are in sqlite_store_*.cpp (sqlite_store_impl.h lists them).
#include "store/sqlite_store.h"

#include "core/strings.h"
#include "sqlite/backup.h"
#include "store/migrations.h"
#include "store/postgres_store.h"
#include "store/sqlite_store_impl.h"

namespace wenku::store {

bool ListingRule::admits(const Document& d) const {
  return (!status || d.status == *status) && (!visibility || d.visibility == *visibility) &&
         (include_hidden || !d.hidden) && d.duplicate_of == 0;
}

std::string_view status_name(DocumentStatus s) {
  switch (s) {
    case DocumentStatus::kProcessing: return "processing";
    case DocumentStatus::kReady: return "ready";
    case DocumentStatus::kFailed: return "failed";
  }
  return "processing";
}

namespace {

// A connection of the store: WAL for concurrent readers; synchronous=NORMAL: every commit
// survives the process being killed, and the writes that acknowledge an upload switch to FULL
// so they also survive a power loss (see SqliteStore::create_document); foreign keys so no
// page, job or tag outlives its document.
Result<std::unique_ptr<Connection>> open_connection(const std::string& path) {
  WENKU_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Connection::open(path));
  WENKU_TRY(c->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return c;
}

}  // namespace

Result<void> SqliteStore::init() {
  WENKU_ASSIGN_OR_RETURN(writer_, open_connection(path_));
  return migrate(*writer_);
}

SqliteStore::ReaderLease SqliteStore::reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return ReaderLease(*this, std::move(c));
    }
  }
  auto c = open_connection(path_);
  if (!c.ok()) throw std::runtime_error("cannot open a reader connection: " + c.error().message);
  return ReaderLease(*this, std::move(c).value());
}

Result<void> SqliteStore::backup_to(const std::string& url) {
  constexpr std::string_view kScheme = "sqlite://";
  if (!starts_with(url, kScheme)) {
    return make_error(ErrorCode::kInvalidArgument, "a SQLite store backs up into a SQLite store, not " + url);
  }
  // A reader of the pool is the source: the backup reads the file in one read transaction,
  // and writers go on meanwhile (WAL).
  auto r = reader();
  return sqlite::backup_to_file(*r, url.substr(kScheme.size()));
}

std::string_view visibility_name(Visibility v) {
  switch (v) {
    case Visibility::kPublic: return "public";
    case Visibility::kUnlisted: return "unlisted";
    case Visibility::kPrivate: return "private";
  }
  return "public";
}

Visibility parse_visibility(std::string_view s) {
  if (s == "unlisted") return Visibility::kUnlisted;
  if (s == "private") return Visibility::kPrivate;
  return Visibility::kPublic;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kMember: return "member";
    case Role::kModerator: return "moderator";
    case Role::kAdmin: return "admin";
  }
  return "member";
}

Role parse_role(std::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "moderator") return Role::kModerator;
  return Role::kMember;
}

Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::string& path) {
  auto s = std::make_unique<SqliteStore>(path);
  WENKU_TRY(s->init());
  return std::unique_ptr<MetadataStore>(std::move(s));
}

Result<std::unique_ptr<MetadataStore>> open_metadata_store(const std::string& url, int connections) {
  constexpr std::string_view kScheme = "sqlite://";
  if (starts_with(url, kScheme)) return open_sqlite_store(url.substr(kScheme.size()));
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    return open_postgres_store(url, connections);
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "metadata_url: unsupported URL (expected postgresql://user:pass@host:port/db, or empty for the "
                    "embedded SQLite file): " + url.substr(0, url.find(':')) + ":...");
}

}  // namespace wenku::store
