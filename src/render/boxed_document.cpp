// BoxedDocument: spawns wenku-render-helper in the box (sandbox/sandbox.h) and talks to it with
// the framed protocol of helper_protocol.h.
#include "render/boxed_document.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>

#include "core/log.h"
#include "sandbox/sandbox.h"
#include "render/helper_protocol.h"

extern char** environ;

namespace wenku::render {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A sanitizer build reserves terabytes of address space: no RLIMIT_AS there (the MuPDF
// allocation budget still bounds the document).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WENKU_RENDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(WENKU_RENDER_ASAN)
constexpr bool kLimitAddressSpace = false;
#else
constexpr bool kLimitAddressSpace = true;
#endif
constexpr rlim_t kMaxFiles = 64;
constexpr rlim_t kMaxFileBytes = rlim_t{64} << 20;  // the helper writes no file; stderr at most
constexpr rlim_t kMaxProcesses = 4096;              // per user, as the converter's helpers

// The box decision (sandbox::choose starts bwrap once), made once per process and per value
// of the two environment variables that may turn it off.
struct BoxChoice {
  std::string env_key;
  std::string bpf;
  Result<sandbox::Mode> mode = make_error(ErrorCode::kInternal, "not chosen");
};

Result<std::pair<sandbox::Mode, std::string>> box_choice() {
  static std::mutex mu;
  static std::optional<BoxChoice> cached;
  const char* render_env = std::getenv("WENKU_RENDER_SANDBOX");
  const char* convert_env = std::getenv("WENKU_CONVERT_SANDBOX");
  const bool own = render_env != nullptr && *render_env != '\0';
  const std::string key = std::string(own ? "r:" : "c:") + (own ? render_env : convert_env != nullptr ? convert_env : "");
  std::lock_guard lock(mu);
  if (!cached || cached->env_key != key) {
    BoxChoice c;
    c.env_key = key;
    auto bpf = sandbox::seccomp_program();
    if (!bpf.ok()) {
      c.mode = bpf.take_error();
    } else {
      c.bpf = std::move(bpf).value();
      c.mode = sandbox::choose(c.bpf, own ? "WENKU_RENDER_SANDBOX" : "WENKU_CONVERT_SANDBOX", "MuPDF");
      if (c.mode.ok()) {
        log::info("render box={}", *c.mode == sandbox::Mode::kBox ? "box" : "none");
      }
    }
    cached = std::move(c);
  }
  if (!cached->mode.ok()) return cached->mode.error();
  return std::pair{*cached->mode, cached->bpf};
}

fs::path find_helper(const BoxOptions& box) {
  if (!box.helper_path.empty()) return box.helper_path;
  if (const char* env = std::getenv("WENKU_RENDER_HELPER"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "wenku-render-helper";
  return self.parent_path() / "wenku-render-helper";
}

Error unavailable(const std::string& what) {
  return keyed_error(ErrorCode::kUnavailable, "pdf.helper_not_started", {{"detail", what}});
}

}  // namespace

BoxedDocument::BoxedDocument(int pdf_fd, OpenLimits limits, BoxOptions box)
    : pdf_fd_(pdf_fd), limits_(limits), box_(std::move(box)), helper_(find_helper(box_)) {}

BoxedDocument::~BoxedDocument() {
  reap();
  if (pdf_fd_ >= 0) close(pdf_fd_);
}

Result<std::unique_ptr<BoxedDocument>> BoxedDocument::open(const fs::path& pdf, const OpenLimits& limits,
                                                           const BoxOptions& box) {
  // The checks PdfDocument::open makes on the path, here, with the path's own words.
  std::error_code ec;
  auto size = fs::file_size(pdf, ec);
  if (ec) {
    return keyed_error(ec == std::errc::no_such_file_or_directory ? ErrorCode::kNotFound : ErrorCode::kIo,
                       "pdf.cannot_read", {{"path", pdf.string()}, {"detail", ec.message()}});
  }
  if (static_cast<int64_t>(size) > limits.max_file_bytes) {
    return keyed_error(ErrorCode::kTooLarge, "pdf.too_large", {{"bytes", std::to_string(size)}});
  }
  int fd = ::open(pdf.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return keyed_error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                       "pdf.cannot_read", {{"path", pdf.string()}, {"detail", std::strerror(errno)}});
  }
  std::unique_ptr<BoxedDocument> doc(new BoxedDocument(fd, limits, box));
  if (access(doc->helper_.c_str(), X_OK) != 0) {
    return unavailable("helper not found or not executable: " + doc->helper_.string());
  }
  WENKU_TRY(doc->spawn());
  return doc;
}

Result<void> BoxedDocument::spawn() const {
  WENKU_ASSIGN_OR_RETURN(auto choice, box_choice());
  const auto& [mode, bpf] = choice;
  std::vector<std::string> argv_storage;
  int seccomp_fd = -1;
  if (mode == sandbox::Mode::kBox) {
    seccomp_fd = sandbox::program_fd(bpf);
    if (seccomp_fd < 0) return unavailable(std::string("seccomp: ") + std::strerror(errno));
    // Nothing writable and nothing of ours readable but the helper: the PDF comes as fd 4.
    sandbox::Mounts mounts;
    mounts.hidden = box_.hidden_dirs;
    mounts.readable = {helper_};
    mounts.chdir = "/";
    argv_storage = sandbox::bwrap_argv(mounts, seccomp_fd);
  }
  argv_storage.push_back(helper_.string());
  argv_storage.push_back("--max-memory-bytes");
  argv_storage.push_back(std::to_string(limits_.max_memory_bytes));
  argv_storage.push_back("--max-file-bytes");
  argv_storage.push_back(std::to_string(limits_.max_file_bytes));
  if (is_image()) {
    for (auto [key, value] : {std::pair<const char*, int64_t>{"--image-max-pixels", box_.image_limits.max_pixels},
                              {"--image-max-side", box_.image_limits.max_side},
                              {"--image-max-pages", box_.image_limits.max_pages}}) {
      argv_storage.push_back(key);
      argv_storage.push_back(std::to_string(value));
    }
  }
  std::vector<char*> argv;
  for (auto& s : argv_storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    if (seccomp_fd >= 0) close(seccomp_fd);
    return unavailable(std::string("socketpair: ") + std::strerror(errno));
  }
  const rlim_t memory = static_cast<rlim_t>(limits_.max_memory_bytes + box_.extra_memory_bytes);
  const rlim_t cpu = static_cast<rlim_t>(box_.cpu_seconds);
  const int pdf_fd = pdf_fd_;
  const char* exe = argv[0];
  pid_t pid = fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // unboxed too: the helper never outlives its parent
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    // 3 and 4 in place, whatever numbers the two descriptors had (dup2 clears close-on-exec
    // on 3 and 4 only).
    int sock = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
    int pdf = fcntl(pdf_fd, F_DUPFD_CLOEXEC, 10);
    dup2(sock, wire::kSocketFd);
    dup2(pdf, wire::kPdfFd);
    if (kLimitAddressSpace) {
      rlimit as{memory, memory};
      setrlimit(RLIMIT_AS, &as);
    }
    rlimit core{0, 0};
    setrlimit(RLIMIT_CORE, &core);
    rlimit cpu_limit{cpu, cpu + 5};
    setrlimit(RLIMIT_CPU, &cpu_limit);
    rlimit files{kMaxFiles, kMaxFiles};
    setrlimit(RLIMIT_NOFILE, &files);
    rlimit file_size{kMaxFileBytes, kMaxFileBytes};
    setrlimit(RLIMIT_FSIZE, &file_size);
    rlimit procs{kMaxProcesses, kMaxProcesses};
    setrlimit(RLIMIT_NPROC, &procs);
    if (seccomp_fd >= 0) fcntl(seccomp_fd, F_SETFD, 0);  // bwrap reads it, then closes it
    execve(exe, argv.data(), environ);
    _exit(127);
  }
  int saved = errno;
  close(sv[1]);
  if (seccomp_fd >= 0) close(seccomp_fd);
  if (pid < 0) {
    close(sv[0]);
    return unavailable(std::string("fork: ") + std::strerror(saved));
  }
  pid_ = pid;
  fd_ = sv[0];
  log::debug("render helper_start pid={} box={}", pid_, mode == sandbox::Mode::kBox);
  // The open reply: a status and the page count.
  std::string reply;
  auto r = wire::read_frame(fd_, reply, Clock::now() + std::chrono::milliseconds(box_.open_timeout_ms));
  if (r == wire::ReadResult::kTimedOut) {
    reap();
    return keyed_error(ErrorCode::kTimeout, is_image() ? "image.open_timeout" : "pdf.open_timeout",
                       {{"seconds", std::to_string(box_.open_timeout_ms / 1000)}});
  }
  if (r == wire::ReadResult::kClosed) {
    reap(/*let_it_end=*/true);
    Error e = keyed_error(ErrorCode::kCorrupt,
                          is_image() ? "image.helper_ended_opening" : "pdf.helper_ended_opening",
                          {{"how", how_it_ended()}});
    // 127: exec failed (or bwrap refused): not the file's fault.
    if (WIFEXITED(exit_status_) && (WEXITSTATUS(exit_status_) == 127 || WEXITSTATUS(exit_status_) == 1)) {
      e.code = ErrorCode::kUnavailable;
    }
    return e;
  }
  wire::Reader in(reply);
  Error error;
  if (!wire::get_status(in, error)) {
    reap();
    return error;
  }
  int32_t pages = 0;
  in.get(pages);
  if (!in.ok() || pages <= 0) {
    reap();
    return keyed_error(ErrorCode::kInternal, is_image() ? "image.malformed_reply_from_render_helper"
                                                        : "pdf.malformed_reply_from_render_helper");
  }
  pages_ = pages;
  return {};
}

void BoxedDocument::reap(bool let_it_end) const {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (pid_ > 0 && let_it_end) {
    // A helper that ended by itself (its socket closed): bwrap reports how, given a moment.
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        pid_ = -1;
        return;
      }
      usleep(5'000);
    }
  }
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = status;
    pid_ = -1;
  }
}

std::string BoxedDocument::how_it_ended() const {
  const int s = exit_status_;
  if (WIFSIGNALED(s)) {
    const char* name = sigabbrev_np(WTERMSIG(s));
    return "signal " + std::to_string(WTERMSIG(s)) + (name != nullptr ? std::string(" SIG") + name : "");
  }
  if (WIFEXITED(s)) {
    const int code = WEXITSTATUS(s);
    // bwrap reports a helper killed by signal N as exit status 128 + N.
    if (code > 128 && code < 128 + 65) {
      const char* name = sigabbrev_np(code - 128);
      return "signal " + std::to_string(code - 128) + (name != nullptr ? std::string(" SIG") + name : "");
    }
    return "exit status " + std::to_string(code);
  }
  return "ended";
}

Result<std::string> BoxedDocument::call(const std::string& request, int timeout_ms) const {
  if (dead_) return *dead_;
  if (fd_ < 0) {
    // After a timeout the helper was killed: a fresh one for the pages after it, twice at most.
    if (restarts_ >= 2) {
      dead_ = keyed_error(ErrorCode::kTimeout, is_image() ? "image.pages_took_too_long_several"
                                                          : "pdf.pages_took_too_long_several");
      return *dead_;
    }
    ++restarts_;
    WENKU_TRY(spawn());
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms + box_.grace_ms);
  std::string reply;
  auto r =
      wire::write_frame(fd_, request) ? wire::read_frame(fd_, reply, deadline) : wire::ReadResult::kClosed;
  if (r == wire::ReadResult::kTimedOut) {
    reap();
    log::warn("render helper_killed reason=timeout after_ms={}", timeout_ms + box_.grace_ms);
    return keyed_error(ErrorCode::kTimeout,
                       is_image() ? "image.page_timeout_helper_stopped" : "pdf.page_timeout_helper_stopped",
                       {{"seconds", std::to_string((timeout_ms + box_.grace_ms) / 1000)}});
  }
  if (r == wire::ReadResult::kClosed) {
    reap(/*let_it_end=*/true);
    dead_ = keyed_error(ErrorCode::kCorrupt, is_image() ? "image.helper_crashed" : "pdf.helper_crashed",
                        {{"how", how_it_ended()}});
    log::warn("render helper_crashed kind={} how={}", is_image() ? "image" : "pdf", how_it_ended());
    return *dead_;
  }
  wire::Reader in(reply);
  Error error;
  if (!wire::get_status(in, error)) return error;
  return reply.substr(1);  // what follows the one-byte ok status
}

namespace {

std::string request(wire::Op op, int page_index) {
  wire::Writer w;
  w.put(static_cast<uint8_t>(op));
  w.put(static_cast<int32_t>(page_index));
  return w.take();
}

Error malformed() {
  return keyed_error(ErrorCode::kInternal, "pdf.malformed_reply_from_render_helper");
}

}  // namespace

Result<std::string> BoxedDocument::page_text(int page_index) const {
  WENKU_ASSIGN_OR_RETURN(std::string payload, call(request(wire::Op::kText, page_index), 20'000));
  wire::Reader in(payload);
  std::string text;
  in.get(text);
  if (!in.ok()) return malformed();
  return text;
}

Result<std::vector<std::string>> BoxedDocument::page_fonts(int page_index) const {
  WENKU_ASSIGN_OR_RETURN(std::string payload, call(request(wire::Op::kFonts, page_index), 20'000));
  wire::Reader in(payload);
  std::vector<std::string> fonts;
  in.get(fonts);
  if (!in.ok()) return malformed();
  return fonts;
}

Result<PageImages> BoxedDocument::render_page(int page_index, const RenderOptions& options) const {
  wire::Writer w;
  w.put(static_cast<uint8_t>(wire::Op::kRender));
  w.put(static_cast<int32_t>(page_index));
  wire::put(w, options);
  WENKU_ASSIGN_OR_RETURN(std::string payload, call(w.take(), options.timeout_ms));
  wire::Reader in(payload);
  PageImages images;
  wire::get(in, images);
  if (!in.ok()) return malformed();
  return images;
}

Result<OcrImage> BoxedDocument::ocr_image(int page_index, int render_dpi, int64_t max_pixels, int timeout_ms,
                                          bool use_embedded) const {
  wire::Writer w;
  w.put(static_cast<uint8_t>(wire::Op::kOcrImage));
  w.put(static_cast<int32_t>(page_index));
  w.put(static_cast<int32_t>(render_dpi));
  w.put(max_pixels);
  w.put(static_cast<int32_t>(timeout_ms));
  w.put(use_embedded);
  // Two steps (the page's one image, then a render) may each take the time limit.
  WENKU_ASSIGN_OR_RETURN(std::string payload, call(w.take(), 2 * timeout_ms));
  wire::Reader in(payload);
  OcrImage image;
  wire::get(in, image);
  if (!in.ok()) return malformed();
  // The raster may go on to code in this process: a helper under a hostile file's control
  // must not make it read past the pixels it sent.
  const auto& r = image.raster;
  if (r.width <= 0 || r.height <= 0 || (r.channels != 1 && r.channels != 3) || r.pixel_count() > max_pixels ||
      r.pixels.size() != static_cast<size_t>(r.pixel_count()) * static_cast<size_t>(r.channels)) {
    return malformed();
  }
  return image;
}

Result<ocr::OcrPage> BoxedDocument::recognize(int page_index, const ocr::OcrOptions& options, int render_dpi,
                                              int64_t max_pixels) const {
  wire::Writer w;
  w.put(static_cast<uint8_t>(wire::Op::kRecognize));
  w.put(static_cast<int32_t>(page_index));
  w.put(static_cast<int32_t>(render_dpi));
  w.put(max_pixels);
  wire::put(w, options);
  // The page's image (two steps of 20 s at most), then Tesseract: its timeout_ms is CPU time
  // with four times that in wall time as its own backstop.
  WENKU_ASSIGN_OR_RETURN(std::string payload, call(w.take(), 2 * 20'000 + 4 * options.timeout_ms));
  wire::Reader in(payload);
  ocr::OcrPage page;
  wire::get(in, page);
  if (!in.ok()) return malformed();
  return page;
}

Result<std::string> BoxedDocument::watermark_pdf(const std::string& text, int64_t max_memory_bytes,
                                                 int timeout_ms) const {
  wire::Writer w;
  w.put(static_cast<uint8_t>(wire::Op::kWatermark));
  w.put(int32_t{0});
  w.put(std::string_view(text));
  w.put(max_memory_bytes);
  WENKU_ASSIGN_OR_RETURN(std::string payload, call(w.take(), timeout_ms));
  wire::Reader in(payload);
  std::string pdf;
  in.get(pdf);
  if (!in.ok()) return malformed();
  return pdf;
}

Result<std::string> BoxedDocument::probe(const std::string& list) const {
  wire::Writer w;
  w.put(static_cast<uint8_t>(wire::Op::kProbe));
  w.put(int32_t{0});
  w.put(std::string_view(list));
  WENKU_ASSIGN_OR_RETURN(std::string payload, call(w.take(), 30'000));
  wire::Reader in(payload);
  std::string out;
  in.get(out);
  if (!in.ok()) return malformed();
  return out;
}

Result<std::unique_ptr<Document>> open_document(const fs::path& pdf, const OpenLimits& limits,
                                                const BoxOptions& box) {
  WENKU_ASSIGN_OR_RETURN(auto doc, BoxedDocument::open(pdf, limits, box));
  return std::unique_ptr<Document>(std::move(doc));
}

Result<void> boxed_watermark_pdf(const fs::path& in, const fs::path& out, const std::string& text,
                                 int64_t max_memory_bytes, const BoxOptions& box, int timeout_ms) {
  OpenLimits limits;
  limits.max_memory_bytes = max_memory_bytes;
  BoxOptions pdf_box = box;
  pdf_box.kind = BoxOptions::Kind::kPdf;
  WENKU_ASSIGN_OR_RETURN(auto doc, BoxedDocument::open(in, limits, pdf_box));
  WENKU_ASSIGN_OR_RETURN(std::string bytes, doc->watermark_pdf(text, max_memory_bytes, timeout_ms));
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(ErrorCode::kIo, "watermarked PDF " + out.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      close(fd);
      return make_error(ErrorCode::kIo, "watermarked PDF " + out.string() + ": " + std::strerror(saved));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return make_error(ErrorCode::kIo, "watermarked PDF " + out.string() + ": " + std::strerror(errno));
  return {};
}

}  // namespace wenku::render
