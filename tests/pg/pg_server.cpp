// PostgreSQL for tests (see pg_server.h).
#include "pg/pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/test_support.h"

namespace wenku::testing {

namespace fs = std::filesystem;

namespace {

// A port nobody listens on now (the server binds it a moment later).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// Who runs the server: this user, or `nobody` when this is root.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

RunAs run_as() {
  RunAs r;
  if (::geteuid() != 0) return r;
  const passwd* pw = ::getpwnam("nobody");
  r.drop = true;
  r.uid = pw ? pw->pw_uid : 65534;
  r.gid = pw ? pw->pw_gid : 65534;
  return r;
}

// Runs argv (as `who`), its output appended to `log`; returns the exit status.
int run(const std::vector<std::string>& argv, const RunAs& who, const fs::path& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (who.drop) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) ::_exit(126);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string tail_of(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 1500 ? s.substr(s.size() - 1500) : s;
}

// A base directory the server's user can reach: $TMPDIR when every level of it lets
// others through, else /tmp.
fs::path temp_base() {
  const char* t = std::getenv("TMPDIR");
  if (!t || !*t) return "/tmp";
  for (fs::path p = fs::absolute(t); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return "/tmp";
  }
  return t;
}

bool exec_sql(const std::string& url, const std::string& sql, std::string* why) {
  PGconn* c = PQconnectdb(url.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (!ok) {
    *why = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) *why = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return ok;
}


// initdb takes seconds, and every test of a suite runs in its own process: the first one
// keeps a copy of its fresh cluster in the build tree (pg-template, under a lock) and the
// others copy that. server.log is opened by pg_ctl as the server's user; the output of our
// children goes to files this process opens.
bool make_cluster(const fs::path& bindir, const fs::path& data, const RunAs& who, std::string* why) {
  fs::path tmpl = binary_dir() / "pg-template";
  int lock = ::open((binary_dir() / "pg-template.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() { if (fd >= 0) ::close(fd); }
  } unlock{lock};
  std::error_code ec;
  if (lock >= 0 && fs::exists(tmpl / "PG_VERSION")) {
    fs::copy(tmpl, data, fs::copy_options::recursive, ec);
    // PostgreSQL refuses a data directory others may read; a copy takes the umask's mode.
    if (!ec) fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (!ec && who.drop) {
      if (::chown(data.c_str(), who.uid, who.gid) != 0) ec = std::make_error_code(std::errc::permission_denied);
      for (auto it = fs::recursive_directory_iterator(data, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (::lchown(it->path().c_str(), who.uid, who.gid) != 0) ec = std::make_error_code(std::errc::permission_denied);
      }
    }
    if (!ec) return true;
    fs::remove_all(data, ec);
  }
  fs::path initdb_log = data.parent_path() / "initdb.log";
  if (run({(bindir / "initdb").string(), "-D", data.string(), "-U", "wenku", "--auth=trust", "-E", "UTF8",
           "--locale=C", "--no-sync"},
          who, initdb_log) != 0) {
    *why = "initdb failed:\n" + tail_of(initdb_log);
    return false;
  }
  if (lock >= 0) {
    fs::path partial = tmpl.string() + ".partial";
    fs::remove_all(partial, ec);
    fs::remove_all(tmpl, ec);
    fs::copy(data, partial, fs::copy_options::recursive, ec);
    if (!ec) fs::rename(partial, tmpl, ec);
  }
  return true;
}

}  // namespace

std::unique_ptr<PgServer> PgServer::start(std::string* why) {
  std::unique_ptr<PgServer> s(new PgServer());
  const char* env = std::getenv("WENKU_PG_BINDIR");
  s->bindir_ = env && *env ? fs::path(env) : fs::path("/usr/lib/postgresql/15/bin");
  if (!fs::exists(s->bindir_ / "initdb") || !fs::exists(s->bindir_ / "pg_ctl")) {
    *why = "PostgreSQL 15 is not installed (no initdb/pg_ctl in " + s->bindir_.string() +
           "): run scripts/setup.sh (Debian postgresql-15) or set WENKU_PG_BINDIR";
    return nullptr;
  }
  std::string pattern = (temp_base() / "wenku-pg-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    *why = "mkdtemp failed";
    return nullptr;
  }
  s->dir_ = pattern;
  RunAs who = run_as();
  if (who.drop && ::chown(s->dir_.c_str(), who.uid, who.gid) != 0) {
    *why = "cannot hand " + s->dir_.string() + " to nobody";
    return nullptr;
  }
  fs::path data = s->dir_ / "data";
  fs::path log = s->dir_ / "server.log";
  if (!make_cluster(s->bindir_, data, who, why)) return nullptr;
  for (int attempt = 0; attempt < 3 && !s->running_; ++attempt) {
    s->port_ = free_port();
    std::string opts = "-p " + std::to_string(s->port_) + " -k '" + s->dir_.string() +
                       "' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                       " -c full_page_writes=off -c max_connections=200";
    s->running_ = run({(s->bindir_ / "pg_ctl").string(), "-D", data.string(), "-l", log.string(), "-w", "-t", "60",
                       "-o", opts, "start"},
                      who, s->dir_ / "pg_ctl.log") == 0;
  }
  if (!s->running_) {
    *why = "pg_ctl start failed:\n" + tail_of(s->dir_ / "pg_ctl.log") + tail_of(log);
    return nullptr;
  }
  return s;
}

PgServer::~PgServer() {
  if (running_) {
    run({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"}, run_as(),
        dir_ / "pg_ctl.log");
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string PgServer::url(const std::string& db) const {
  return "postgresql://wenku@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string PgServer::create_database(const std::string& name, std::string* why) {
  if (!exec_sql(url("postgres"), "CREATE DATABASE \"" + name + "\"", why)) return "";
  return url(name);
}

bool PgServer::drop_connections(const std::string& db, std::string* why) {
  return exec_sql(url("postgres"),
                  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db +
                      "' AND pid != pg_backend_pid()",
                  why);
}

PgServer* shared_pg_server(std::string* why) {
  static std::string reason;
  static std::unique_ptr<PgServer> server = PgServer::start(&reason);
  if (!server) *why = reason;
  return server.get();
}

}  // namespace wenku::testing
