// Streaming uploads to scratch files.
#include "library/upload.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/strings.h"

namespace wenku::library {

Result<std::unique_ptr<FileUploadWriter>> FileUploadWriter::create(std::filesystem::path path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot create upload file: " + std::string(std::strerror(errno)));
  return std::unique_ptr<FileUploadWriter>(new FileUploadWriter(std::move(path), fd, max_bytes));
}

FileUploadWriter::~FileUploadWriter() {
  if (fd_ >= 0) ::close(fd_);
  // Whatever was not moved into the blob store is thrown away.
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

Result<void> FileUploadWriter::write(std::string_view chunk) {
  if (fd_ < 0) return make_error(ErrorCode::kInternal, "upload already finished");
  if (size_ + chunk.size() > max_) {
    return make_error(ErrorCode::kTooLarge, "文件太大，上限 " + human_size(max_) + " / file too large: the limit is " +
                                                human_size(max_));
  }
  size_t off = 0;
  while (off < chunk.size()) {
    ssize_t n = ::write(fd_, chunk.data() + off, chunk.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = std::strerror(errno);
      if (errno == ENOSPC) return make_error(ErrorCode::kIo, "磁盘已满，上传失败 / disk full: upload failed");
      return make_error(ErrorCode::kIo, "写入上传文件失败 / cannot write the upload: " + why);
    }
    off += static_cast<size_t>(n);
  }
  hash_.update(chunk);
  size_ += chunk.size();
  return {};
}

Result<std::string> FileUploadWriter::finish() {
  if (fd_ < 0) return make_error(ErrorCode::kInternal, "upload already finished");
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return make_error(ErrorCode::kIo, "cannot close the upload: " + std::string(std::strerror(errno)));
  return hash_.hex();
}

}  // namespace wenku::library
