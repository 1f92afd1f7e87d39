// `wenku serve`: the web site, the API and the processing workers in one process, or one of
// the two (`--role web|worker`): web processes queue jobs, worker processes poll and run
// them (and answer only /healthz and /metrics), sharing the data directory or the
// cluster's backends.
#include <csignal>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"
#include "http/error_words.h"
#include "http/server.h"
#include "library/demo.h"

namespace wenku::cli {

namespace {

http::HttpServer* g_server = nullptr;

void on_signal(int) {
  if (g_server) g_server->stop();
}

}  // namespace

int serve_command(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: wenku serve [--data DIR] [--listen HOST:PORT] [--role all|web|worker] [--demo]\n\n"
      "Serves the web site and the API (default 127.0.0.1:8080) and processes uploads.\n"
      "  --role   all (default): site and workers; web: the site only, its uploads wait for a\n"
      "           worker; worker: the processing workers, answering only /healthz and /metrics\n"
      "  --demo   import the demo library when the data directory has no documents\n";
  auto args = parse_args(argv, with_common({{"demo"}, {"listen", "role"}}));
  if (!args.ok()) return usage_error(args.error().message, usage);
  if (args->has("help")) {
    std::cout << usage;
    return kExitOk;
  }
  if (!args->positionals.empty()) return usage_error("serve takes no arguments", usage);
  auto settings = load_settings(*args);
  if (!settings) return kExitUsage;
  if (args->options.count("listen")) (void)settings->set("listen", args->get("listen"), "--listen");
  if (args->has("demo")) (void)settings->set("demo", "true", "--demo");
  if (args->options.count("role")) {
    if (auto set = settings->set("role", args->get("role"), "--role"); !set.ok()) {
      return usage_error(http::error_words_both(set.error()), usage);
    }
  }
  const std::string role = settings->get("role");
  if (role != "all" && role != "web" && role != "worker") {
    return usage_error("role: expected all, web or worker, got '" + role + "'", usage);
  }

  if (auto front = http::HttpServer::check_settings(*settings); !front.ok()) {
    std::cerr << "wenku: " << http::error_words_both(front.error()) << "\n";
    return kExitUsage;
  }
  auto lib = open_library(*settings, {.workers = role != "web"});
  if (!lib) return kExitFailure;
  http::HttpServer server(*lib, lib->settings());
  auto port = server.bind(settings->get("listen"));
  if (!port.ok()) {
    std::cerr << "wenku: " << http::error_words_both(port.error()) << "\n";
    return kExitFailure;
  }
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  std::string host = settings->get("listen").substr(0, settings->get("listen").rfind(':'));
  log::info("serving url=http://{}:{}/ data={}", host, *port, settings->data_dir().string());
  std::cerr << "wenku 文库: http://" << host << ":" << *port << "/\n";
  std::thread demo;
  if (settings->get_bool("demo")) {
    demo = std::thread([&lib] {
      if (auto r = library::import_demo_if_empty(*lib); !r.ok()) {
        log::warn("demo_import_failed error={}", http::error_words_both(r.error()));
      }
    });
  }
  server.run();
  if (demo.joinable()) demo.join();
  g_server = nullptr;
  return kExitOk;
}

}  // namespace wenku::cli
