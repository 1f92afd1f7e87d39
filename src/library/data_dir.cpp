// Data directory layout, per-process scratch space and the directory lock.
#include "library/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace wenku::library {

namespace fs = std::filesystem;

Result<void> prepare_data_dir(const DataDir& dir) {
  std::error_code ec;
  for (const auto& p : {dir.root, dir.blobs(), dir.index(), dir.tmp(), dir.work()}) {
    fs::create_directories(p, ec);
    if (ec) {
      return keyed_error(ErrorCode::kIo, "library.cannot_create_data_dir", {{"path", p.string()}, {"detail", ec.message()}});
    }
  }
  return {};
}

Result<std::unique_ptr<ScratchDir>> ScratchDir::create(const fs::path& tmp_root) {
  std::random_device rd;
  std::string name = std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
  fs::path p = tmp_root / name;
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create " + p.string() + ": " + ec.message());
  int fd = ::open((p / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (fd >= 0) ::close(fd);
    return make_error(ErrorCode::kIo, "cannot lock " + p.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<ScratchDir>(new ScratchDir(p, fd));
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
  ::close(lock_fd_);
}

fs::path ScratchDir::new_file(std::string_view suffix) {
  return path_ / ("f" + std::to_string(++counter_) + std::string(suffix));
}

int clean_dead_scratch(const fs::path& tmp_root) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tmp_root, ec)) {
    if (!entry.is_directory()) {
      fs::remove(entry.path(), ec);
      continue;
    }
    int fd = ::open((entry.path() / ".lock").c_str(), O_RDWR | O_CLOEXEC);
    bool dead = fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (dead) {
      fs::remove_all(entry.path(), ec);
      ++removed;
    }
    if (fd >= 0) ::close(fd);
  }
  return removed;
}

Result<std::unique_ptr<DataLock>> DataLock::acquire(const DataDir& dir, Mode mode) {
  int fd = ::open((dir.root / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot open the data directory lock: " + std::string(std::strerror(errno)));
  int op = mode == Mode::kShared ? LOCK_SH : (LOCK_EX | LOCK_NB);
  if (::flock(fd, op) != 0) {
    ::close(fd);
    if (mode == Mode::kExclusive && errno == EWOULDBLOCK) return std::unique_ptr<DataLock>{};
    return make_error(ErrorCode::kIo, "cannot lock the data directory: " + std::string(std::strerror(errno)));
  }
  return std::unique_ptr<DataLock>(new DataLock(fd));
}

DataLock::~DataLock() { ::close(fd_); }

}  // namespace wenku::library
