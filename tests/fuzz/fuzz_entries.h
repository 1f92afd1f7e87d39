// The body of each libFuzzer target as a plain function, so the fast tier (GCC, no
// libFuzzer) can replay the regression inputs through the same code as the fuzzers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "core/error.h"

namespace wenku::fuzz {

int detect_one(const uint8_t* data, size_t size);
int extract_one(const uint8_t* data, size_t size);
int zip_one(const uint8_t* data, size_t size);
int ole2_one(const uint8_t* data, size_t size);
int text_decode_one(const uint8_t* data, size_t size);
int multipart_one(const uint8_t* data, size_t size);
int manifest_one(const uint8_t* data, size_t size);
int query_one(const uint8_t* data, size_t size);
int image_one(const uint8_t* data, size_t size);
int ofd_one(const uint8_t* data, size_t size);
int pdf_one(const uint8_t* data, size_t size);
// Load the text dictionaries of text_decode and query (see WENKU_FUZZ_MAIN_INIT).
void text_decode_init();
void query_init();

// The regression test names the file it replays here, so an abort says which input it was.
inline std::string& current_input() {
  static std::string name;
  return name;
}

// A bug found: says what and aborts, which libFuzzer reports as a crash with its reproducer
// (and which fails the regression test). Used for every broken promise of the code under test.
[[noreturn]] inline void fail(const char* target, const std::string& what) {
  const std::string& input = current_input();
  std::fprintf(stderr, "fuzz: %s: %s%s%s\n", target, what.c_str(), input.empty() ? "" : " on input ",
               input.c_str());
  std::abort();
}

// Runs one input through a target's body. Modules promise Result errors, never exceptions
// (STYLE.md), so an exception that gets out is a crash here, whatever its type: the
// production boundaries (job worker, HTTP handler, main) would catch it and hide the bug.
template <typename Body>
int guarded(const char* target, Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    fail(target, std::string("exception let out: ") + e.what());
  } catch (...) {
    fail(target, "exception of unknown type let out");
  }
  return 0;
}

// kInternal means a bug, or an exception a boundary caught and converted (the job worker,
// detect_file): either way a crash for the fuzzer, not an expected failure of bad input.
inline void check_not_internal(const char* target, const Error& e) {
  if (e.code == ErrorCode::kInternal) fail(target, "internal error: " + e.message);
}

// How many multipart inputs so far were accepted as a complete upload (HTTP 202): lets the
// regression test check that its seeds reach the form reader, not only the HTTP parser.
size_t multipart_accepted();

}  // namespace wenku::fuzz

// Each target's file ends with WENKU_FUZZ_MAIN(its function): the libFuzzer entry point,
// left out when the file is compiled into the regression test. WENKU_FUZZ_MAIN_INIT also
// runs `init` once before the first input (libFuzzer's LLVMFuzzerInitialize): loading the
// dictionaries takes seconds under the sanitizers, which must not count against the
// -timeout of the first input.
#ifdef WENKU_FUZZ_NO_MAIN
#define WENKU_FUZZ_MAIN(fn)
#define WENKU_FUZZ_MAIN_INIT(fn, init)
#else
#define WENKU_FUZZ_MAIN(fn)                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return wenku::fuzz::fn(data, size);                                     \
  }
#define WENKU_FUZZ_MAIN_INIT(fn, init)                                \
  extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) { \
    wenku::fuzz::init();                                              \
    return 0;                                                         \
  }                                                                   \
  WENKU_FUZZ_MAIN(fn)
#endif
