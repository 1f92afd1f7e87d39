// Server set-up: threads, limits, security headers, access log, exception boundary.
#include "http/server.h"

#include <httplib.h>

#include <thread>

#include "core/log.h"
#include "http/responses.h"
#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

HttpServer::HttpServer(library::Library& library, const Settings& settings)
    : library_(library), settings_(settings), server_(std::make_unique<httplib::Server>()),
      site_(std::make_unique<Site>(library)), views_(std::make_unique<Views>(*site_)) {
  install_common();
  install_api_routes();
  install_page_routes();
  install_account_routes();
  install_admin_routes();
}

HttpServer::~HttpServer() = default;

void HttpServer::install_common() {
  int threads = static_cast<int>(settings_.get_int("http_threads"));
  // cpp-httplib holds a thread per open connection for as long as it is kept alive, so the
  // pool must cover the concurrent connections, not the cores: with 8 threads, 64 keep-alive
  // clients queued behind each other (280 requests/s with p99 1 s; 96 threads: 1,600/s,
  // p99 65 ms; bench/README.md "Web").
  if (threads == 0) threads = static_cast<int>(std::max(128u, 16 * std::max(1u, std::thread::hardware_concurrency())));
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server_->set_payload_max_length(static_cast<size_t>(settings_.get_int("max_upload_bytes")) + (1 << 20));
  server_->set_read_timeout(30, 0);
  server_->set_write_timeout(30, 0);
  server_->set_keep_alive_timeout(5);
  server_->set_keep_alive_max_count(1000);

  server_->set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    // Uploaded content is never interpreted as HTML by a browser, and no page is framed.
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                   "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::error("http_exception path={} error={}", req.path, what);
    send_error(res, 500, "internal", "服务器内部错误 / internal server error");
  });
  server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (req.path.rfind("/api/", 0) == 0 || res.status != 404) {
      send_error(res, res.status, res.status == 404 ? "not_found" : "error",
                 res.status == 404 ? "页面不存在 / not found" : "请求失败 / request failed");
    } else {
      res.set_content("<!DOCTYPE html><meta charset=\"utf-8\"><title>404</title><h1>页面不存在 / Not found</h1>"
                      "<p><a href=\"/\">返回首页 / Home</a></p>",
                      "text/html; charset=utf-8");
    }
  });
  server_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    log::info("http method={} path={} status={} bytes={} remote={}", req.method, req.path, res.status,
              res.body.size(), req.remote_addr);
  });
}

Result<int> HttpServer::bind(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument, "--listen needs HOST:PORT, got " + listen);
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = std::atoi(listen.substr(colon + 1).c_str());
  if (port < 0 || port > 65535) return make_error(ErrorCode::kInvalidArgument, "bad port in " + listen);
  int bound = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound < 0) return make_error(ErrorCode::kUnavailable, "cannot listen on " + listen + " (in use?)");
  return bound;
}

void HttpServer::run() { server_->listen_after_bind(); }

void HttpServer::stop() { server_->stop(); }

}  // namespace wenku::http
