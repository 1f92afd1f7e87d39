// The `wenku` command: dispatches to a subcommand; exceptions end here as exit code 1.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/log.h"

namespace {

const char* kUsage =
    "wenku 文库 — a self-hosted, Chinese-first document library\n\n"
    "usage: wenku COMMAND [OPTIONS]\n\n"
    "commands:\n"
    "  serve     serve the web site and the API, process uploads\n"
    "  import    import files, folders or a JSONL manifest\n"
    "  search    search the library\n"
    "  segment   segment Chinese text into words (stdin -> stdout)\n"
    "  show      show one document's metadata\n"
    "  retry     process one document again\n"
    "  check     verify and repair the data directory\n"
    "  backup    copy the library while it runs: backup OUT\n"
    "  restore   bring a backup back into a new data directory: restore BACKUP\n"
    "  user      add an account: user add [--admin|--moderator] NAME\n"
    "  config    list every setting with its value, source and description\n"
    "  migrate   move the library into other backends: migrate --to CONFIG\n\n"
    "`wenku COMMAND --help` describes each command. Every command that reads the library takes\n"
    "--data DIR (default $WENKU_DATA, else ./wenku-data), --config FILE and --set KEY=VALUE.\n";

}  // namespace

int main(int argc, char** argv) {
  wenku::log::init();
  if (argc < 2) {
    std::cerr << kUsage;
    return wenku::cli::kExitUsage;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    using namespace wenku::cli;
    if (command == "serve") return serve_command(args);
    if (command == "import") return import_command(args);
    if (command == "search") return search_command(args);
    if (command == "segment") return segment_command(args);
    if (command == "show") return show_command(args);
    if (command == "check") return check_command(args);
    if (command == "retry") return retry_command(args);
    if (command == "user") return user_command(args);
    if (command == "backup") return backup_command(args);
    if (command == "restore") return restore_command(args);
    if (command == "config") return config_command(args);
    if (command == "migrate") return migrate_command(args);
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsage;
      return kExitOk;
    }
    std::cerr << "wenku: unknown command '" << command << "'\n\n" << kUsage;
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "wenku: internal error: " << e.what() << "\n";
    return wenku::cli::kExitFailure;
  }
}
