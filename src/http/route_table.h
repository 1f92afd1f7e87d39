// The routes of the site as a table: each row names its method, pattern, who may call it,
// where its CSRF token comes from and whether it answers JSON or HTML. install() wraps every
// handler once with what all routes share: the visitor is resolved, callers who may not call
// the route and wrong CSRF tokens are refused, and an exception becomes the route's 500 (the
// JSON error of the API, the error page of the site).
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

enum class Method { kGet, kPost, kPut, kPatch, kDelete };

// Who may call a route. kPublic resolves no visitor at all (static files, the page images:
// the busiest routes skip the session lookup); kGuest is anyone, with the visitor resolved.
// kStaff is a moderator or an admin.
enum class Who { kPublic, kGuest, kMember, kStaff, kAdmin };

// Where the CSRF token of a state-changing route comes from (Site::csrf_ok: a request without
// any cookie carries no ambient authority and passes).
enum class Csrf {
  kNone,
  kForm,        // form or query field `csrf`, else the X-CSRF-Token header
  kHeader,      // the X-CSRF-Token header only
  kBodyOrForm,  // the JSON body's `csrf` field (Content-Type application/json), else as kForm
  kOwn,         // the handler checks it: /login and /register show their form again, /logout ignores the post
};

// What a refusal and an exception look like: the API's JSON error or the site's error page.
enum class Answer { kHtml, kJson };

struct RouteOptions {
  // The token is checked before who may call (a guest with a wrong token: 403, not 401 or login).
  bool csrf_first = false;
  // A JSON body (Content-Type application/json) that is not an object answers 400 "bad JSON"
  // before the CSRF check; the object is Call::body.
  bool json_body = false;
  // The handler reads the body itself through Call::reader (uploads, streamed to the library).
  bool streamed = false;
  // HTML: a guest is sent to /login?next=<this> ("{id}": the number of route match 1);
  // empty: to /login.
  std::string login_next;
  // HTML: a wrong token is redirected here instead of answering the error page.
  std::string csrf_redirect;

  // Set one by one, in a table row: RouteOptions().login("/upload").stream_body().
  RouteOptions& check_csrf_first() { csrf_first = true; return *this; }
  RouteOptions& parse_json_body() { json_body = true; return *this; }
  RouteOptions& stream_body() { streamed = true; return *this; }
  RouteOptions& login(std::string next) { login_next = std::move(next); return *this; }
  RouteOptions& csrf_fails_to(std::string to) { csrf_redirect = std::move(to); return *this; }
};

// One request as a handler sees it.
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  Visitor v;  // empty for Who::kPublic
  Site& site;
  const httplib::ContentReader* reader = nullptr;  // RouteOptions::streamed
  nlohmann::json body;                             // RouteOptions::json_body with a JSON request

  const std::string& lang() const { return v.lang; }
  // `auto [req, res, v] = call.parts();` at the head of a handler.
  std::tuple<const httplib::Request&, httplib::Response&, const Visitor&> parts() const { return {req, res, v}; }
};

using RouteHandler = std::function<void(Call&)>;

struct Route {
  Method method;
  std::string pattern;
  Who who;
  Csrf csrf;
  Answer answer;
  RouteOptions options;
  RouteHandler handler;
};

class RouteTable {
 public:
  RouteTable(Site& site, const Views& views) : site_(site), views_(views) {}

  // One row of the table.
  void add(Method method, std::string pattern, Who who, Csrf csrf, Answer answer, RouteHandler handler) {
    add(method, std::move(pattern), who, csrf, answer, RouteOptions{}, std::move(handler));
  }
  void add(Method method, std::string pattern, Who who, Csrf csrf, Answer answer, RouteOptions options,
           RouteHandler handler);

  const std::vector<Route>& routes() const { return routes_; }

  // Registers every row on `server`, its handler wrapped by dispatch(). The table must outlive
  // nothing: each registration keeps its own copy of the row.
  void install(httplib::Server& server) const;

  // What the wrapper does for one request of `route`: visitor, body, CSRF, access, handler,
  // exceptions. Public for tests.
  static void dispatch(Site& site, const Views& views, const Route& route, const httplib::Request& req,
                       httplib::Response& res, const httplib::ContentReader* reader);

 private:
  Site& site_;
  const Views& views_;
  std::vector<Route> routes_;
};

// The site's error page: the `error` template with the string `key` of the visitor's language.
void send_error_page(Site& site, const Views& views, const Visitor& v, const httplib::Request& req,
                     httplib::Response& res, const std::string& key, int status);

}  // namespace wenku::http
