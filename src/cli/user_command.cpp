// `wenku user add`: creates an account from the command line (the first admin comes this way).
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/strings.h"
#include "http/error_words.h"
#include "library/accounts.h"

namespace wenku::cli {

int user_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku user add [--data DIR] [--admin|--moderator] [--password-file FILE] NAME\n\n"
      "Creates an account. The password is the first line of --password-file, else of stdin.\n"
      "  --admin       the account may do everything, including site settings\n"
      "  --moderator   the account may handle reports and the review queue\n";
  auto args = parse_args(argv, with_common({{"admin", "moderator"}, {"password-file"}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (args->positionals.size() != 2 || args->positionals[0] != "add") {
    return usage_error("expected: user add NAME", usage);
  }
  if (args->has("admin") && args->has("moderator")) return usage_error("choose --admin or --moderator", usage);
  std::string password;
  if (args->options.count("password-file")) {
    std::ifstream in(args->get("password-file"));
    if (!in) {
      std::cerr << "wenku: cannot read " << args->get("password-file") << "\n";
      return kExitFailure;
    }
    std::getline(in, password);
  } else {
    std::getline(std::cin, password);
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  auto lib = open_library(*settings, {.workers = false});
  if (!lib) return kExitFailure;
  library::Accounts& accounts = lib->accounts();
  store::Role role = args->has("admin")       ? store::Role::kAdmin
                     : args->has("moderator") ? store::Role::kModerator
                                              : store::Role::kMember;
  auto id = accounts.create_user(args->positionals[1], password, role);
  if (!id.ok()) {
    std::cerr << "wenku: " << http::error_words_both(id.error()) << "\n";
    return id.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::cout << "created " << library::role_name(role) << " " << args->positionals[1] << " (id " << *id << ")\n";
  return kExitOk;
}

}  // namespace wenku::cli
