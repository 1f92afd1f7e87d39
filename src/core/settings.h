// Settings: each declared once (name, description, default, bounds); read from the
// environment (WENKU_NAME), then a config file, then the command line, and validated at start.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wenku {

enum class SettingType { kString, kInt, kBool };

struct SettingSpec {
  std::string_view name;         // snake_case; env var is WENKU_ + upper case
  SettingType type;
  std::string_view default_value;
  std::string_view description;
  int64_t min = 0;               // for kInt
  int64_t max = INT64_MAX;
  std::string_view choices = {};  // for kString: the comma-separated values allowed ("" = any)
};

// Every setting wenku knows, in one table (settings.cpp).
const std::vector<SettingSpec>& setting_specs();

class Settings {
 public:
  // Defaults only (tests start here and override what they need).
  Settings();

  // Builds the settings from the environment (`environ`), then `config_file` if given
  // (else DATA/wenku.conf when it exists), then `overrides` (from the command line).
  // Errors: kInvalidArgument naming the setting and the source of a bad value.
  static Result<Settings> load(const std::map<std::string, std::string>& overrides,
                               const std::filesystem::path& config_file = {});

  // Sets one value, validated. Errors: kInvalidArgument.
  Result<void> set(std::string_view name, std::string_view value, std::string_view source = "code");

  const std::string& get(std::string_view name) const;
  int64_t get_int(std::string_view name) const;
  bool get_bool(std::string_view name) const;

  std::filesystem::path data_dir() const { return get("data"); }

  // Where a value came from, as given to set(): "default", "WENKU_NAME", a config file's
  // name, "--name", "code".
  const std::string& origin(std::string_view name) const;
  // The kind of origin(): "default", "environment", "file", "command line" or "code".
  std::string_view source(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> origins_;  // only values set after the default
};

// Parses `key = value` lines (`#` comments, blank lines). Errors: kInvalidArgument with
// the line number.
Result<std::map<std::string, std::string>> parse_config_text(std::string_view text);

}  // namespace wenku
