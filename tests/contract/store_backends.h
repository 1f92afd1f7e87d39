// The two MetadataStore backends the store contract suites run over (typed tests). Each gives
// the URL of a store that belongs to one temporary directory (the same URL for the same
// directory, a fresh empty store for a new one), or "" with `why`.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "pg/pg_server.h"

#include "store/metadata_store.h"

namespace wenku::store {

// The rule the suites list by: what the library's policy calls listed (library/policy.cpp).
inline const ListingRule kListed{DocumentStatus::kReady, Visibility::kPublic, false};

}  // namespace wenku::store

namespace wenku::store::contract {

struct SqliteBackend {
  static std::string url(const std::filesystem::path& dir, std::string* /*why*/) {
    return "sqlite://" + (dir / "wenku.db").string();
  }
  // Nothing to cut: the embedded store has no connections to lose.
  static bool drop_connections(const std::filesystem::path& /*dir*/, std::string* /*why*/) { return true; }
};

// PostgreSQL started by the test (tests/pg), one database per temporary directory, named
// `Suite::kDatabasePrefix` and a number: suites running at once in other processes against the
// same server never share a database. Without the binaries the cases fail, saying so: CI
// installs them with scripts/setup.sh.
template <typename Suite>
struct PostgresBackendOf {
  static std::string url(const std::filesystem::path& dir, std::string* why) {
    auto* server = testing::shared_pg_server(why);
    if (!server) return {};
    static std::map<std::string, std::string> urls;
    auto& url = urls[dir.string()];
    if (url.empty()) url = server->create_database(Suite::kDatabasePrefix + std::to_string(urls.size()), why);
    return url;
  }
  static bool drop_connections(const std::filesystem::path& dir, std::string* why) {
    auto* server = testing::shared_pg_server(why);
    if (server == nullptr) return false;
    std::string ignored;
    const std::string u = url(dir, &ignored);
    return server->drop_connections(Suite::kDatabasePrefix + u.substr(u.rfind('_') + 1), why);
  }
};

}  // namespace wenku::store::contract
