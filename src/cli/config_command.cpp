// `wenku config`: every setting with its value, where the value comes from and what it
// means; the core settings (environment < config file < command line) and, when the data
// directory holds a library, the admin's site settings laid over them.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "http/error_words.h"

namespace wenku::cli {

namespace {

struct Row {
  std::string name, scope, value, source, origin, description;
};

// Site settings whose value, unless an admin saved one, is a core setting's.
bool mirrors_core(const std::string& key) {
  return key == "site_name" || key == "preview_pages" || key == "max_preview_pages" || key == "max_upload_mb";
}

}  // namespace

int config_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku config [--data DIR] [--config FILE] [--set KEY=VALUE] [--json]\n\n"
      "Lists every setting with its value, its source and its description: the core settings\n"
      "(source default, environment, file or command line) and, when the data directory holds a\n"
      "library, the site settings of /admin (source site when an admin saved the value, else\n"
      "default, or core when the value is the core setting of the same name).\n"
      "  --json   one JSON object: {\"settings\": [{name, scope, value, source, origin, description}]}\n";
  auto args = parse_args(argv, with_common({{"json"}, {}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (!args->positionals.empty()) return usage_error("config takes no arguments", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;

  std::vector<Row> rows;
  for (const auto& spec : setting_specs()) {
    std::string name(spec.name);
    rows.push_back({name, "core", settings->get(name), std::string(settings->source(name)), settings->origin(name),
                    std::string(spec.description)});
  }
  // Reading the site settings opens the library (alongside a running server); a data
  // directory without one is not created for it.
  bool site = std::filesystem::exists(settings->data_dir() / "wenku.db");
  if (site) {
    auto lib = open_library(*settings, {.workers = false});
    if (!lib) return kExitFailure;
    auto described = lib->site_settings().describe();
    if (!described.ok()) {
      std::cerr << "wenku: cannot read the site settings: " << http::error_words_both(described.error()) << "\n";
      return kExitFailure;
    }
    for (auto& s : *described) {
      std::string source = s.stored ? "site" : mirrors_core(s.key) ? "core" : "default";
      rows.push_back({s.key, "site", s.value, source, s.stored ? "/admin" : source, s.description});
    }
  }

  if (args->has("json")) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rows) {
      list.push_back({{"name", r.name}, {"scope", r.scope}, {"value", r.value}, {"source", r.source},
                      {"origin", r.origin}, {"description", r.description}});
    }
    nlohmann::json out = {{"data", settings->data_dir().string()}, {"site_settings", site}, {"settings", list}};
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.name.size());
  std::string scope;
  for (const auto& r : rows) {
    if (r.scope != scope) {
      scope = r.scope;
      std::cout << (scope == "core" ? "# settings (environment < config file < command line)\n"
                                    : "\n# site settings (/admin, stored in the library)\n");
    }
    std::string source = r.source == r.origin ? r.source : r.source + " " + r.origin;
    std::cout << r.name << std::string(width - r.name.size(), ' ') << " = " << r.value << "    [" << source << "] "
              << r.description << "\n";
  }
  if (!site) std::cout << "\n# site settings: no library in " << settings->data_dir().string() << " yet\n";
  return kExitOk;
}

}  // namespace wenku::cli
