// Server set-up: threads, limits, security headers, access log, exception boundary.
#include "http/server.h"

#include <httplib.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include "core/log.h"
#include "http/request_log.h"
#include "http/responses.h"
#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

namespace {

// Uploaded content is never interpreted as HTML by a browser, and no page is framed.
void set_security_headers(httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                 "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
}

// The methods whose body cpp-httplib reads (into req.body or through a ContentReader).
bool body_is_read(const httplib::Request& req) {
  return req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
}

// Content-Length as a number; nullopt when absent, -1 when it is not a plain decimal number.
std::optional<int64_t> declared_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  std::string v = req.get_header_value("Content-Length");
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) return -1;
  errno = 0;
  long long n = std::strtoll(v.c_str(), nullptr, 10);
  return errno == 0 ? static_cast<int64_t>(n) : -1;
}

bool declares_body(const httplib::Request& req) {
  auto len = declared_length(req);
  return req.has_header("Transfer-Encoding") || (len && *len != 0);
}

// cpp-httplib 0.11 keeps a connection alive after any answer and parses the bytes a route left
// unread as the next request; its line reader grows without bound on bytes that hold no
// newline, so a refused 2 GB upload took the server to 2-4 GB. A handler cannot end the
// connection (Connection: close in the answer does not), but a content provider that fails
// does: httplib then closes the socket. So the answer is written whole, then the provider
// reports failure. The client reads a complete response with `Connection: close`.
void close_after_response(httplib::Response& res) {
  if (res.content_provider_) return;
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  std::string type = res.has_header("Content-Type") ? res.get_header_value("Content-Type") : "text/plain";
  for (const char* h : {"Content-Type", "Content-Length", "Connection", "Keep-Alive"}) res.headers.erase(h);
  res.set_header("Connection", "close");
  res.set_header("Content-Length", std::to_string(body->size()));
  if (body->empty()) {
    res.set_content_provider(type, [](size_t, httplib::DataSink&) { return false; });
    return;
  }
  res.set_content_provider(body->size(), type, [body](size_t offset, size_t length, httplib::DataSink& sink) {
    sink.write(body->data() + offset, length);
    return false;  // written in full; failing is what makes httplib close the connection
  });
}

// A backend (PostgreSQL, the bucket, a search shard) that does not answer: every route
// says so the same way (issue 12). The API answers its JSON error, pages a plain page that
// needs nothing from the library (which is what is down), both with Retry-After. /healthz
// keeps its own answer (which backends are down).
constexpr const char* kRetryAfterSeconds = "5";

void answer_unavailable(const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/healthz" || req.path == "/metrics" || res.content_provider_) return;
  res.set_header("Retry-After", kRetryAfterSeconds);
  // httplib has counted the body already (Content-Length) when this runs: count it again.
  const auto recount = [&res] {
    res.headers.erase("Content-Length");
    res.set_header("Content-Length", std::to_string(res.body.size()));
  };
  if (req.path.rfind("/api/", 0) == 0) {
    send_error(res, 503, "unavailable", "服务暂时不可用，请稍后再试 / service temporarily unavailable, please try again later");
    return recount();
  }
  res.set_content("<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>503 服务暂时不可用</title>"
                  "<h1>服务暂时不可用 / Service temporarily unavailable</h1>"
                  "<p>请稍后再试。 / Please try again in a moment.</p><p><a href=\"/\">返回首页 / Home</a></p>",
                  "text/html; charset=utf-8");
  recount();
}

}  // namespace

HttpServer::HttpServer(library::Library& library, const Settings& settings)
    : library_(library), settings_(settings), server_(std::make_unique<httplib::Server>()),
      site_(std::make_unique<Site>(library)), views_(std::make_unique<Views>(*site_)),
      observer_(std::make_unique<RequestObserver>(library.metrics(), settings.get("access_log_format") == "json"
                                                                           ? AccessLogFormat::kJson
                                                                           : AccessLogFormat::kText)) {
  install_common();
  install_service_routes();
  // A worker process (role=worker) answers only /healthz and /metrics (DESIGN.md §6).
  if (settings.get("role") == "worker") return;
  install_api_routes();
  install_page_routes();
  install_account_routes();
  install_admin_routes();
  install_comment_routes();
  install_social_routes();
  install_social_api_routes();
  install_batch_routes();
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
  // The largest body read at all: the upload limit plus room for the multipart framing and
  // form fields. httplib refuses larger ones itself only after reading and discarding the
  // whole declared body, so they are refused below before any route (or 100 Continue) runs.
  const int64_t body_cap = settings_.get_int("max_upload_bytes") + (1 << 20);
  server_->set_payload_max_length(static_cast<size_t>(body_cap));
  server_->set_read_timeout(30, 0);
  server_->set_write_timeout(30, 0);
  server_->set_keep_alive_timeout(5);
  server_->set_keep_alive_max_count(1000);

  // A client that asks first is told before it sends a byte of an over-limit body.
  server_->set_expect_100_continue_handler([body_cap](const httplib::Request& req, httplib::Response& res) {
    RequestObserver::begin();
    auto len = declared_length(req);
    if (len && *len > body_cap) {
      set_security_headers(res);
      send_error(res, 413, "too_large", "文件太大 / the file is too large");
      return 413;
    }
    return 100;
  });
  server_->set_pre_routing_handler([body_cap](const httplib::Request& req, httplib::Response& res) {
    RequestObserver::begin();
    set_security_headers(res);
    if (body_is_read(req)) {
      auto len = declared_length(req);
      // Without a length httplib 0.11 reads a body (chunked, or up to the end of the
      // connection) into memory with no limit; browsers always send Content-Length.
      if (req.has_header("Transfer-Encoding") || (!len && req.method != "DELETE")) {
        send_error(res, 411, "length_required", "需要 Content-Length / Content-Length required");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (len && *len < 0) {
        send_error(res, 400, "bad_request", "Content-Length 无效 / invalid Content-Length");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (len && *len > body_cap) {
        send_error(res, 413, "too_large", "文件太大 / the file is too large");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Runs on every answer just before it is written: a request whose body may be left unread
  // (refused early, or a method httplib does not read a body for) ends its connection. Not
  // HEAD: its answer has no body to fail on; like an endless request line, the nginx front
  // (SECURITY.md) is what bounds that.
  server_->set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 503) answer_unavailable(req, res);
    if (declares_body(req) && (res.status >= 400 || !body_is_read(req))) close_after_response(res);
    RequestObserver::count_streamed(res);
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
  // Called after the answer is written: its real bytes and duration are known. `remote` is
  // the client (from X-Forwarded-For when the peer is a trusted proxy).
  server_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    observer_->finish(req, res, site_->client_address(req));
  });
}

Result<void> HttpServer::check_settings(const Settings& settings) {
  WENKU_TRY(FrontSettings::from(settings));
  return {};
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
