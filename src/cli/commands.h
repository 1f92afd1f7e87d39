// The `wenku` subcommands; each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace wenku::cli {

// Exit codes: 0 ran, 1 could not run (data directory, configuration), 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int serve_command(const std::vector<std::string>& args);
int import_command(const std::vector<std::string>& args);
int search_command(const std::vector<std::string>& args);
int segment_command(const std::vector<std::string>& args);
int show_command(const std::vector<std::string>& args);
int check_command(const std::vector<std::string>& args);
int retry_command(const std::vector<std::string>& args);
int user_command(const std::vector<std::string>& args);
int backup_command(const std::vector<std::string>& args);
int restore_command(const std::vector<std::string>& args);
int config_command(const std::vector<std::string>& args);
int migrate_command(const std::vector<std::string>& args);

}  // namespace wenku::cli
