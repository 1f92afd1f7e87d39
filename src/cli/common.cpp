// Shared subcommand plumbing.
#include "cli/common.h"

#include "cli/commands.h"
#include "core/log.h"
#include "http/error_words.h"

namespace wenku::cli {

ArgSpec with_common(ArgSpec spec) {
  spec.options.insert({"data", "config", "set", "log-level"});
  spec.flags.insert("help");
  return spec;
}

std::optional<Settings> load_settings(const Args& args) {
  std::map<std::string, std::string> overrides;
  if (args.options.count("data")) overrides["data"] = args.get("data");
  if (args.options.count("log-level")) overrides["log_level"] = args.get("log-level");
  if (auto it = args.all.find("set"); it != args.all.end()) {
    for (const std::string& kv : it->second) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        std::cerr << "wenku: --set needs KEY=VALUE, got " << kv << "\n";
        return std::nullopt;
      }
      overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  auto s = Settings::load(overrides, args.get("config"));
  if (!s.ok()) {
    std::cerr << "wenku: " << http::error_words_both(s.error()) << "\n";
    return std::nullopt;
  }
  log::set_level(s->get("log_level"));
  return std::move(s).value();
}

int usage_error(const std::string& message, const std::string& usage) {
  std::cerr << "wenku: " << message << "\n\n" << usage;
  return kExitUsage;
}

std::unique_ptr<library::Library> open_library(const Settings& s, library::Library::Options o) {
  auto lib = library::Library::open(s, o);
  if (!lib.ok()) {
    // A backend named by its setting is a configuration to correct, not the data directory.
    const std::string m = http::error_words_both(lib.error());
    bool setting = m.rfind("metadata_url", 0) == 0 || m.rfind("blob_url", 0) == 0 || m.rfind("search_url", 0) == 0;
    if (setting) {
      std::cerr << "wenku: cannot open the library: " << m << "\n";
    } else {
      std::cerr << "wenku: cannot open the data directory " << s.data_dir().string() << ": " << m << "\n";
    }
    return nullptr;
  }
  return std::move(lib).value();
}

}  // namespace wenku::cli
