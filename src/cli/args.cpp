// Command-line parsing.
#include "cli/args.h"

namespace wenku::cli {

Result<Args> parse_args(const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args a;
  bool only_positionals = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (only_positionals || arg.size() < 2 || arg.rfind("--", 0) != 0) {
      if (!only_positionals && arg.size() > 1 && arg[0] == '-' && arg != "-") {
        return make_error(ErrorCode::kInvalidArgument, "unknown option " + arg);
      }
      a.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (spec.flags.count(name)) {
      if (has_value) return make_error(ErrorCode::kInvalidArgument, "--" + name + " takes no value");
      a.flags.insert(name);
    } else if (spec.options.count(name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) return make_error(ErrorCode::kInvalidArgument, "--" + name + " needs a value");
        value = argv[++i];
      }
      a.options[name] = value;
      a.all[name].push_back(value);
    } else {
      return make_error(ErrorCode::kInvalidArgument, "unknown option --" + name);
    }
  }
  return a;
}

}  // namespace wenku::cli
