// HttpServer: the web site and the JSON API over one cpp-httplib server. Routes live in the
// *_routes.cpp files, each one table (route_table.h); this file holds what every request shares.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "core/settings.h"
#include "library/library.h"

namespace httplib {
class Server;
}

namespace wenku::http {

class Views;
class Site;
class RequestObserver;

class HttpServer {
 public:
  // Throws std::invalid_argument when check_settings would fail.
  HttpServer(library::Library& library, const Settings& settings);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The settings of the site's front (trusted_proxies, public_url, accel_redirect_prefix).
  // Errors: kInvalidArgument naming the setting.
  static Result<void> check_settings(const Settings& settings);

  // Binds HOST:PORT (port 0 picks a free one). Errors: kInvalidArgument, kUnavailable.
  Result<int> bind(const std::string& listen);
  // Serves until stop() is called.
  void run();
  void stop();

 private:
  void install_service_routes();  // /healthz and /metrics: every role serves them
  void install_api_routes();
  void install_page_routes();
  void install_account_routes();
  void install_admin_routes();
  void install_comment_routes();  // comments and the recycle bin (comment_routes.cpp)
  void install_social_routes();      // favourites, ratings, collections (social_routes.cpp)
  void install_social_api_routes();  // their JSON API (social_api.cpp)
  void install_batch_routes();  // batch upload: a ZIP of files (batch_routes.cpp)
  void install_common();

  library::Library& library_;
  const Settings& settings_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Site> site_;
  std::unique_ptr<Views> views_;
  std::unique_ptr<RequestObserver> observer_;
};

}  // namespace wenku::http
