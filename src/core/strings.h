// Small text helpers shared by all modules: UTF-8 walking, masking, human sizes, escaping.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wenku {

// Splits UTF-8 into code points; invalid bytes become U+FFFD.
std::u32string utf8_to_u32(std::string_view s);
std::string u32_to_utf8(std::u32string_view s);
void append_utf8(std::string& out, char32_t cp);
// Replaces invalid UTF-8 sequences with U+FFFD.
std::string sanitize_utf8(std::string_view s);
bool is_valid_utf8(std::string_view s);
// Number of code points.
size_t utf8_length(std::string_view s);
// At most `max_chars` code points of `s`, never cutting a character.
std::string utf8_prefix(std::string_view s, size_t max_chars);

// The uploader as a 文库 page shows it: first and last character kept, the rest starred
// ("Fanfan" -> "F****n"). Short names still hide something: "张三" -> "张*", "A" -> "*".
std::string mask_name(std::string_view name);

// "27.96KB", "1.20MB", "512B": the size line of a document page.
std::string human_size(uint64_t bytes);

std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string to_lower_ascii(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// Escaping for HTML text and attribute values.
std::string html_escape(std::string_view s);

}  // namespace wenku
