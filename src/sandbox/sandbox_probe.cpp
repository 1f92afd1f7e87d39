// Sandbox probes (test builds only): what a compromised helper would try, run from inside the
// box by wenku-convert-helper-probe and wenku-render-helper-probe. Never compiled into the
// shipped helpers.
#include "sandbox/sandbox_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

namespace wenku::sandbox {

namespace fs = std::filesystem;

namespace {

std::string errno_name(int e) {
  const char* n = strerrorname_np(e);
  return n != nullptr ? n : std::to_string(e);
}

}  // namespace

std::string probe_one(const std::vector<std::string>& w) {
  auto result = [](int rc) { return rc == 0 ? std::string("ok") : "refused:" + errno_name(errno); };
  const std::string& kind = w[1];
  if (kind == "write" && w.size() == 3) {
    int fd = open(w[2].c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return result(-1);
    bool ok = write(fd, "probe\n", 6) == 6;
    close(fd);
    return ok ? "ok" : result(-1);
  }
  if (kind == "read" && w.size() == 3) {
    int fd = open(w[2].c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return result(-1);
    char buf[16];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return n > 0 ? "ok" : n == 0 ? "ok:empty" : result(-1);
  }
  if ((kind == "connect" && w.size() == 4) || (kind == "unix" && w.size() == 3)) {
    const bool tcp = kind == "connect";
    int fd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return result(-1);
    int rc = -1;
    if (tcp) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(std::stoi(w[3])));
      inet_pton(AF_INET, w[2].c_str(), &a.sin_addr);
      rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
      if (rc != 0 && errno == EINPROGRESS) {  // an unreachable address must not hang the probe
        pollfd p{fd, POLLOUT, 0};
        int err = ETIMEDOUT;
        socklen_t len = sizeof err;
        if (poll(&p, 1, 3000) == 1) getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        errno = err;
        rc = err == 0 ? 0 : -1;
      }
    } else {
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::snprintf(a.sun_path, sizeof a.sun_path, "%s", w[2].c_str());
      rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    std::string r = result(rc);
    close(fd);
    return r;
  }
  if (kind == "socket" && w.size() == 3) {
    int family = w[2] == "inet" ? AF_INET : w[2] == "inet6" ? AF_INET6 : w[2] == "netlink" ? AF_NETLINK : AF_PACKET;
    int fd = socket(family, (w[2] == "netlink" || w[2] == "packet" ? SOCK_RAW : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd >= 0) close(fd);
    return result(fd >= 0 ? 0 : -1);
  }
  if (kind == "ptrace") {
    // PEEKDATA without an attach: ESRCH when ptrace is allowed, EPERM from the filter.
    long rc = ptrace(PTRACE_PEEKDATA, getppid(), nullptr, nullptr);
    return rc == -1 && errno == EPERM ? "refused:EPERM" : "allowed:" + errno_name(errno);
  }
  if (kind == "mount") {
    // A file system type that does not exist: ENODEV/ENOENT when mount is allowed.
    int rc = mount("none", "/nonexistent-wenku-probe", "wenkuprobefs", 0, nullptr);
    return rc == -1 && errno == EPERM ? "refused:EPERM" : "allowed:" + errno_name(errno);
  }
  if (kind == "limits") {
    std::string out;
    for (auto [name, res] : {std::pair{"as", RLIMIT_AS}, {"nofile", RLIMIT_NOFILE},
                             {"fsize", RLIMIT_FSIZE}, {"nproc", RLIMIT_NPROC}, {"core", RLIMIT_CORE},
                             {"cpu", RLIMIT_CPU}}) {
      rlimit l{};
      getrlimit(res, &l);
      out += std::string(out.empty() ? "" : ",") + name + ":" +
             (l.rlim_cur == RLIM_INFINITY ? std::string("inf") : std::to_string(l.rlim_cur));
    }
    return out;
  }
  if (kind == "pids") {
    int n = 0;
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string name = e.path().filename().string();
      if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) ++n;
    }
    return std::to_string(n);
  }
  return "bad-probe";
}

std::string run_probes(std::istream& in) {
  std::string line;
  if (!std::getline(in, line) || line != "WENKU-SANDBOX-PROBE") return "";
  std::string out = "PROBE";
  while (std::getline(in, line)) {
    std::vector<std::string> w;
    size_t pos = 0;
    while (pos < line.size()) {
      size_t sp = line.find(' ', pos);
      if (sp == std::string::npos) sp = line.size();
      if (sp > pos) w.push_back(line.substr(pos, sp - pos));
      pos = sp + 1;
    }
    if (w.size() < 2) continue;
    out += " " + w[0] + "=" + probe_one(w) + ";";
  }
  return out;
}

}  // namespace wenku::sandbox
