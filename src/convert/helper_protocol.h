// The line protocol between the converter pool and a wenku-convert-helper process.
//
// helper -> parent: "READY\n" once LibreOffice is loaded, or "FAIL\t<message>\n" and exit.
// parent -> helper: "CONVERT\t<input path>\t<output path>\n" (scratch paths, no tabs/newlines).
// helper -> parent: "OK\n" or "ERR\t<kind>\t<message>\n", kind = encrypted | corrupt.
// The parent closing its end makes the helper exit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wenku::convert::protocol {

inline constexpr std::string_view kReady = "READY";
inline constexpr std::string_view kFail = "FAIL";
inline constexpr std::string_view kConvert = "CONVERT";
inline constexpr std::string_view kOk = "OK";
inline constexpr std::string_view kErr = "ERR";
inline constexpr std::string_view kEncrypted = "encrypted";
inline constexpr std::string_view kCorrupt = "corrupt";
// The helper finds its end of the socket here.
inline constexpr int kHelperFd = 3;

// Splits a line (without its newline) on tabs.
std::vector<std::string> split_fields(std::string_view line);
// Joins fields with tabs, replacing tabs and newlines inside fields by spaces, plus '\n'.
std::string make_line(const std::vector<std::string_view>& fields);
// A file:// URL for an absolute path, percent-encoding everything but unreserved bytes and '/'.
std::string file_url(std::string_view absolute_path);

}  // namespace wenku::convert::protocol
