#include "http/request_log.h"

#include <httplib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/log.h"

namespace wenku::http {

namespace {

// The request being served by this thread (cpp-httplib serves a connection on one thread,
// from reading the request to writing the answer and calling the logger).
struct Trace {
  std::chrono::steady_clock::time_point start;
  uint64_t streamed = 0;
  bool started = false;
};
thread_local Trace t_trace;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "123" then the rest: the rest after the digits at the start of `s` (nullopt-like: s when none).
std::string_view after_digits(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i == 0 ? std::string_view("\x01") : s.substr(i);
}

const char* const kStatusNames[] = {"unknown", "1xx", "2xx", "3xx", "4xx", "5xx"};

double round3(double v) { return std::round(v * 1000) / 1000; }

std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", ms);
  return buf;
}

std::string utc_now_iso() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

RouteClass route_class(std::string_view p) {
  if (starts_with(p, "/static/") || p == "/robots.txt" || p == "/favicon.ico") return RouteClass::kStatic;
  if (starts_with(p, "/api/v1/documents/")) {
    std::string_view rest = after_digits(p.substr(18));
    if (starts_with(rest, "/pages/")) return RouteClass::kImage;
    if (rest == "/download") return RouteClass::kDownload;
    return RouteClass::kApi;
  }
  if (starts_with(p, "/api/v1/search") || starts_with(p, "/api/v1/suggest")) return RouteClass::kSearch;
  if (starts_with(p, "/api/")) return RouteClass::kApi;
  if (p == "/s") return RouteClass::kSearch;
  if (starts_with(p, "/d/")) {
    std::string_view rest = after_digits(p.substr(3));
    if (rest.empty()) return RouteClass::kDocument;
    if (rest == "/download") return RouteClass::kDownload;
    return RouteClass::kPage;
  }
  if (p == "/admin" || starts_with(p, "/admin/")) return RouteClass::kAdmin;
  if (p == "/" || starts_with(p, "/c/") || p == "/me" || starts_with(p, "/me/") || p == "/login" ||
      p == "/register" || p == "/logout" || p == "/upload" || p == "/lang" || p == "/layout" || p == "/sitemap.xml") {
    return RouteClass::kPage;
  }
  return RouteClass::kOther;
}

std::string_view route_class_name(RouteClass c) {
  switch (c) {
    case RouteClass::kPage: return "page";
    case RouteClass::kDocument: return "document";
    case RouteClass::kSearch: return "search";
    case RouteClass::kApi: return "api";
    case RouteClass::kImage: return "image";
    case RouteClass::kDownload: return "download";
    case RouteClass::kStatic: return "static";
    case RouteClass::kAdmin: return "admin";
    case RouteClass::kOther: return "other";
  }
  return "other";
}

std::string access_log_text(const RequestRecord& r) {
  std::string path;
  path.reserve(r.path.size());
  for (char c : r.path) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '\\' || c == '%') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", u);
      path += buf;
    } else {
      path += c;
    }
  }
  std::string out = "http method=";
  out.append(r.method).append(" path=").append(path.empty() ? "-" : path);
  out.append(" status=").append(std::to_string(r.status)).append(" bytes=").append(std::to_string(r.bytes));
  out.append(" ms=").append(format_ms(r.ms)).append(" remote=").append(r.remote.empty() ? "-" : r.remote);
  if (!r.peer.empty() && r.peer != r.remote) out.append(" peer=").append(r.peer);
  out.append(" route=").append(route_class_name(r.route));
  return out;
}

std::string access_log_json(const RequestRecord& r) {
  nlohmann::ordered_json j = {{"time", utc_now_iso()},   {"method", r.method},        {"path", r.path},
                      {"status", r.status},      {"bytes", r.bytes},          {"ms", round3(r.ms)},
                      {"remote", r.remote},      {"route", route_class_name(r.route)}};
  if (!r.peer.empty() && r.peer != r.remote) j["peer"] = r.peer;
  // A path with bytes that are not UTF-8 is logged with U+FFFD in their place.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

RequestObserver::RequestObserver(metrics::Registry& registry, AccessLogFormat format)
    : registry_(registry), format_(format) {
  for (size_t i = 0; i < kRouteClasses; ++i) {
    bytes_[i] = &registry_.counter("wenku_http_response_bytes_total",
                                   "Body bytes written to clients (streamed files included), by route class.",
                                   {{"route", std::string(route_class_name(static_cast<RouteClass>(i)))}});
  }
}

void RequestObserver::begin() {
  t_trace.start = std::chrono::steady_clock::now();
  t_trace.streamed = 0;
  t_trace.started = true;
}

void RequestObserver::count_streamed(httplib::Response& res) {
  if (!res.content_provider_) return;
  res.content_provider_ = [inner = std::move(res.content_provider_)](size_t offset, size_t length,
                                                                       httplib::DataSink& sink) {
    auto write = std::move(sink.write);
    sink.write = [&write](const char* data, size_t n) {
      bool ok = write(data, n);
      if (ok) t_trace.streamed += n;
      return ok;
    };
    bool more = inner(offset, length, sink);
    sink.write = std::move(write);
    return more;
  };
}

metrics::Counter& RequestObserver::requests(size_t route, size_t status) {
  auto& slot = requests_[route * kStatusClasses + status];
  metrics::Counter* c = slot.load(std::memory_order_acquire);
  if (c == nullptr) {
    c = &registry_.counter("wenku_http_requests_total", "Requests answered, by route class and status class.",
                           {{"route", std::string(route_class_name(static_cast<RouteClass>(route)))},
                            {"status", kStatusNames[status]}});
    slot.store(c, std::memory_order_release);
  }
  return *c;
}

metrics::Histogram& RequestObserver::latency(size_t route, size_t status) {
  auto& slot = latency_[route * kStatusClasses + status];
  metrics::Histogram* h = slot.load(std::memory_order_acquire);
  if (h == nullptr) {
    h = &registry_.histogram("wenku_http_request_duration_seconds",
                             "Time from a request's headers read to its answer written, by route class and "
                             "status class.",
                             metrics::latency_buckets(),
                             {{"route", std::string(route_class_name(static_cast<RouteClass>(route)))},
                              {"status", kStatusNames[status]}});
    slot.store(h, std::memory_order_release);
  }
  return *h;
}

void RequestObserver::finish(const httplib::Request& req, const httplib::Response& res, std::string_view remote) {
  RequestRecord r;
  r.method = req.method;
  r.path = req.path;
  r.remote = remote;
  r.peer = req.remote_addr;
  r.status = res.status;
  r.route = route_class(req.path);
  if (req.method != "HEAD") r.bytes = res.content_provider_ ? t_trace.streamed : res.body.size();
  if (t_trace.started) {
    r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_trace.start).count();
  }
  t_trace.started = false;
  t_trace.streamed = 0;

  auto route = static_cast<size_t>(r.route);
  size_t status = (r.status >= 100 && r.status < 600) ? static_cast<size_t>(r.status / 100) : 0;
  requests(route, status).add();
  latency(route, status).observe(r.ms / 1000);
  bytes_[route]->add(r.bytes);

  if (format_ == AccessLogFormat::kJson) {
    if (spdlog::default_logger_raw()->should_log(spdlog::level::info)) log::line(access_log_json(r));
  } else {
    if (spdlog::default_logger_raw()->should_log(spdlog::level::info)) log::info("{}", access_log_text(r));
  }
}

}  // namespace wenku::http
