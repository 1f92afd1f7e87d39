// The body of each libFuzzer target as a plain function, so the fast tier (GCC, no
// libFuzzer) can replay the regression inputs through the same code as the fuzzers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wenku::fuzz {

int detect_one(const uint8_t* data, size_t size);
int extract_one(const uint8_t* data, size_t size);
int zip_one(const uint8_t* data, size_t size);
int ole2_one(const uint8_t* data, size_t size);
int text_decode_one(const uint8_t* data, size_t size);
int multipart_one(const uint8_t* data, size_t size);
int manifest_one(const uint8_t* data, size_t size);
int query_one(const uint8_t* data, size_t size);
int ofd_one(const uint8_t* data, size_t size);

// How many multipart inputs so far were accepted as a complete upload (HTTP 202): lets the
// regression test check that its seeds reach the form reader, not only the HTTP parser.
size_t multipart_accepted();

}  // namespace wenku::fuzz

// Each target's file ends with WENKU_FUZZ_MAIN(its function): the libFuzzer entry point,
// left out when the file is compiled into the regression test.
#ifdef WENKU_FUZZ_NO_MAIN
#define WENKU_FUZZ_MAIN(fn)
#else
#define WENKU_FUZZ_MAIN(fn)                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return wenku::fuzz::fn(data, size);                                     \
  }
#endif
