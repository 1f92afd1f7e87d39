// Content-addressed files: write to tmp, fsync, rename into place, fsync the directory, so
// a blob is either whole under its key or absent, even after kill -9 or power loss.
#include "blob/file_blob_store.h"

#include "blob/s3_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "core/hash.h"
#include "core/strings.h"

namespace wenku::blob {

namespace fs = std::filesystem;

std::string relative_path(std::string_view key) {
  return std::string(key.substr(0, 2)) + "/" + std::string(key.substr(2, 2)) + "/" + std::string(key);
}

bool is_valid_key(std::string_view key) {
  if (key.size() != 64) return false;
  for (char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<void> fsync_path(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kIo, "open " + p.string() + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return make_error(ErrorCode::kIo, "fsync " + p.string() + ": " + std::strerror(err));
  return {};
}

namespace {

Error io_error(const std::string& what) {
  int err = errno;
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOSPC) msg = "磁盘已满 / disk full: " + msg;
  return make_error(ErrorCode::kIo, msg);
}

class FileBlobStore final : public BlobStore {
 public:
  explicit FileBlobStore(fs::path dir) : dir_(std::move(dir)) {}

  Result<void> init() {
    std::error_code ec;
    fs::create_directories(dir_ / "tmp", ec);
    if (ec) return make_error(ErrorCode::kIo, "cannot create " + dir_.string() + ": " + ec.message());
    return {};
  }

  Result<std::string> put_file(const fs::path& tmp_file, const std::string& sha256) override {
    if (!is_valid_key(sha256)) return make_error(ErrorCode::kInvalidArgument, "bad blob key");
    fs::path dest = path_of(sha256);
    std::error_code ec;
    // A stored copy of another length was cut short behind the store's back: replaced.
    if (fs::exists(dest, ec) && fs::file_size(dest, ec) == fs::file_size(tmp_file, ec) && !ec) {
      fs::remove(tmp_file, ec);
      return sha256;
    }
    WENKU_TRY(fsync_path(tmp_file));
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return make_error(ErrorCode::kIo, "mkdir " + dest.parent_path().string() + ": " + ec.message());
    if (::rename(tmp_file.c_str(), dest.c_str()) != 0) {
      // Across file systems rename fails: copy into our own tmp and rename from there.
      if (errno != EXDEV) return io_error("rename into blob store");
      fs::path local_tmp = unique_tmp();
      fs::copy_file(tmp_file, local_tmp, ec);
      if (ec) return make_error(ErrorCode::kIo, "copy into blob store: " + ec.message());
      WENKU_TRY(fsync_path(local_tmp));
      if (::rename(local_tmp.c_str(), dest.c_str()) != 0) return io_error("rename into blob store");
      fs::remove(tmp_file, ec);
    }
    WENKU_TRY(fsync_path(dest.parent_path()));
    return sha256;
  }

  Result<std::string> put_bytes(std::string_view data) override {
    std::string key = sha256_hex(data);
    std::error_code ec;
    if (fs::exists(path_of(key), ec) && fs::file_size(path_of(key), ec) == data.size() && !ec) return key;
    fs::path tmp = unique_tmp();
    {
      int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) return io_error("create " + tmp.string());
      size_t off = 0;
      while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
          if (errno == EINTR) continue;
          Error e = io_error("write blob");
          ::close(fd);
          ::unlink(tmp.c_str());
          return e;
        }
        off += static_cast<size_t>(n);
      }
      ::close(fd);
    }
    auto r = put_file(tmp, key);
    if (!r.ok()) ::unlink(tmp.c_str());
    return r;
  }

  Result<std::string> read_all(const std::string& key) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    std::ifstream in(path_of(key), std::ios::binary);
    if (!in) return make_error(ErrorCode::kNotFound, "no blob " + key);
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return out;
  }

  Result<void> read_range(const std::string& key, uint64_t offset, uint64_t length,
                          const std::function<bool(std::string_view)>& sink) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    int fd = ::open(path_of(key).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(ErrorCode::kNotFound, "no blob " + key);
    std::string buf(64 * 1024, '\0');
    uint64_t done = 0;
    while (done < length) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), length - done));
      ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<uint64_t>(n);
      if (!sink(std::string_view(buf.data(), static_cast<size_t>(n)))) break;
    }
    ::close(fd);
    return {};
  }

  Result<bool> exists(const std::string& key) override {
    if (!is_valid_key(key)) return false;
    std::error_code ec;
    return fs::exists(path_of(key), ec);
  }

  Result<uint64_t> size(const std::string& key) override {
    std::error_code ec;
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    auto n = fs::file_size(path_of(key), ec);
    if (ec) return make_error(ErrorCode::kNotFound, "no blob " + key);
    return static_cast<uint64_t>(n);
  }

  Result<fs::path> local_path(const std::string& key, const fs::path& /*scratch_dir*/) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    fs::path p = path_of(key);
    std::error_code ec;
    if (!fs::exists(p, ec)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    return p;
  }

  Result<void> remove(const std::string& key) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    std::error_code ec;
    fs::remove(path_of(key), ec);
    if (ec) return make_error(ErrorCode::kIo, "remove blob: " + ec.message());
    return {};
  }

  Result<void> for_each(const std::function<void(const std::string&, int64_t)>& fn) override {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->path().filename() == "tmp" && it.depth() == 0) {
        it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file()) continue;
      std::string name = it->path().filename().string();
      if (!is_valid_key(name)) continue;
      struct stat st {};
      int64_t mtime = ::stat(it->path().c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
      fn(name, mtime);
    }
    if (ec) return make_error(ErrorCode::kIo, "listing blobs: " + ec.message());
    return {};
  }

  Result<void> verify(const std::string& key) override {
    if (!is_valid_key(key)) return make_error(ErrorCode::kNotFound, "no blob " + key);
    std::ifstream in(path_of(key), std::ios::binary);
    if (!in) return make_error(ErrorCode::kNotFound, "no blob " + key);
    Sha256 h;
    std::string buf(64 * 1024, '\0');
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      h.update(buf.data(), static_cast<size_t>(in.gcount()));
    }
    if (h.hex() != key) return make_error(ErrorCode::kCorrupt, "blob " + key + " does not match its hash");
    return {};
  }

 private:
  fs::path path_of(const std::string& key) const { return dir_ / relative_path(key); }

  fs::path unique_tmp() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return dir_ / "tmp" / ("put-" + std::to_string(rng()));
  }

  fs::path dir_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> open_file_blob_store(const fs::path& dir) {
  auto s = std::make_unique<FileBlobStore>(dir);
  WENKU_TRY(s->init());
  return std::unique_ptr<BlobStore>(std::move(s));
}

Result<std::unique_ptr<BlobStore>> open_blob_store(const std::string& url) {
  constexpr std::string_view kScheme = "file://";
  if (starts_with(url, kScheme)) return open_file_blob_store(url.substr(kScheme.size()));
  if (starts_with(url, "s3://")) return open_s3_blob_store(url);
  return make_error(ErrorCode::kInvalidArgument, "unsupported blob store URL: " + url);
}

}  // namespace wenku::blob
