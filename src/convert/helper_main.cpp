// wenku-convert-helper: holds one LibreOffice (LibreOfficeKit, in-process) and converts the
// documents the converter pool sends over fd 3, one at a time, until that socket closes.
//
// Run only by the pool, already sandboxed (own network namespace, own profile, rlimits).
// Usage: wenku-convert-helper --office DIR --profile DIR --timeout SECONDS
#define LOK_USE_UNSTABLE_API
#include <LibreOfficeKit/LibreOfficeKit.hxx>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "convert/helper_protocol.h"

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
  std::string buffer;
  std::string line;
  while (read_line(fd, &buffer, &line)) {
    auto fields = protocol::split_fields(line);
    if (fields.size() != 3 || fields[0] != protocol::kConvert) {
      write_all(fd, protocol::make_line({protocol::kErr, protocol::kCorrupt, "bad request"}));
      continue;
    }
    arm_cpu_limit(args.timeout_seconds);
    state.password_requested = false;
    const std::string input_url = protocol::file_url(fields[1]);
    const std::string output_url = protocol::file_url(fields[2]);
    std::unique_ptr<lok::Document> doc(office->documentLoad(input_url.c_str(), kLoadOptions));
    std::string reply;
    if (!doc) {
      if (state.password_requested) {
        reply = protocol::make_line({protocol::kErr, protocol::kEncrypted, "password required"});
      } else {
        reply = protocol::make_line(
            {protocol::kErr, protocol::kCorrupt, "load failed: " + office_error(office.get())});
      }
    } else if (!doc->saveAs(output_url.c_str(), "pdf", nullptr)) {
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
