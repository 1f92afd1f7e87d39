// Converter: Office documents -> PDF through a pool of sandboxed LibreOffice helper processes
// kept warm (LibreOfficeKit loaded once per helper), restarted after a crash, a hang or N docs.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku::convert {

struct ConverterOptions {
  int slots = 0;                 // helper processes; 0 = number of cores
  int timeout_seconds = 120;     // per conversion; past it the helper is killed
  int memory_mb = 2048;          // RLIMIT_AS of a helper
  int docs_per_helper = 200;     // restart a helper after this many documents
  std::filesystem::path work_dir;  // scratch space (profiles, temp files), inside the data dir
  // Directories the helpers must not see (the data directory): an empty tmpfs in their box,
  // with only their own scratch bound back. Empty = the data directory work_dir belongs to
  // (the folder above its `work` ancestor), else work_dir's parent.
  std::vector<std::filesystem::path> hidden_dirs;
  // The helper executable; empty = $WENKU_CONVERT_HELPER, else `wenku-convert-helper` next to
  // the running executable.
  std::filesystem::path helper_path;
  // LibreOffice's program directory (where libsofficeapp.so is).
  std::filesystem::path office_dir = "/usr/lib/libreoffice/program";
};

class Converter {
 public:
  virtual ~Converter() = default;
  // Converts `input` (its real format given, e.g. "doc", "docx", "xlsx", "pptx", "rtf", "odt",
  // "wps", "xml") into a PDF at `output_pdf`. Thread-safe; blocks until a slot is free.
  // Errors: kTimeout, kCorrupt / kUnsupportedFormat (this file failed: LibreOffice could not
  // load it), kEncrypted, kUnavailable (a helper crashed or could not start: transient, retry),
  // kIo (input unreadable, output unwritable); messages Chinese first, then English.
  virtual Result<void> to_pdf(const std::filesystem::path& input, std::string_view format,
                              const std::filesystem::path& output_pdf) = 0;
  // Shutting down: ends the conversions in progress (their to_pdf returns kUnavailable at
  // once) and starts no helper again; later to_pdf calls fail with kUnavailable. For a
  // graceful stop whose grace ran out (jobs::WorkerPool::on_interrupt). Thread-safe.
  virtual void interrupt() {}
};

// Checks the helper and LibreOffice are there, prepares the work dir (profiles, fontconfig),
// checks that the box (sandbox.h) starts and starts the helpers in it in the background.
// Errors: kUnavailable (no helper executable, no LibreOffice, or the box does not start and
// WENKU_CONVERT_SANDBOX=none was not given), kInvalidArgument (options, that variable), kIo
// (work dir), kInternal (seccomp).
Result<std::unique_ptr<Converter>> make_converter(const ConverterOptions& options);

// True when LibreOffice can convert this (lower-case) format name.
bool is_convertible_format(std::string_view format);

}  // namespace wenku::convert
