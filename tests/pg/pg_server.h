// A PostgreSQL server for tests: initdb into a temporary directory, pg_ctl start on a free
// loopback port (its unix socket in that directory too), pg_ctl stop and removal at the
// end. PostgreSQL refuses to run as root, so under root the server runs as `nobody`.
// The binaries come from $WENKU_PG_BINDIR, else /usr/lib/postgresql/15/bin (Debian's
// postgresql-15, installed by scripts/setup.sh).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace wenku::testing {

class PgServer {
 public:
  // Starts one, or returns nullptr with the reason in `why` (binaries missing, initdb or
  // start failed, with the end of the server's log).
  static std::unique_ptr<PgServer> start(std::string* why);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  // postgresql://wenku@127.0.0.1:PORT/DB (superuser "wenku", trust authentication).
  std::string url(const std::string& db) const;
  // Creates a new empty database and returns its URL, or "" with `why`.
  std::string create_database(const std::string& name, std::string* why);
  // Ends every connection to `db` but this call's own (a restarted server, a network cut).
  bool drop_connections(const std::string& db, std::string* why);

 private:
  PgServer() = default;
  std::filesystem::path bindir_;
  std::filesystem::path dir_;
  int port_ = 0;
  bool running_ = false;
};

// The one server of this test process, started on first use (nullptr with `why` if not).
PgServer* shared_pg_server(std::string* why);

}  // namespace wenku::testing
