// The helper box: bubblewrap arguments, the seccomp program and the start-up check.
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/log.h"

namespace wenku::sandbox {

namespace fs = std::filesystem;

namespace {

// Calls a compromised helper has no use for. Each fails with EPERM (not a kill: LibreOffice
// probes some of them and carries on).
constexpr const char* kDenied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsmount",
    "fsconfig", "fspick", "mount_setattr",
    "unshare", "setns",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "iopl", "ioperm", "name_to_handle_at", "open_by_handle_at",
    "lookup_dcookie", "vhangup", "nfsservctl"};

struct Ctx {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  ~Ctx() {
    if (ctx != nullptr) seccomp_release(ctx);
  }
};

// Reads all of `fd` from its start.
std::string read_all(int fd) {
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

Result<std::string> seccomp_program() {
  Ctx c;
  if (c.ctx == nullptr) return make_error(ErrorCode::kInternal, "seccomp_init failed");
  int rc = 0;
  // Every socket family but AF_UNIX (the pool's socket, LibreOffice's own pipes).
  rc |= seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                         SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  rc |= seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                         SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  // New namespaces through clone (unshare and setns are denied below); clone3 passes its
  // flags in memory a filter cannot read, so it reports ENOSYS and glibc falls back to clone.
  for (uint64_t flag : {uint64_t{CLONE_NEWUSER}, uint64_t{CLONE_NEWNS}, uint64_t{CLONE_NEWNET},
                        uint64_t{CLONE_NEWPID}, uint64_t{CLONE_NEWIPC}, uint64_t{CLONE_NEWUTS},
                        uint64_t{CLONE_NEWCGROUP}}) {
    rc |= seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
  }
  rc |= seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    rc |= seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
  }
  if (rc != 0) return make_error(ErrorCode::kInternal, "seccomp_rule_add failed");
  int fd = memfd_create("wenku-seccomp", MFD_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kInternal, std::string("memfd_create: ") + std::strerror(errno));
  rc = seccomp_export_bpf(c.ctx, fd);
  std::string bpf = rc == 0 ? read_all(fd) : std::string();
  close(fd);
  if (bpf.empty()) return make_error(ErrorCode::kInternal, "seccomp_export_bpf failed");
  return bpf;
}

int program_fd(const std::string& bpf) {
  int fd = memfd_create("wenku-seccomp", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < bpf.size()) {
    ssize_t n = write(fd, bpf.data() + done, bpf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  // Above the descriptors the child rearranges (0-3), so its number survives them.
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 64);
  close(fd);
  return high;
}

std::vector<std::string> bwrap_argv(const Mounts& mounts, int seccomp_fd) {
  std::vector<std::string> a = {
      kBwrap,
      // Own user (where permitted), ipc, pid, network, uts and cgroup namespaces: no network
      // but a loopback nobody listens on, no processes of ours to see or signal.
      "--unshare-all", "--die-with-parent", "--new-session",
      // Running as root, bwrap would keep every capability (a remount of / would undo the box).
      "--cap-drop", "ALL",
      "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"};
  for (const char* dir : kAlwaysHidden) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
      a.insert(a.end(), {"--tmpfs", dir});
    }
  }
  for (const auto& dir : mounts.hidden) a.insert(a.end(), {"--tmpfs", dir.string()});
  // Binds come after the tmpfs mounts that would otherwise cover them.
  for (const auto& p : mounts.readable) a.insert(a.end(), {"--ro-bind", p.string(), p.string()});
  for (const auto& p : mounts.writable) a.insert(a.end(), {"--bind", p.string(), p.string()});
  // Then the empty tmpfs mounts turn read-only (each alone, not the binds inside them): a
  // write to /tmp or the data directory fails instead of landing in a throw-away tmpfs.
  for (const char* dir : kAlwaysHidden) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) a.insert(a.end(), {"--remount-ro", dir});
  }
  for (const auto& dir : mounts.hidden) a.insert(a.end(), {"--remount-ro", dir.string()});
  if (!mounts.chdir.empty()) a.insert(a.end(), {"--chdir", mounts.chdir.string()});
  if (seccomp_fd >= 0) a.insert(a.end(), {"--seccomp", std::to_string(seccomp_fd)});
  a.push_back("--");
  return a;
}

Result<Mode> choose(const std::string& seccomp_bpf, const char* env_var, std::string_view program) {
  const std::string prog(program);
  if (const char* env = std::getenv(env_var); env != nullptr && *env != '\0') {
    if (std::string_view(env) == "none") {
      log::error("sandbox=none reason={} {} runs unconfined: it can write wherever this process can "
                 "and reach the network. Never in production", env_var, prog);
      return Mode::kNone;
    }
    if (std::string_view(env) != "box") {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(env_var) + " must be box or none, not " + std::string(env));
    }
  }
  if (access(kBwrap, X_OK) != 0) {
    return make_error(ErrorCode::kUnavailable,
                      "沙箱不可用：未安装 bubblewrap / the helper box needs bubblewrap "
                      "(apt-get install bubblewrap); wenku does not run " + prog + " unconfined "
                      "unless " + env_var + "=none is set");
  }
  // The whole box around /bin/true: user namespaces off, /proc not mountable (a service whose
  // /proc is partly covered: ProtectKernelTunables=, ProtectProc=) or a seccomp refusal all
  // show here, with bwrap's own words.
  int bpf_fd = program_fd(seccomp_bpf);
  std::vector<std::string> argv_storage = bwrap_argv({}, bpf_fd);
  argv_storage.push_back("/bin/true");
  std::vector<char*> argv;
  for (auto& s : argv_storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  int err[2];
  if (bpf_fd < 0 || pipe2(err, O_CLOEXEC) != 0) {
    if (bpf_fd >= 0) close(bpf_fd);
    return make_error(ErrorCode::kUnavailable, std::string("helper box check: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
    }
    dup2(err[1], 2);
    fcntl(bpf_fd, F_SETFD, 0);
    execv(kBwrap, argv.data());
    _exit(127);
  }
  close(err[1]);
  close(bpf_fd);
  std::string why;
  char buf[512];
  ssize_t n;
  while ((n = read(err[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0 && why.size() < 2000) why.append(buf, static_cast<size_t>(n));
  }
  close(err[0]);
  int status = 0;
  if (pid > 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) return Mode::kBox;
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  return make_error(ErrorCode::kUnavailable,
                    "沙箱无法启动 / the helper box (bubblewrap) does not start here: " +
                        (why.empty() ? std::string("fork failed") : why) +
                        ". It needs unprivileged user namespaces (or root) and a /proc it may "
                        "mount (see docs/admin-guide.md); wenku does not run " + prog + " unconfined "
                        "unless " + env_var + "=none is set");
}

}  // namespace wenku::sandbox
