// Test helpers that run s3rver (tests/s3/node_modules, from tests/s3/package-lock.json) and
// the fault-injecting proxy as child processes on free loopback ports. Each child stops when
// its standard input closes, so none outlives the test process.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wenku::testing {

// A child process whose stdin we hold and whose first stdout line we read.
class Child {
 public:
  // Starts argv; returns nullopt (with `why`) when it cannot start or prints no first line.
  static std::unique_ptr<Child> start(const std::vector<std::string>& argv, std::string* first_line,
                                      std::string* why);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Closes stdin, waits (then SIGKILL after 5 s); returns the rest of stdout.
  std::string stop();

 private:
  Child() = default;
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
};

// s3rver in its own temporary directory with bucket "wenku-test", credentials S3RVER/S3RVER.
class S3Server {
 public:
  // Starts it, or returns nullptr with a reason to skip (not installed) in `why`.
  static std::unique_ptr<S3Server> start(std::string* why);
  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  ~S3Server();

 private:
  std::unique_ptr<Child> child_;
  std::filesystem::path dir_;
  int port_ = 0;
};

// The one server of this test process, started on first use (nullptr with `why` if not).
S3Server* shared_s3_server(std::string* why);

// Writes an ~/.aws/credentials style file with the given keys into `dir`.
std::filesystem::path write_s3_credentials(const std::filesystem::path& dir, const std::string& id,
                                           const std::string& secret);

}  // namespace wenku::testing
