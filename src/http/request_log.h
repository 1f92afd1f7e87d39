// What every request leaves behind once its answer is written: its counters and latency in
// the metrics registry (by route class and status class), the bytes really sent (streamed
// files counted as they are written), and one access log line, key=value text or JSON.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/metrics.h"

namespace httplib {
struct Request;
struct Response;
}

namespace wenku::http {

// The families of routes whose figures are told apart on /metrics.
enum class RouteClass { kPage, kDocument, kSearch, kApi, kImage, kDownload, kStatic, kAdmin, kOther };
inline constexpr size_t kRouteClasses = 9;

RouteClass route_class(std::string_view path);
std::string_view route_class_name(RouteClass c);

// One finished request, as the access log writes it.
struct RequestRecord {
  std::string_view method, path, remote;
  int status = 0;
  uint64_t bytes = 0;   // body bytes written to the client
  double ms = 0;        // from the request's headers read to its answer written
  RouteClass route = RouteClass::kOther;
  std::string_view peer;  // the connection's address, logged when it is not `remote` (a proxy)
};

enum class AccessLogFormat { kText, kJson };

// `http method=GET path=/d/1 status=200 bytes=5120 ms=0.84 remote=127.0.0.1 route=document`;
// the path's spaces, quotes, backslashes and control bytes are %-escaped.
std::string access_log_text(const RequestRecord& r);
// {"time":"2026-01-02T03:04:05.678Z","method":"GET","path":"/d/1","status":200,"bytes":5120,
//  "ms":0.84,"remote":"127.0.0.1","route":"document"}
std::string access_log_json(const RequestRecord& r);

class RequestObserver {
 public:
  RequestObserver(metrics::Registry& registry, AccessLogFormat format);

  // The clock of the request served by this thread starts (its headers have been read).
  static void begin();
  // Wraps the answer's content provider (a streamed file) so its bytes are counted as they
  // are written. Call last before the answer is written.
  static void count_streamed(httplib::Response& res);
  // After the answer was written (cpp-httplib's logger): counters, latency, access log line.
  // `remote` is the client (from X-Forwarded-For when the peer is a trusted proxy).
  void finish(const httplib::Request& req, const httplib::Response& res, std::string_view remote);

 private:
  static constexpr size_t kStatusClasses = 6;  // unknown, 1xx .. 5xx
  metrics::Counter& requests(size_t route, size_t status);
  metrics::Histogram& latency(size_t route, size_t status);

  metrics::Registry& registry_;
  AccessLogFormat format_;
  // Series made on first use, then reached without a lock.
  std::array<std::atomic<metrics::Counter*>, kRouteClasses * kStatusClasses> requests_{};
  std::array<std::atomic<metrics::Histogram*>, kRouteClasses * kStatusClasses> latency_{};
  std::array<metrics::Counter*, kRouteClasses> bytes_{};
};

}  // namespace wenku::http
