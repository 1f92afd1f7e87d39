// File and memory byte sources.
#include "detect/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace wenku::detect {

std::string ByteSource::read_string(uint64_t offset, size_t n) const {
  std::string s(n, '\0');
  s.resize(read_at(offset, s.data(), n));
  return s;
}

size_t MemorySource::read_at(uint64_t offset, void* out, size_t n) const {
  if (offset >= data_.size()) return 0;
  size_t take = static_cast<size_t>(std::min<uint64_t>(n, data_.size() - offset));
  std::memcpy(out, data_.data() + offset, take);
  return take;
}

FileSource::FileSource(const std::filesystem::path& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return;
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

size_t FileSource::read_at(uint64_t offset, void* out, size_t n) const {
  size_t done = 0;
  auto* p = static_cast<char*>(out);
  while (done < n) {
    ssize_t r = ::pread(fd_, p + done, n - done, static_cast<off_t>(offset + done));
    if (r <= 0) break;  // end of file or error: a short read tells the caller
    done += static_cast<size_t>(r);
  }
  return done;
}

}  // namespace wenku::detect
