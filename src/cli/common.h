// What the subcommands share: settings from the common options, usage errors, opening the
// library.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "cli/args.h"
#include "core/settings.h"
#include "library/library.h"

namespace wenku::cli {

// Adds the options every data command takes: --data, --config, --set KEY=VALUE, --help.
ArgSpec with_common(ArgSpec spec);

// Settings from env < config file < command line. Prints the error and returns nullopt.
std::optional<Settings> load_settings(const Args& args);

int usage_error(const std::string& message, const std::string& usage);

std::unique_ptr<library::Library> open_library(const Settings& s, library::Library::Options o);

}  // namespace wenku::cli
