// wenku-convert-helper: holds one LibreOffice (LibreOfficeKit, in-process) and converts the
// documents the converter pool sends over fd 3, one at a time, until that socket closes. A
// document LibreOfficeKit will not load gets one more try from `soffice --convert-to`.
//
// Run only by the pool, already sandboxed (own network namespace, own profile, rlimits).
// Usage: wenku-convert-helper --office DIR --profile DIR --timeout SECONDS
#define LOK_USE_UNSTABLE_API
#include <LibreOfficeKit/LibreOfficeKit.hxx>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "convert/helper_protocol.h"
#ifdef WENKU_CONVERT_PROBE
#include "sandbox/sandbox_probe.h"
#endif

namespace {

namespace protocol = wenku::convert::protocol;

struct Args {
  std::string office;
  std::string profile;
  long timeout_seconds = 120;
};

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads one line (without '\n'); false on EOF or error, i.e. the pool went away.
bool read_line(int fd, std::string* buffer, std::string* line) {
  while (true) {
    size_t nl = buffer->find('\n');
    if (nl != std::string::npos) {
      *line = buffer->substr(0, nl);
      buffer->erase(0, nl + 1);
      return true;
    }
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(n));
    if (buffer->size() > (1 << 20)) return false;  // no sane request is this long
  }
}

// Per-document CPU limit on top of the pool's wall-clock limit: raise the soft RLIMIT_CPU to
// what this process has used so far plus the timeout, so SIGXCPU ends a runaway conversion.
void arm_cpu_limit(long timeout_seconds) {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return;
  rlimit limit{};
  if (getrlimit(RLIMIT_CPU, &limit) != 0) return;
  rlim_t used = static_cast<rlim_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec);
  rlim_t soft = used + static_cast<rlim_t>(timeout_seconds) + 5;
  if (limit.rlim_max != RLIM_INFINITY && soft > limit.rlim_max) soft = limit.rlim_max;
  limit.rlim_cur = soft;
  setrlimit(RLIMIT_CPU, &limit);
}

struct LoadState {
  lok::Office* office = nullptr;
  bool password_requested = false;
};

// LibreOffice asks for a password through this callback while loading; answering with no
// password makes the load fail, and we report the document as encrypted.
void office_callback(int type, const char* payload, void* data) {
  auto* state = static_cast<LoadState*>(data);
  if (type == LOK_CALLBACK_DOCUMENT_PASSWORD || type == LOK_CALLBACK_DOCUMENT_PASSWORD_TO_MODIFY) {
    state->password_requested = true;
    state->office->setDocumentPassword(payload, nullptr);
  }
}

std::string office_error(lok::Office* office) {
  char* raw = office->getError();
  if (raw == nullptr) return "unknown error";
  std::string message = raw;
  office->freeError(raw);
  return message.empty() ? "unknown error" : message;
}

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// soffice exits with this after creating a fresh profile and expects to be started again.
constexpr int kSofficeRestart = 81;

// The profile of the soffice fallback: next to ours, with the same settings (macros never
// run, links never updated, zh-CN), copied before LibreOfficeKit rewrites ours.
std::string prepare_fallback_profile(const std::string& profile) {
  const fs::path fallback = profile + "-soffice";
  std::error_code ec;
  fs::create_directories(fallback / "user", ec);
  fs::copy_file(fs::path(profile) / "user" / "registrymodifications.xcu",
                fallback / "user" / "registrymodifications.xcu",
                fs::copy_options::overwrite_existing, ec);
  return fallback.string();
}

// Runs soffice once in `dir` (if not empty); its exit status, or -1 if it could not start or
// ran past `deadline` (then it is killed).
int run_soffice(const std::vector<std::string>& argv_storage, const std::string& dir,
                Clock::time_point deadline) {
  std::vector<char*> argv;
  for (const auto& a : argv_storage) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // Async-signal-safe calls only (LibreOfficeKit's threads are running).
    if (!dir.empty() && chdir(dir.c_str()) != 0) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The fallback for a document LibreOfficeKit would not load: `soffice --convert-to pdf` in a
// child process, so inside the same sandbox (network namespace, rlimits, process group that
// the pool kills, environment with our fontconfig) and with a profile holding the same
// settings. LibreOfficeKit always loads into a visible frame and builds the document's view,
// and parts of a view need UI files that Debian's -nogui packages leave out (Writer's comment
// windows need annotation.ui), so a document with comments fails there; soffice loads it
// Hidden, without a view. A cold start (~1-2 s), paid only by documents LibreOfficeKit refused.
//
// Its single-instance pipe: soffice.bin opens a unix socket OSL_PIPE_<uid>_SingleOfficeIPC_<hash>
// at start-up (sal's osl_createPipe) and gives up if it cannot (exit 1, "BE_PATHINFO_MISSING",
// before it looks at the document). It puts that socket in /tmp if /tmp is writable, else in
// /var/tmp, else in the bootstrap variable OSL_SOCKET_PATH, never in TMPDIR. In the box /tmp
// and /var/tmp are read-only and OSL_SOCKET_PATH is unset, so it tried to bind
// "/OSL_PIPE_..." (EROFS) and every document that took this fallback failed. The socket
// goes into our TMPDIR (the slot's writable scratch, emptied at every helper start) instead:
// soffice runs there and gets -env:OSL_SOCKET_PATH=. (relative, so the path stays under
// sun_path's 108 bytes however deep the work directory is). Outside the box /tmp is writable
// and soffice keeps using it.
bool convert_with_soffice(const Args& args, const std::string& fallback_profile,
                          const std::string& input, const std::string& output,
                          Clock::time_point deadline) {
  std::error_code ec;
  // Absolute: soffice runs in the pipe's directory.
  const fs::path in = fs::absolute(input, ec);
  const fs::path out_dir = fs::absolute(fs::path(output).parent_path() / "soffice-out", ec);
  fs::remove_all(out_dir, ec);
  fs::create_directories(out_dir, ec);
  if (ec) return false;
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string pipe_dir = tmpdir != nullptr && *tmpdir == '/' ? tmpdir : "";
  std::vector<std::string> argv = {
      (fs::path(args.office) / "soffice.bin").string(),
      "-env:UserInstallation=" + protocol::file_url(fallback_profile),
      "--headless", "--invisible", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
      "--convert-to", "pdf", "--outdir", out_dir.string(), in.string()};
  if (!pipe_dir.empty()) argv.insert(argv.begin() + 2, "-env:OSL_SOCKET_PATH=.");
  int status = run_soffice(argv, pipe_dir, deadline);
  if (status == kSofficeRestart) status = run_soffice(argv, pipe_dir, deadline);
  const fs::path pdf = out_dir / (in.stem().string() + ".pdf");
  bool ok = status == 0 && fs::is_regular_file(pdf, ec) && fs::file_size(pdf, ec) > 0;
  if (ok) {
    fs::rename(pdf, output, ec);
    ok = !ec;
  }
  fs::remove_all(out_dir, ec);
  std::fprintf(stderr, "wenku-convert-helper: soffice fallback for %s: %s (status %d)\n",
               in.filename().c_str(), ok ? "converted" : "failed", status);
  return ok;
}


#ifdef WENKU_CONVERT_PROBE
// Test builds only (wenku-convert-helper-probe): a CONVERT whose input starts with
// "WENKU-SANDBOX-PROBE" runs the probes of sandbox/sandbox_probe.h. The reply is ERR with
// `PROBE NAME=ok|refused:ERRNO|value;...`, so the real pool carries it back unchanged.
std::string run_probes(const std::string& input) {
  std::ifstream in(input);
  return wenku::sandbox::run_probes(in);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key == "--office") args.office = argv[i + 1];
    else if (key == "--profile") args.profile = argv[i + 1];
    else if (key == "--timeout") args.timeout_seconds = std::strtol(argv[i + 1], nullptr, 10);
  }
  const int fd = protocol::kHelperFd;
  if (args.office.empty() || args.profile.empty()) {
    write_all(fd, protocol::make_line({protocol::kFail, "usage: --office DIR --profile DIR"}));
    return 2;
  }
  if (args.timeout_seconds <= 0) args.timeout_seconds = 120;

  // The socket is ours alone: the soffice fallback must not inherit it.
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  // When wenku dies (kill -9) its end of the socket closes: leave at once, whatever
  // LibreOffice is doing. bubblewrap's --die-with-parent does not cover it when wenku runs as
  // root (dropping capabilities clears the parent-death signal), and LibreOffice whose
  // profile directory was removed with the data directory retries mkdir for ever, so
  // without this the helper outlived its server, spinning (seen after the crash suites).
  std::thread([fd] {
    pollfd p{fd, POLLRDHUP, 0};
    while (true) {
      int n = poll(&p, 1, -1);
      if (n > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) _exit(3);
      if (n < 0 && errno != EINTR) return;
    }
  }).detach();
  const std::string fallback_profile = prepare_fallback_profile(args.profile);
  const std::string profile_url = protocol::file_url(args.profile);
  std::unique_ptr<lok::Office> office(lok::lok_cpp_init(args.office.c_str(), profile_url.c_str()));
  if (!office) {
    write_all(fd, protocol::make_line({protocol::kFail, "LibreOfficeKit init failed"}));
    return 1;
  }
  LoadState state;
  state.office = office.get();
  office->setOptionalFeatures(LOK_FEATURE_DOCUMENT_PASSWORD |
                              LOK_FEATURE_DOCUMENT_PASSWORD_TO_MODIFY);
  office->registerCallback(office_callback, &state);
  if (!write_all(fd, protocol::make_line({protocol::kReady}))) return 0;

  // Macros never run (EnableMacrosExecution=false is NEVER_EXECUTE, and the profile says
  // security level 3); zh-CN makes untagged text Chinese so fontconfig picks SC glyphs.
  static constexpr char kLoadOptions[] =
      "Language=zh-CN,Batch=true,MacroSecurityLevel=3,EnableMacrosExecution=false";
  // PDF export keeps images as they are. Its default (ReduceImageResolution to 300 dpi)
  // re-encodes every image on every page it appears on: a 46-slide pptx with one 3072 px
  // JPEG background took 24 s of CPU to export instead of 4, and its PDF came out larger.
  // Previews are 800 px wide, so nothing is lost.
  static constexpr char kPdfOptions[] =
      R"({"ReduceImageResolution":{"type":"boolean","value":"false"}})";
  std::string buffer;
  std::string line;
  while (read_line(fd, &buffer, &line)) {
    auto fields = protocol::split_fields(line);
    if (fields.size() != 3 || fields[0] != protocol::kConvert) {
      write_all(fd, protocol::make_line({protocol::kErr, protocol::kCorrupt, "bad request"}));
      continue;
    }
#ifdef WENKU_CONVERT_PROBE
    if (std::string probed = run_probes(fields[1]); !probed.empty()) {
      if (!write_all(fd, protocol::make_line({protocol::kErr, protocol::kCorrupt, probed}))) break;
      continue;
    }
#endif
    arm_cpu_limit(args.timeout_seconds);
    const auto deadline = Clock::now() + std::chrono::seconds(args.timeout_seconds);
    state.password_requested = false;
    const std::string input_url = protocol::file_url(fields[1]);
    const std::string output_url = protocol::file_url(fields[2]);
    std::unique_ptr<lok::Document> doc(office->documentLoad(input_url.c_str(), kLoadOptions));
    std::string reply;
    if (!doc) {
      if (state.password_requested) {
        reply = protocol::make_line({protocol::kErr, protocol::kEncrypted, "password required"});
      } else if (convert_with_soffice(args, fallback_profile, fields[1], fields[2], deadline)) {
        reply = protocol::make_line({protocol::kOk});
      } else {
        reply = protocol::make_line(
            {protocol::kErr, protocol::kCorrupt,
             "load failed: " + office_error(office.get()) + "; soffice could not load it either"});
      }
    } else if (!doc->saveAs(output_url.c_str(), "pdf", kPdfOptions)) {
      reply = protocol::make_line(
          {protocol::kErr, protocol::kCorrupt, "PDF export failed: " + office_error(office.get())});
    } else {
      reply = protocol::make_line({protocol::kOk});
    }
    doc.reset();
    if (!write_all(fd, reply)) break;
  }
  // LibreOffice's own teardown is slow and sometimes crashes; the work is saved, so leave now.
  std::fflush(nullptr);
  _exit(0);
}
