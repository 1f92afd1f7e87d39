// The words of worded errors (core/error.h: key + parameters), in the visitor's language or
// in both. The one place the site, the API and the CLI turn an error or a stored failure
// reason (documents.error) into text a person reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace wenku::http {

// The text in `lang` ("zh-CN" or "en"; anything else reads Chinese). A line `err:KEY|...`
// gets the words of KEY from web/templates/i18n/errors.<lang>.json with each {name} filled
// by its parameter (a parameter that is itself a line is worded too); a message that ends
// in a line ("prefix: err:...") has that line worded. Any other text - an old reason
// stored as words, a backend's message - comes back as it is. A key without words reads
// as the key.
std::string error_words(std::string_view text, std::string_view lang);
inline std::string error_words(const Error& error, std::string_view lang) { return error_words(error.message, lang); }

// Both languages, "中文 / English", as wenku wrote every reason before errors had keys:
// the CLI's messages and `import --json`'s "error", and the API's error messages. Text
// that is not a line comes back as it is.
std::string error_words_both(std::string_view text);
inline std::string error_words_both(const Error& error) { return error_words_both(error.message); }

// The wording of stored reasons in `lang`, for library::document_json.
inline auto reason_words_in(std::string lang) {
  return [lang = std::move(lang)](const std::string& stored) { return error_words(stored, lang); };
}
inline std::string reason_words_both(const std::string& stored) { return error_words_both(stored); }

// The keys that have words in `lang` (for the test that every key used has words).
std::vector<std::string> error_word_keys(std::string_view lang);

}  // namespace wenku::http
