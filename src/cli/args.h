// A small command-line parser: --flag, --option VALUE, --option=VALUE and positionals, with
// unknown options reported by name.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace wenku::cli {

struct ArgSpec {
  std::set<std::string> flags;    // options without a value, e.g. "json"
  std::set<std::string> options;  // options with a value, e.g. "data"
};

struct Args {
  std::set<std::string> flags;
  std::map<std::string, std::string> options;  // the last value of each option
  std::map<std::string, std::vector<std::string>> all;  // every value, in order (--set a=1 --set b=2)
  std::vector<std::string> positionals;

  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string get(const std::string& option, const std::string& fallback = "") const {
    auto it = options.find(option);
    return it == options.end() ? fallback : it->second;
  }
};

// Errors: kInvalidArgument naming the unknown option or the missing value.
Result<Args> parse_args(const std::vector<std::string>& argv, const ArgSpec& spec);

}  // namespace wenku::cli
