#include "http/request_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wenku::http {

TEST(RequestLog, RouteClassesOfTheSitesPaths) {
  EXPECT_EQ(route_class("/"), RouteClass::kPage);
  EXPECT_EQ(route_class("/c/办公文档"), RouteClass::kPage);
  EXPECT_EQ(route_class("/me/documents/3/edit"), RouteClass::kPage);
  EXPECT_EQ(route_class("/d/12"), RouteClass::kDocument);
  EXPECT_EQ(route_class("/d/12/download"), RouteClass::kDownload);
  EXPECT_EQ(route_class("/d/12/report"), RouteClass::kPage);
  EXPECT_EQ(route_class("/d/abc"), RouteClass::kPage);
  EXPECT_EQ(route_class("/s"), RouteClass::kSearch);
  EXPECT_EQ(route_class("/api/v1/search"), RouteClass::kSearch);
  EXPECT_EQ(route_class("/api/v1/suggest"), RouteClass::kSearch);
  EXPECT_EQ(route_class("/api/v1/documents/12/pages/3"), RouteClass::kImage);
  EXPECT_EQ(route_class("/api/v1/documents/12/download"), RouteClass::kDownload);
  EXPECT_EQ(route_class("/api/v1/documents/12"), RouteClass::kApi);
  EXPECT_EQ(route_class("/api/v1/documents"), RouteClass::kApi);
  EXPECT_EQ(route_class("/api/v1/documents//pages/1"), RouteClass::kApi);
  EXPECT_EQ(route_class("/static/app.js"), RouteClass::kStatic);
  EXPECT_EQ(route_class("/robots.txt"), RouteClass::kStatic);
  EXPECT_EQ(route_class("/admin"), RouteClass::kAdmin);
  EXPECT_EQ(route_class("/admin/settings"), RouteClass::kAdmin);
  EXPECT_EQ(route_class("/administrator"), RouteClass::kOther);
  EXPECT_EQ(route_class("/metrics"), RouteClass::kOther);
  EXPECT_EQ(route_class("/healthz"), RouteClass::kOther);
  EXPECT_EQ(route_class(""), RouteClass::kOther);
  EXPECT_EQ(route_class_name(RouteClass::kDownload), "download");
}

TEST(RequestLog, TextLineEscapesWhatWouldSplitIt) {
  RequestRecord r{"GET", "/s a\"b\\c\n%", "10.0.0.1", 200, 5120, 0.844, RouteClass::kSearch, ""};
  EXPECT_EQ(access_log_text(r),
            "http method=GET path=/s%20a%22b%5Cc%0A%25 status=200 bytes=5120 ms=0.84 remote=10.0.0.1 route=search");
  RequestRecord empty{"GET", "", "", 400, 0, 0, RouteClass::kOther, ""};
  EXPECT_EQ(access_log_text(empty), "http method=GET path=- status=400 bytes=0 ms=0.00 remote=- route=other");
}

TEST(RequestLog, ThePeerIsLoggedWhenAProxyForwardedTheClient) {
  RequestRecord r{"GET", "/d/1", "203.0.113.9", 200, 1, 1.0, RouteClass::kDocument, "127.0.0.1"};
  EXPECT_EQ(access_log_text(r),
            "http method=GET path=/d/1 status=200 bytes=1 ms=1.00 remote=203.0.113.9 peer=127.0.0.1 route=document");
  EXPECT_EQ(nlohmann::json::parse(access_log_json(r))["peer"], "127.0.0.1");
  RequestRecord direct{"GET", "/d/1", "127.0.0.1", 200, 1, 1.0, RouteClass::kDocument, "127.0.0.1"};
  EXPECT_EQ(access_log_text(direct).find("peer="), std::string::npos);
}

TEST(RequestLog, JsonLineIsOneObjectEvenForBytesThatAreNotUtf8) {
  RequestRecord r{"GET", "/d/1\xff\n", "::1", 404, 12, 1.23456, RouteClass::kPage, ""};
  std::string line = access_log_json(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["path"], "/d/1\xEF\xBF\xBD\n");
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["bytes"], 12);
  EXPECT_DOUBLE_EQ(j["ms"].get<double>(), 1.235);
  EXPECT_EQ(j["route"], "page");
  EXPECT_EQ(j["remote"], "::1");
  EXPECT_EQ(line.rfind("{\"time\":\"", 0), 0u);
}

}  // namespace wenku::http
