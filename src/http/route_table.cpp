// The route table's one wrapper: visitor, JSON body, CSRF, access, exceptions.
#include "http/route_table.h"

#include <cstdlib>
#include <exception>

#include "core/log.h"
#include "core/strings.h"
#include "http/request_helpers.h"
#include "http/responses.h"

namespace wenku::http {

namespace {

bool may_call(Who who, const Visitor& v) {
  switch (who) {
    case Who::kPublic:
    case Who::kGuest: return true;
    case Who::kMember: return v.signed_in();
    case Who::kStaff: return v.is_staff();
    case Who::kAdmin: return v.is_admin();
  }
  return false;
}

// "{id}" in a login_next becomes the number of route match 1 (0 when it is not one).
std::string login_url(const Route& route, const httplib::Request& req) {
  if (route.options.login_next.empty()) return "/login";
  std::string next = route.options.login_next;
  if (size_t at = next.find("{id}"); at != std::string::npos) {
    std::string digits = req.matches.size() > 1 ? req.matches[1].str() : std::string();
    int64_t id = digits.empty() || digits.size() > 18 ? 0 : std::atoll(digits.c_str());
    next.replace(at, 4, std::to_string(id));
  }
  return "/login?next=" + url_encode(next);
}

bool csrf_passes(Site& site, const Route& route, const Call& c) {
  switch (route.csrf) {
    case Csrf::kNone:
    case Csrf::kOwn: return true;
    case Csrf::kForm: return site.csrf_ok(c.v, c.req, c.req.get_param_value("csrf"));
    case Csrf::kHeader: return site.csrf_ok(c.v, c.req, "");
    case Csrf::kBodyOrForm: {
      std::string token;
      if (starts_with(c.req.get_header_value("Content-Type"), "application/json")) {
        nlohmann::json j = c.body.is_object() ? c.body : nlohmann::json::parse(c.req.body, nullptr, false);
        if (j.is_object() && j.contains("csrf") && j["csrf"].is_string()) token = j["csrf"].get<std::string>();
        if (j.is_object() && j.contains("csrf") && j["csrf"].is_number_integer()) {
          token = std::to_string(j["csrf"].get<int64_t>());
        }
      } else {
        token = c.req.get_param_value("csrf");
      }
      return site.csrf_ok(c.v, c.req, token);
    }
  }
  return false;
}

void refuse_csrf(Site& site, const Views& views, const Route& route, Call& c) {
  if (route.answer == Answer::kJson) return send_error(c.res, 403, "csrf", site.text(c.v.lang, "csrf_failed"));
  if (!route.options.csrf_redirect.empty()) return redirect(c.res, route.options.csrf_redirect);
  send_error_page(site, views, c.v, c.req, c.res, "csrf_failed", 403);
}

void refuse_access(Site& site, const Views& views, const Route& route, Call& c) {
  if (route.answer == Answer::kJson) {
    if (!c.v.signed_in()) return send_error(c.res, 401, "unauthenticated", site.text(c.v.lang, "login_required"));
    return send_error(c.res, 403, "permission_denied", site.text(c.v.lang, "forbidden"));
  }
  if (!c.v.signed_in()) return redirect(c.res, login_url(route, c.req));
  send_error_page(site, views, c.v, c.req, c.res, "forbidden", 403);
}

// A handler threw: what it had set is dropped and the route's 500 is answered.
void answer_exception(Site& site, const Views& views, const Route& route, Call& c, const std::string& what) {
  log::error("http_exception path={} error={}", c.req.path, what);
  c.res.body.clear();
  for (const char* h : {"Content-Type", "Location", "Content-Disposition", "ETag"}) c.res.headers.erase(h);
  if (route.answer == Answer::kHtml) {
    try {
      if (route.who == Who::kPublic) c.v = site.visitor(c.req);
      return send_error_page(site, views, c.v, c.req, c.res, "error", 500);
    } catch (const std::exception&) {
      c.res.body.clear();
      c.res.headers.erase("Content-Type");
    }
  }
  send_error(c.res, 500, "internal", "服务器内部错误 / internal server error");
}

}  // namespace

void send_error_page(Site& site, const Views& views, const Visitor& v, const httplib::Request& req,
                     httplib::Response& res, const std::string& key, int status) {
  Frame frame{site.text(v.lang, "error")};
  frame.noindex = true;
  send_html(res, views.page("error", {{"message", site.text(v.lang, key)}}, frame, v, site.origin(req)), status);
}

void RouteTable::add(Method method, std::string pattern, Who who, Csrf csrf, Answer answer, RouteOptions options,
                     RouteHandler handler) {
  routes_.push_back(Route{method, std::move(pattern), who, csrf, answer, std::move(options), std::move(handler)});
}

void RouteTable::dispatch(Site& site, const Views& views, const Route& route, const httplib::Request& req,
                          httplib::Response& res, const httplib::ContentReader* reader) {
  Call c{req, res, route.who == Who::kPublic ? Visitor{} : site.visitor(req), site, reader, {}};
  try {
    if (route.options.json_body && starts_with(req.get_header_value("Content-Type"), "application/json")) {
      c.body = nlohmann::json::parse(req.body, nullptr, false);
      if (c.body.is_discarded() || !c.body.is_object()) return send_error(res, 400, "invalid_argument", "bad JSON");
    }
    if (route.options.csrf_first && !csrf_passes(site, route, c)) return refuse_csrf(site, views, route, c);
    if (!may_call(route.who, c.v)) return refuse_access(site, views, route, c);
    if (!route.options.csrf_first && !csrf_passes(site, route, c)) return refuse_csrf(site, views, route, c);
    route.handler(c);
  } catch (const std::exception& e) {
    answer_exception(site, views, route, c, e.what());
  } catch (...) {
    answer_exception(site, views, route, c, "unknown");
  }
}

void RouteTable::install(httplib::Server& server) const {
  for (const Route& route : routes_) {
    Site* site = &site_;
    const Views* views = &views_;
    if (route.options.streamed) {
      auto handler = [site, views, route](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& reader) {
        dispatch(*site, *views, route, req, res, &reader);
      };
      switch (route.method) {
        case Method::kPost: server.Post(route.pattern, handler); break;
        case Method::kPut: server.Put(route.pattern, handler); break;
        case Method::kPatch: server.Patch(route.pattern, handler); break;
        case Method::kDelete: server.Delete(route.pattern, handler); break;
        case Method::kGet: std::abort();  // a GET has no body to stream: a table error
      }
      continue;
    }
    auto handler = [site, views, route](const httplib::Request& req, httplib::Response& res) {
      dispatch(*site, *views, route, req, res, nullptr);
    };
    switch (route.method) {
      case Method::kGet: server.Get(route.pattern, handler); break;
      case Method::kPost: server.Post(route.pattern, handler); break;
      case Method::kPut: server.Put(route.pattern, handler); break;
      case Method::kPatch: server.Patch(route.pattern, handler); break;
      case Method::kDelete: server.Delete(route.pattern, handler); break;
    }
  }
}

}  // namespace wenku::http
