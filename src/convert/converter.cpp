// The converter pool: one sandboxed wenku-convert-helper per slot, started ahead of need,
// restarted after a crash, a hang past the time limit, or docs_per_helper documents.
#include "convert/converter.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "convert/helper_protocol.h"
#include "sandbox/sandbox.h"
#include "core/formats.h"
#include "core/log.h"

extern char** environ;

namespace wenku::convert {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// LibreOffice takes ~1-3 s to load; a helper that is not ready after this is broken.
constexpr auto kStartTimeout = std::chrono::seconds(90);

// The scratch copy's extension, which LibreOffice's type detection starts from
// (core/formats.h says which formats LibreOffice is handed, and as what).
std::string_view scratch_extension(std::string_view format) {
  const formats::Format* f = formats::find(format);
  return f != nullptr ? f->libreoffice_ext : format;
}

// Fontconfig for the helpers: Chinese text takes Simplified Chinese forms. Debian's
// fonts-noto-cjk prefers the JP faces unless the text is tagged zh-cn, and Chinese Office
// documents name Windows fonts that are not installed.
constexpr std::string_view kFontsConf = R"(<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <match target="pattern">
    <test name="lang" compare="contains"><string>zh</string></test>
    <test name="family"><string>serif</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>Noto Serif CJK SC</string></edit>
  </match>
  <match target="pattern">
    <test name="lang" compare="contains"><string>zh</string></test>
    <test name="family"><string>sans-serif</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>Noto Sans CJK SC</string></edit>
  </match>
  <match target="pattern">
    <test name="lang" compare="contains"><string>zh</string></test>
    <test name="family"><string>monospace</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>Noto Sans Mono CJK SC</string></edit>
  </match>
  <match target="pattern">
    <test name="lang" compare="contains"><string>zh</string></test>
    <edit name="family" mode="append" binding="weak"><string>Noto Sans CJK SC</string></edit>
  </match>
  <match target="pattern">
    <test name="lang" compare="contains"><string>ja</string></test>
    <edit name="family" mode="append" binding="weak"><string>Noto Sans CJK JP</string></edit>
  </match>
  <match target="pattern">
    <test name="lang" compare="contains"><string>ko</string></test>
    <edit name="family" mode="append" binding="weak"><string>Noto Sans CJK KR</string></edit>
  </match>
  <!-- No language: the CJK fallback is SC rather than fontconfig's first (JP) face. -->
  <alias>
    <family>serif</family>
    <default><family>Noto Serif CJK SC</family></default>
  </alias>
  <alias>
    <family>sans-serif</family>
    <default><family>Noto Sans CJK SC</family></default>
  </alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>NSimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>新宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>FangSong</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>仿宋</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>仿宋_GB2312</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>KaiTi</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体_GB2312</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>STSong</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>华文宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>方正小标宋简体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>Microsoft YaHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>微软雅黑</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>DengXian</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>等线</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>STHeiti</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
)";

// LibreOffice profile settings written before every helper start: no macros, no fetching
// of linked content (the network namespace is the hard guarantee; these say it twice).
// Window 26100 is Calc's input line (FID_INPUTLINE_STATUS). LibreOfficeKit always loads into
// a visible frame (soffice --convert-to loads Hidden), so Calc builds its view, and the input
// line needs modules/scalc/ui/inputbar.ui, which Debian's libreoffice-calc-nogui does not
// ship: VclBuilder throws and every spreadsheet load failed with "loadComponentFromURL
// returned an empty reference". Hidden, the view is built without it.
constexpr std::string_view kRegistry = R"(<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="WarnSaveOrSendDoc" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Views/Windows"><node oor:name="26100" oor:op="replace"><prop oor:name="Visible" oor:op="fuse"><value>false</value></prop></node></item>
<item oor:path="/org.openoffice.Office.Views/Windows"><node oor:name="scalc/26100" oor:op="replace"><prop oor:name="Visible" oor:op="fuse"><value>false</value></prop></node></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale_CJK" oor:op="fuse"><value>zh-CN</value></prop></item>
</oor:items>
)";

Result<void> write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) {
    return keyed_error(ErrorCode::kIo, "convert.cannot_write_work", {{"path", path.string()}});
  }
  return {};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

fs::path find_helper(const ConverterOptions& options) {
  if (!options.helper_path.empty()) return options.helper_path;
  if (const char* env = std::getenv("WENKU_CONVERT_HELPER"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "wenku-convert-helper";
  return self.parent_path() / "wenku-convert-helper";
}

// The data directory a work directory belongs to: the library keeps converter scratch in
// DATA/work/convert-*, so the folder above the nearest `work` ancestor; otherwise the work
// directory's parent. The box hides it whole (database, blobs, other scratch).
fs::path default_hidden_dir(const fs::path& work_dir) {
  for (fs::path p = work_dir.parent_path(); p.has_relative_path(); p = p.parent_path()) {
    if (p.filename() == "work" && p.parent_path().has_relative_path()) return p.parent_path();
  }
  return work_dir.parent_path();
}

// Limits of a helper besides memory (ConverterOptions) and CPU (re-armed per document).
constexpr rlim_t kMaxFiles = 4096;
constexpr rlim_t kMaxFileBytes = rlim_t{2} << 30;
constexpr rlim_t kMaxProcesses = 4096;

// Everything a helper start needs, prepared before fork() (the child may only make
// async-signal-safe calls in a threaded process).
struct SpawnPlan {
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

class Slot {
 public:
  Slot(int index, const ConverterOptions& options, fs::path helper, sandbox::Mode mode,
       const std::string& seccomp_bpf, const std::atomic<bool>& interrupted)
      : index_(index), options_(options), helper_(std::move(helper)), mode_(mode),
        seccomp_bpf_(seccomp_bpf), interrupted_(interrupted) {
    dir_ = options_.work_dir / ("slot-" + std::to_string(index));
    profile_ = options_.work_dir / ("profile-" + std::to_string(index));
  }
  ~Slot() { stop(/*graceful=*/true); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  // Starts the helper without waiting for LibreOffice to load.
  Result<void> spawn();
  Result<void> convert(const fs::path& input, std::string_view format, const fs::path& output);
  void stop(bool graceful);
  // From any thread: kills the running helper's process group (interrupt()).
  void kill_now() {
    pid_t p = live_pid_.load();
    if (p > 0) kill(-p, SIGKILL);
  }

 private:
  Result<void> wait_ready();
  // Reads one reply line before `deadline`. Errors: kTimeout, kUnavailable (helper gone).
  Result<std::string> read_line(Clock::time_point deadline);
  std::string reap();  // kills the helper's process group, waits, says how it ended

  int index_;
  const ConverterOptions& options_;
  fs::path helper_;
  sandbox::Mode mode_;
  const std::string& seccomp_bpf_;
  const std::atomic<bool>& interrupted_;
  std::atomic<pid_t> live_pid_{-1};  // pid_, readable by kill_now() from another thread
  fs::path dir_;
  fs::path profile_;
  pid_t pid_ = -1;
  int fd_ = -1;
  bool ready_ = false;
  int docs_ = 0;
  std::string buffer_;
};

Result<void> Slot::spawn() {
  std::error_code ec;
  // LibreOffice leaves a lu*.tmp directory in TMPDIR per process; each helper gets a
  // private one, emptied before every start (the previous helper is reaped by then), so a
  // long-running server does not fill /tmp with one directory per helper restart.
  const fs::path tmp = dir_ / "tmp";
  fs::remove_all(tmp, ec);
  ec.clear();
  fs::create_directories(tmp, ec);
  const fs::path fallback_profile = profile_.string() + "-soffice";
  const fs::path cache = options_.work_dir / ("cache-" + std::to_string(index_));
  if (!ec) fs::create_directories(profile_ / "user", ec);
  if (!ec) fs::create_directories(fallback_profile, ec);
  if (!ec) fs::create_directories(cache, ec);
  if (ec) {
    return keyed_error(ErrorCode::kIo, "convert.cannot_create_dir", {{"path", dir_.string()}, {"detail", ec.message()}});
  }
  WENKU_TRY(write_text(profile_ / "user" / "registrymodifications.xcu", kRegistry));

  SpawnPlan plan;
  int seccomp_fd = -1;
  if (mode_ == sandbox::Mode::kBox) {
    // The box: the system read-only, this slot's scratch, profiles and font cache writable,
    // the shared fontconfig file, the helper and LibreOffice readable, nothing else of ours.
    seccomp_fd = sandbox::program_fd(seccomp_bpf_);
    if (seccomp_fd < 0) {
      return make_error(ErrorCode::kUnavailable,
                        error_line("convert.cannot_prepare_box", {{"detail", std::strerror(errno)}}));
    }
    sandbox::Mounts mounts;
    mounts.hidden = options_.hidden_dirs;
    mounts.readable = {options_.work_dir / "fontconfig", helper_, options_.office_dir};
    mounts.writable = {dir_, profile_, fallback_profile, cache};
    mounts.chdir = dir_;
    plan.argv_storage = sandbox::bwrap_argv(mounts, seccomp_fd);
  }
  for (std::string s : {helper_.string(), std::string("--office"), options_.office_dir.string(),
                        std::string("--profile"), fs::absolute(profile_).string(),
                        std::string("--timeout"), std::to_string(options_.timeout_seconds)}) {
    plan.argv_storage.push_back(std::move(s));
  }
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("FONTCONFIG_FILE=") || kv.starts_with("SAL_USE_VCLPLUGIN=") ||
        kv.starts_with("XDG_CACHE_HOME=") || kv.starts_with("LANG=") || kv.starts_with("LC_ALL=") ||
        kv.starts_with("TMPDIR=") || kv.starts_with("HOME=") || kv.starts_with("XDG_CONFIG_HOME=") ||
        kv.starts_with("http_proxy=") || kv.starts_with("https_proxy=")) {
      continue;
    }
    plan.env_storage.emplace_back(kv);
  }
  plan.env_storage.push_back("FONTCONFIG_FILE=" +
                             fs::absolute(options_.work_dir / "fontconfig" / "fonts.conf").string());
  plan.env_storage.push_back("XDG_CACHE_HOME=" + fs::absolute(cache).string());
  plan.env_storage.push_back("TMPDIR=" + fs::absolute(dir_ / "tmp").string());
  // LibreOffice writes $HOME/.config (and soffice more): the helper's home is its scratch
  // directory, so it writes nothing outside the work directory.
  plan.env_storage.push_back("HOME=" + fs::absolute(dir_ / "tmp").string());
  plan.env_storage.push_back("XDG_CONFIG_HOME=" + fs::absolute(dir_ / "tmp" / ".config").string());
  plan.env_storage.push_back("SAL_USE_VCLPLUGIN=svp");
  plan.env_storage.push_back("LANG=C.UTF-8");
  for (auto& s : plan.argv_storage) plan.argv.push_back(s.data());
  plan.argv.push_back(nullptr);
  for (auto& s : plan.env_storage) plan.envp.push_back(s.data());
  plan.envp.push_back(nullptr);

  const std::string log_path = (dir_ / "helper.log").string();
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int sv[2];
  if (log_fd < 0 || devnull < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    if (log_fd >= 0) close(log_fd);
    if (devnull >= 0) close(devnull);
    if (seccomp_fd >= 0) close(seccomp_fd);
    return make_error(ErrorCode::kUnavailable,
                      error_line("convert.cannot_set_up_helper", {{"detail", std::strerror(errno)}}));
  }
  const rlim_t memory = static_cast<rlim_t>(options_.memory_mb) << 20;
  const char* exe = plan.argv[0];
  pid_t pid = fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    setsid();  // own process group: a kill reaches anything LibreOffice starts
    dup2(devnull, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    if (sv[1] == protocol::kHelperFd) {
      fcntl(sv[1], F_SETFD, 0);
    } else {
      dup2(sv[1], protocol::kHelperFd);
    }
    rlimit as{memory, memory};
    setrlimit(RLIMIT_AS, &as);
    rlimit core{0, 0};
    setrlimit(RLIMIT_CORE, &core);
    // Files: descriptors and the size of one written file (a PDF, a font cache). Processes:
    // counted per user, so this bounds a fork bomb without counting the server's threads
    // under root (which the kernel exempts); the unit's TasksMax= bounds the service.
    rlimit files{kMaxFiles, kMaxFiles};
    setrlimit(RLIMIT_NOFILE, &files);
    rlimit file_size{kMaxFileBytes, kMaxFileBytes};
    setrlimit(RLIMIT_FSIZE, &file_size);
    rlimit procs{kMaxProcesses, kMaxProcesses};
    setrlimit(RLIMIT_NPROC, &procs);
    if (seccomp_fd >= 0) fcntl(seccomp_fd, F_SETFD, 0);  // bwrap reads it, then closes it
    execve(exe, plan.argv.data(), plan.envp.data());
    static constexpr char kMsg[] = "FAIL\texec of the helper failed\n";
    (void)!write(protocol::kHelperFd, kMsg, sizeof(kMsg) - 1);
    _exit(127);
  }
  int saved = errno;
  close(log_fd);
  close(devnull);
  close(sv[1]);
  if (seccomp_fd >= 0) close(seccomp_fd);
  if (pid < 0) {
    close(sv[0]);
    return make_error(ErrorCode::kUnavailable,
                      error_line("convert.fork_failed", {{"detail", std::strerror(saved)}}));
  }
  pid_ = pid;
  live_pid_ = pid;
  fd_ = sv[0];
  ready_ = false;
  docs_ = 0;
  buffer_.clear();
  log::debug("convert helper_start slot={} pid={}", index_, pid_);
  return {};
}

std::string Slot::reap() {
  std::string how = "exited";
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    int status = 0;
    pid_t r;
    while ((r = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r == pid_) {
      if (WIFSIGNALED(status)) {
        how = std::string("killed by signal ") + strsignal(WTERMSIG(status));
      } else if (WIFEXITED(status)) {
        how = "exited with status " + std::to_string(WEXITSTATUS(status));
      }
    }
  }
  if (fd_ >= 0) close(fd_);
  pid_ = -1;
  live_pid_ = -1;
  fd_ = -1;
  ready_ = false;
  buffer_.clear();
  return how;
}

void Slot::stop(bool graceful) {
  if (pid_ <= 0) return;
  if (graceful && fd_ >= 0) {
    // Closing our end makes the helper leave; give it a moment before the kill.
    shutdown(fd_, SHUT_RDWR);
    for (int i = 0; i < 50; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        close(fd_);
        pid_ = -1;
        live_pid_ = -1;
        fd_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  reap();
}

Result<std::string> Slot::read_line(Clock::time_point deadline) {
  while (true) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return make_error(ErrorCode::kTimeout, "timeout");
    pollfd p{fd_, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) continue;
    char chunk[4096];
    ssize_t got = recv(fd_, chunk, sizeof(chunk), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return make_error(ErrorCode::kUnavailable, "helper closed the connection");
    buffer_.append(chunk, static_cast<size_t>(got));
    if (buffer_.size() > (1 << 20)) return make_error(ErrorCode::kUnavailable, "reply too long");
  }
}

Result<void> Slot::wait_ready() {
  if (interrupted_) {
    return keyed_error(ErrorCode::kUnavailable, "convert.stopping");
  }
  if (pid_ <= 0) WENKU_TRY(spawn());
  if (ready_) return {};
  auto line = read_line(Clock::now() + kStartTimeout);
  if (line.ok() && *line == protocol::kReady) {
    ready_ = true;
    return {};
  }
  std::string why = line.ok() ? *line : line.error().message;
  std::string how = reap();
  log::error("convert helper_start_failed slot={} why=\"{}\" end=\"{}\" log={}", index_, why, how,
             (dir_ / "helper.log").string());
  return make_error(ErrorCode::kUnavailable,
                    error_line("convert.helper_did_not_start", {{"why", why}, {"how", how}}));
}

Result<void> Slot::convert(const fs::path& input, std::string_view format,
                           const fs::path& output) {
  WENKU_TRY(wait_ready());
  // The helper sees only scratch copies named by their real format: LibreOffice's type
  // detection trusts the extension, and the upload's own name is never passed along.
  const fs::path in = fs::absolute(dir_ / ("input." + std::string(scratch_extension(format))));
  const fs::path out = fs::absolute(dir_ / "output.pdf");
  std::error_code ec;
  fs::remove(out, ec);
  fs::copy_file(input, in, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return make_error(ErrorCode::kIo,
                      error_line("convert.cannot_read_input", {{"path", input.string()}, {"detail", ec.message()}}));
  }
  std::string request = protocol::make_line({protocol::kConvert, in.string(), out.string()});
  const auto deadline = Clock::now() + std::chrono::seconds(options_.timeout_seconds);
  if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    std::string how = reap();
    return make_error(ErrorCode::kUnavailable,
                      error_line("convert.helper_gone", {{"how", how}}));
  }
  ++docs_;
  auto line = read_line(deadline);
  fs::remove(in, ec);
  if (!line.ok()) {
    std::string how = reap();
    bool timed_out = line.error().code == ErrorCode::kTimeout ||
                     how.find(strsignal(SIGXCPU)) != std::string::npos;
    log::warn("convert helper_lost slot={} input={} reason={} end=\"{}\"", index_, input.string(),
              timed_out ? "timeout" : "crash", how);
    if (!interrupted_) (void)spawn();  // warm the replacement while the caller handles this
    if (timed_out) {
      return keyed_error(ErrorCode::kTimeout, "convert.timed_out", {{"seconds", std::to_string(options_.timeout_seconds)}});
    }
    return make_error(ErrorCode::kUnavailable,
                      error_line("convert.helper_crashed", {{"how", how}}));
  }
  if (docs_ >= options_.docs_per_helper) {
    stop(/*graceful=*/true);
    if (!interrupted_) (void)spawn();
  }
  auto fields = protocol::split_fields(*line);
  if (fields[0] == protocol::kOk) {
    char magic[5] = {};
    std::ifstream check(out, std::ios::binary);
    check.read(magic, 5);
    if (!check || std::string_view(magic, 5) != "%PDF-") {
      return keyed_error(ErrorCode::kCorrupt, "convert.libreoffice_produced_no_pdf_file");
    }
    check.close();
    fs::rename(out, output, ec);
    if (ec) {  // another file system: copy instead
      ec.clear();
      fs::copy_file(out, output, fs::copy_options::overwrite_existing, ec);
      fs::remove(out);
    }
    if (ec) {
      return make_error(ErrorCode::kIo,
                        error_line("convert.cannot_write_pdf", {{"path", output.string()}, {"detail", ec.message()}}));
    }
    return {};
  }
  std::string detail = fields.size() >= 3 ? fields[2] : *line;
  if (fields.size() >= 2 && fields[1] == protocol::kEncrypted) {
    return keyed_error(ErrorCode::kEncrypted, "convert.document_encrypted_needs_password");
  }
  return make_error(ErrorCode::kCorrupt,
                    error_line("convert.could_not_load", {{"format", std::string(format)}, {"detail", detail}}));
}

class PooledConverter final : public Converter {
 public:
  PooledConverter(ConverterOptions options, fs::path helper, sandbox::Mode mode, std::string seccomp_bpf)
      : options_(std::move(options)), seccomp_bpf_(std::move(seccomp_bpf)) {
    for (int i = 0; i < options_.slots; ++i) {
      slots_.push_back(std::make_unique<Slot>(i, options_, helper, mode, seccomp_bpf_, interrupted_));
      free_.push_back(i);
    }
  }
  ~PooledConverter() override {
    std::lock_guard lock(mutex_);
    slots_.clear();
  }

  void interrupt() override {
    interrupted_ = true;
    for (auto& slot : slots_) slot->kill_now();
    log::info("convert interrupted slots={}", slots_.size());
  }

  void warm() {
    for (auto& slot : slots_) {
      auto started = slot->spawn();
      if (!started.ok()) log::warn("convert warm_failed error=\"{}\"", started.error().message);
    }
  }

  Result<void> to_pdf(const fs::path& input, std::string_view format,
                      const fs::path& output_pdf) override {
    const std::string fmt = lower(format);
    if (!is_convertible_format(fmt)) {
      return make_error(ErrorCode::kUnsupportedFormat,
                        error_line("convert.format_not_supported", {{"format", fmt}}));
    }
    int index = -1;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return !free_.empty(); });
      index = free_.back();
      free_.pop_back();
    }
    auto started = Clock::now();
    Result<void> result = slots_[static_cast<size_t>(index)]->convert(input, fmt, output_pdf);
    if (!result.ok() && result.error().code == ErrorCode::kUnavailable && !interrupted_) {
      // A helper can die of what an earlier document left in it (a failed load, the soffice
      // fallback): one more try on the fresh helper tells that apart from a document that
      // kills LibreOffice itself, which fails again and is retried later by the job queue.
      result = slots_[static_cast<size_t>(index)]->convert(input, fmt, output_pdf);
    }
    {
      std::lock_guard lock(mutex_);
      free_.push_back(index);
    }
    cv_.notify_one();
    log::debug("convert done slot={} format={} ms={} ok={}", index, fmt,
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count(),
               result.ok());
    return result;
  }

 private:
  ConverterOptions options_;
  std::string seccomp_bpf_;
  std::atomic<bool> interrupted_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<int> free_;
};

}  // namespace

bool is_convertible_format(std::string_view format) { return formats::libreoffice_imports(format); }

Result<std::unique_ptr<Converter>> make_converter(const ConverterOptions& options) {
  ConverterOptions opts = options;
  if (opts.slots <= 0) opts.slots = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (opts.timeout_seconds <= 0 || opts.memory_mb < 256 || opts.docs_per_helper <= 0) {
    return keyed_error(ErrorCode::kInvalidArgument, "convert.invalid_converter_options_timeout_memory");
  }
  if (opts.work_dir.empty()) {
    opts.work_dir = fs::temp_directory_path() / ("wenku-convert-" + std::to_string(getpid()));
  }
  opts.work_dir = fs::absolute(opts.work_dir);
  // Absolute: the box binds these paths back by name.
  fs::path helper = fs::absolute(find_helper(opts));
  opts.office_dir = fs::absolute(opts.office_dir);
  if (access(helper.c_str(), X_OK) != 0) {
    return make_error(ErrorCode::kUnavailable,
                      error_line("convert.helper_not_found", {{"path", helper.string()}}));
  }
  if (!fs::exists(opts.office_dir / "libsofficeapp.so") && !fs::exists(opts.office_dir / "soffice")) {
    return make_error(ErrorCode::kUnavailable,
                      error_line("convert.libreoffice_not_found", {{"path", opts.office_dir.string()}}));
  }
  std::error_code ec;
  fs::create_directories(opts.work_dir / "fontconfig", ec);
  if (ec) {
    return keyed_error(ErrorCode::kIo, "convert.cannot_create_work", {{"path", opts.work_dir.string()}, {"detail", ec.message()}});
  }
  WENKU_TRY(write_text(opts.work_dir / "fontconfig" / "fonts.conf", kFontsConf));
  if (opts.hidden_dirs.empty()) opts.hidden_dirs = {default_hidden_dir(opts.work_dir)};
  std::erase_if(opts.hidden_dirs, [](const fs::path& p) { return !p.has_relative_path(); });
  for (auto& p : opts.hidden_dirs) p = fs::absolute(p);
  WENKU_ASSIGN_OR_RETURN(std::string bpf, sandbox::seccomp_program());
  auto mode = sandbox::choose(bpf);
  if (!mode.ok()) {
    log::error("convert sandbox=unavailable error=\"{}\"", mode.error().message);
    return mode.error();
  }
  log::info("convert pool slots={} sandbox={} helper={}", opts.slots,
            *mode == sandbox::Mode::kBox ? "box" : "none", helper.string());
  auto converter = std::make_unique<PooledConverter>(std::move(opts), std::move(helper), *mode, std::move(bpf));
  converter->warm();
  return std::unique_ptr<Converter>(std::move(converter));
}

}  // namespace wenku::convert
