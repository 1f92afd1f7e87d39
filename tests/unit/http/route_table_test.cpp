// The route table's wrapper on a real httplib::Server and a real library: guests are refused
// by member routes (login redirect or 401), wrong CSRF tokens by the routes that need one,
// a body that is not JSON by JSON routes, and a handler that throws answers the JSON error
// of an API route and the error page of an HTML route.
#include "http/route_table.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "http/responses.h"
#include "http/views.h"
#include "support/test_support.h"

namespace wenku::http {
namespace {

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(settings_.set("data", (dir_ / "data").string()).ok());
    auto lib = library::Library::open(settings_, {.workers = false});
    ASSERT_TRUE(lib.ok()) << lib.error().message;
    lib_ = std::move(lib).value();
    site_ = std::make_unique<Site>(*lib_);
    views_ = std::make_unique<Views>(*site_);
    ASSERT_TRUE(site_->accounts().create_user("member1", "password-123", store::Role::kMember).ok());
    auto session = site_->accounts().login("member1", "password-123");
    ASSERT_TRUE(session.ok()) << session.error().message;
    member_cookie_ = "wk_session=" + session->token;
    httplib::Request probe;
    probe.set_header("Cookie", member_cookie_);
    member_csrf_ = site_->visitor(probe).csrf;
    ASSERT_FALSE(member_csrf_.empty());

    RouteTable table(*site_, *views_);
    auto ok = [](Call& call) { call.res.set_content("ok", "text/plain"); };
    table.add(Method::kGet, "/mine", Who::kMember, Csrf::kNone, Answer::kHtml, RouteOptions().login("/mine"), ok);
    table.add(Method::kPost, R"(/d/(\d+)/like)", Who::kMember, Csrf::kForm, Answer::kHtml, RouteOptions().login("/d/{id}"),
              ok);
    table.add(Method::kGet, "/api/mine", Who::kMember, Csrf::kNone, Answer::kJson, ok);
    table.add(Method::kGet, "/staff", Who::kStaff, Csrf::kNone, Answer::kHtml, ok);
    table.add(Method::kPost, "/form", Who::kGuest, Csrf::kForm, Answer::kHtml, ok);
    table.add(Method::kPost, "/api/write", Who::kMember, Csrf::kHeader, Answer::kJson, ok);
    table.add(Method::kPost, "/api/write-first", Who::kMember, Csrf::kHeader, Answer::kJson,
              RouteOptions().check_csrf_first(), ok);
    table.add(Method::kPost, "/api/body", Who::kGuest, Csrf::kBodyOrForm, Answer::kJson, RouteOptions().parse_json_body(),
              [](Call& call) { send_json(call.res, {{"name", call.body.value("name", "")}}); });
    table.add(Method::kGet, "/api/boom", Who::kGuest, Csrf::kNone, Answer::kJson,
              [](Call&) { throw std::runtime_error("broken handler"); });
    table.add(Method::kGet, "/boom", Who::kGuest, Csrf::kNone, Answer::kHtml,
              [](Call&) { throw std::runtime_error("broken handler"); });
    table.add(Method::kGet, "/who", Who::kGuest, Csrf::kNone, Answer::kJson, [](Call& call) {
      auto [req, res, v] = call.parts();
      send_json(res, {{"member", v.signed_in()}, {"lang", call.lang()}, {"path", req.path}});
    });
    table.install(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_follow_location(false);
    return c;
  }
  static std::string error_code(const httplib::Result& r) {
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }

  testing::TempDir dir_;
  Settings settings_;
  std::unique_ptr<library::Library> lib_;
  std::unique_ptr<Site> site_;
  std::unique_ptr<Views> views_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string member_cookie_;
  std::string member_csrf_;
};

TEST_F(RouteTableTest, AMemberRouteSendsAGuestToSignInAndComeBack) {
  auto c = client();
  auto page = c.Get("/mine");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  // (httplib's client decodes Location: the wire has next=%2Fmine.)
  EXPECT_EQ(page->get_header_value("Location"), "/login?next=/mine");
  // "{id}" in the way back is the route's number.
  auto post = c.Post("/d/42/like", "csrf=x", "application/x-www-form-urlencoded");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 303);
  EXPECT_EQ(post->get_header_value("Location"), "/login?next=/d/42");
  // The API answers 401 with its JSON error.
  auto api = c.Get("/api/mine");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  EXPECT_EQ(error_code(api), "unauthenticated");
  // A member passes.
  httplib::Headers member{{"Cookie", member_cookie_}};
  auto mine = c.Get("/mine", member);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, 200);
  EXPECT_EQ(mine->body, "ok");
}

TEST_F(RouteTableTest, AStaffRouteRefusesAMemberWithTheForbiddenPage) {
  auto c = client();
  auto r = c.Get("/staff", httplib::Headers{{"Cookie", member_cookie_}, {"Accept-Language", "en"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(r->body.find(site_->text("en", "forbidden")), std::string::npos);
}

TEST_F(RouteTableTest, ACsrfRouteRefusesAWrongToken) {
  auto c = client();
  const std::string guest_token(64, 'a');
  httplib::Headers guest{{"Cookie", "wk_csrf=" + guest_token}, {"Accept-Language", "en"}};
  auto wrong = c.Post("/form", guest, "csrf=" + std::string(64, 'b'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_NE(wrong->body.find(site_->text("en", "csrf_failed")), std::string::npos);
  auto right = c.Post("/form", guest, "csrf=" + guest_token, "application/x-www-form-urlencoded");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);

  // JSON: the header, 403 "csrf"; a guest is refused for being a guest first, unless the
  // route checks the token first.
  auto json_wrong = c.Post("/api/write", httplib::Headers{{"Cookie", member_cookie_}, {"X-CSRF-Token", "nope"}}, "", "text/plain");
  ASSERT_TRUE(json_wrong);
  EXPECT_EQ(json_wrong->status, 403);
  EXPECT_EQ(error_code(json_wrong), "csrf");
  auto json_right = c.Post("/api/write", httplib::Headers{{"Cookie", member_cookie_}, {"X-CSRF-Token", member_csrf_}}, "",
                           "text/plain");
  ASSERT_TRUE(json_right);
  EXPECT_EQ(json_right->status, 200);
  auto guest_json = c.Post("/api/write", guest, "", "text/plain");
  ASSERT_TRUE(guest_json);
  EXPECT_EQ(guest_json->status, 401);
  auto guest_first = c.Post("/api/write-first", guest, "", "text/plain");
  ASSERT_TRUE(guest_first);
  EXPECT_EQ(guest_first->status, 403);
  EXPECT_EQ(error_code(guest_first), "csrf");
}

TEST_F(RouteTableTest, AJsonBodyCarriesTheTokenAndABadOneIsRefusedFirst) {
  auto c = client();
  const std::string token(64, 'c');
  httplib::Headers guest{{"Cookie", "wk_csrf=" + token}};
  auto bad = c.Post("/api/body", guest, "[1, 2", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(error_code(bad), "invalid_argument");
  auto wrong = c.Post("/api/body", guest, R"({"name":"甲","csrf":"nope"})", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  auto right = c.Post("/api/body", guest, R"({"name":"甲","csrf":")" + token + "\"}", "application/json");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_EQ(nlohmann::json::parse(right->body)["name"], "甲");
}

TEST_F(RouteTableTest, AThrowingHandlerAnswersTheErrorOfItsKind) {
  auto c = client();
  auto api = c.Get("/api/boom");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 500);
  EXPECT_EQ(error_code(api), "internal");
  EXPECT_EQ(api->body.find("broken handler"), std::string::npos);  // the reason goes to the log only
  auto page = c.Get("/boom", httplib::Headers{{"Accept-Language", "en"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 500);
  EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page->body.find(site_->text("en", "error")), std::string::npos);
  EXPECT_EQ(page->body.find("broken handler"), std::string::npos);
}

TEST_F(RouteTableTest, TheHandlerGetsTheResolvedVisitor) {
  auto c = client();
  auto guest = c.Get("/who", httplib::Headers{{"Accept-Language", "en"}});
  ASSERT_TRUE(guest);
  auto g = nlohmann::json::parse(guest->body);
  EXPECT_FALSE(g["member"].get<bool>());
  EXPECT_EQ(g["lang"], "en");
  EXPECT_EQ(g["path"], "/who");
  auto member = c.Get("/who", httplib::Headers{{"Cookie", member_cookie_}});
  ASSERT_TRUE(member);
  EXPECT_TRUE(nlohmann::json::parse(member->body)["member"].get<bool>());
}

}  // namespace
}  // namespace wenku::http
