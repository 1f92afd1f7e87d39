// s3rver and the fault proxy as child processes of the test (see s3_server.h).
#include "s3/s3_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "support/test_support.h"

extern char** environ;

namespace wenku::testing {

namespace fs = std::filesystem;

std::unique_ptr<Child> Child::start(const std::vector<std::string>& argv, std::string* first_line,
                                    std::string* why) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    *why = "pipe failed";
    return nullptr;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    *why = "cannot start " + argv[0];
    return nullptr;
  }
  std::unique_ptr<Child> c(new Child());
  c->pid_ = pid;
  c->in_ = in[1];
  c->out_ = out[0];
  std::string line;
  char ch;
  while (::read(c->out_, &ch, 1) == 1 && ch != '\n') line += ch;
  if (line.empty()) {
    *why = argv[0] + " printed nothing";
    c->stop();
    return nullptr;
  }
  *first_line = line;
  return c;
}

std::string Child::stop() {
  std::string rest;
  if (pid_ < 0) return rest;
  if (in_ >= 0) ::close(in_);
  in_ = -1;
  char buf[256];
  ssize_t n;
  // The child prints its last lines and exits; a stuck one is killed.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int flags = ::fcntl(out_, F_GETFL);
  ::fcntl(out_, F_SETFL, flags | O_NONBLOCK);
  int status = 0;
  for (;;) {
    while ((n = ::read(out_, buf, sizeof buf)) > 0) rest.append(buf, static_cast<size_t>(n));
    if (::waitpid(pid_, &status, WNOHANG) == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  while ((n = ::read(out_, buf, sizeof buf)) > 0) rest.append(buf, static_cast<size_t>(n));
  ::close(out_);
  out_ = -1;
  pid_ = -1;
  return rest;
}

Child::~Child() { stop(); }

std::unique_ptr<S3Server> S3Server::start(std::string* why) {
  fs::path launcher = source_dir() / "tests" / "s3" / "s3rver_launcher.js";
  if (!fs::exists(source_dir() / "tests" / "s3" / "node_modules" / "s3rver")) {
    *why = "s3rver is not installed: run scripts/setup.sh (npm ci in tests/s3)";
    return nullptr;
  }
  std::unique_ptr<S3Server> s(new S3Server());
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/wenku-s3rver-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    *why = "mkdtemp failed";
    return nullptr;
  }
  s->dir_ = buf.data();
  std::string line;
  // s3rver makes its continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  s->child_ = Child::start(
      {"node", "--openssl-legacy-provider", launcher.string(), s->dir_.string(), "wenku-test"}, &line, why);
  if (!s->child_ || line.rfind("PORT ", 0) != 0) {
    if (why->empty()) *why = "s3rver did not start: " + line;
    return nullptr;
  }
  s->port_ = std::atoi(line.c_str() + 5);
  return s;
}

S3Server::~S3Server() {
  if (child_) child_->stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

S3Server* shared_s3_server(std::string* why) {
  static std::string reason;
  static std::unique_ptr<S3Server> server = S3Server::start(&reason);
  if (!server) *why = reason;
  return server.get();
}

fs::path write_s3_credentials(const fs::path& dir, const std::string& id, const std::string& secret) {
  static int n = 0;
  fs::path p = dir / ("aws-credentials-" + std::to_string(++n));
  std::ofstream out(p);
  out << "[other]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n\n"
      << "[default]\naws_access_key_id = " << id << "\naws_secret_access_key = " << secret << "\n";
  return p;
}

}  // namespace wenku::testing
