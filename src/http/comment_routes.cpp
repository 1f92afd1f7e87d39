// Comments (评论) on the document page and the recycle bin (回收站): the forms (they work
// without JavaScript), 我的文档's and the admin's bin pages, and their JSON API. The rules
// are the library's (library/comments.h, library/recycle_bin.h); these routes check the
// CSRF token, find the document the visitor may see, and say why in the visitor's language.
#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/clock.h"
#include "core/strings.h"
#include "http/error_words.h"
#include "http/page_parts.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/route_table.h"
#include "http/server.h"
#include "http/site.h"
#include "http/views.h"
#include "library/document_json.h"

namespace wenku::http {

namespace {

constexpr int kCommentsShown = 200;  // the newest comments a document page shows

const std::set<std::string>& report_reasons() {
  static const std::set<std::string> r = {"spam", "porn", "copyright", "privacy", "abuse", "other"};
  return r;
}

void message(Site& site, const Views& views, const Visitor& v, const httplib::Request& req, httplib::Response& res,
             const std::string& text, int status) {
  Frame frame{site.text(v.lang, "error")};
  frame.noindex = true;
  send_html(res, views.page("error", {{"message", text}}, frame, v, site.origin(req)), status);
}

// The library's errors name a string of the site (library/comments.h); others are shown as
// they are.
std::string why(Site& site, const Visitor& v, const Error& e) {
  std::string t = site.text(v.lang, e.message);
  return t.empty() || t == e.message ? e.message : t;
}

int64_t match_id(const httplib::Request& req, size_t n) {
  if (req.matches.size() <= n || req.matches[n].length() > 18) return 0;
  return std::stoll(req.matches[n].str());
}

nlohmann::json comment_json(const store::Comment& c) {
  return {{"id", c.id}, {"document_id", c.document_id}, {"user", c.user_name}, {"body", c.body},
          {"created_at", c.created_at}};
}

nlohmann::json binned_json(library::Library& lib, const store::BinnedDocument& b) {
  return {{"id", b.document_id}, {"title", b.title}, {"deleted_at", b.deleted_at},
          {"purge_at", lib.recycle_bin().purge_at(b)}};
}

// The body of a JSON request, or of a form: the fields asked for.
std::map<std::string, std::string> fields(const httplib::Request& req, const std::vector<std::string>& names,
                                          bool* bad_json) {
  std::map<std::string, std::string> out;
  if (starts_with(req.get_header_value("Content-Type"), "application/json")) {
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      *bad_json = true;
      return out;
    }
    for (const auto& n : names) {
      if (j.contains(n) && j[n].is_string()) out[n] = j[n].get<std::string>();
      if (j.contains(n) && j[n].is_number_integer()) out[n] = std::to_string(j[n].get<int64_t>());
    }
    return out;
  }
  for (const auto& n : names) out[n] = req.get_param_value(n);
  return out;
}

}  // namespace

std::string document_flash(const httplib::Request& req) {
  static const std::set<std::string> known = {"comment_posted", "comment_deleted", "report_thanks", "saved"};
  std::string m = req.get_param_value("m");
  return known.count(m) ? m : std::string();
}

void add_comments(Site& site, const Visitor& v, const store::Document& d, mstch::map& ctx) {
  auto& comments = site.lib().comments();
  SiteConfig cfg = site.config();
  auto closed = comments.closed(d.id);
  bool doc_closed = closed.ok() && *closed;
  bool open = cfg.comments && !doc_closed;
  auto count = comments.count(d.id);
  int64_t total = count.ok() ? *count : 0;
  mstch::array rows;
  if (total > 0) {
    int offset = static_cast<int>(std::max<int64_t>(0, total - kCommentsShown));
    if (auto list = comments.list(d.id, offset, kCommentsShown); list.ok()) {
      for (const auto& c : *list) {
        bool mine = v.signed_in() && v.id() == c.user_id;
        rows.push_back(mstch::map{{"cid", std::to_string(c.id)},
                                  {"user", c.user_name},
                                  {"date", format_date(c.created_at)},
                                  {"body", c.body},
                                  {"can_delete", mine || v.is_admin()},
                                  {"can_report", v.signed_in() && !mine}});
      }
    }
  }
  std::string id = std::to_string(d.id);
  ctx["comments"] = rows;
  ctx["comment_count"] = std::to_string(total);
  ctx["show_comment_count"] = cfg.show_comment_count;
  ctx["comments_open"] = open;
  ctx["comments_closed_here"] = cfg.comments && doc_closed;
  ctx["comments_site_on"] = cfg.comments;
  ctx["can_comment"] = open && v.signed_in();
  ctx["comment_login"] = open && !v.signed_in();
  ctx["comment_login_next"] = url_encode("/d/" + id + "#comments");
  ctx["comment_max"] = std::to_string(comments.max_chars());
  ctx["can_close_comments"] = cfg.comments && library::policy::can_manage(v.viewer(), d);
  ctx["can_delete_document"] = library::policy::can_manage(v.viewer(), d);
  ctx["comments_toggle"] = doc_closed ? std::string("0") : std::string("1");
  ctx["comments_toggle_label"] = site.text(v.lang, doc_closed ? "open_comments" : "close_comments");
  if (open && v.signed_in() && cfg.comment_captcha) {
    library::Captcha c = comments.captcha();
    ctx["captcha"] = mstch::map{{"question", c.question}, {"token", c.token}};
  }
  if (d.hidden && library::policy::can_manage(v.viewer(), d)) {
    if (auto b = site.lib().recycle_bin().find(d.id); b.ok() && b->has_value()) {
      ctx["in_bin"] = true;
      ctx["is_hidden"] = false;
      ctx["in_review"] = false;
    }
  }
}

void HttpServer::install_comment_routes() {
  auto& lib = library_;
  auto& site = *site_;
  auto& views = *views_;
  RouteTable table(site, views);

  // ---- Comments, from the document page's forms ----

  // Guests are sent to sign in by the handler, after the 404 of a document they may not see.
  table.add(Method::kPost, R"(/d/(\d+)/comments)", Who::kGuest, Csrf::kForm, Answer::kHtml,
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return message(site, views, v, req, res, site.text(v.lang, "doc_not_found"), 404);
    if (!v.signed_in()) return redirect(res, "/login?next=" + url_encode("/d/" + std::to_string(doc->id) + "#comments"));
    auto posted = lib.comments().post(v.viewer(), *doc, req.get_param_value("body"), req.get_param_value("captcha_token"),
                                      req.get_param_value("captcha_answer"));
    if (!posted.ok()) {
      return render_document_page(site, views, v, req, res, error_words(posted.error(), v.lang), http_status(posted.error().code));
    }
    site.hot().forget_all();
    redirect(res, "/d/" + std::to_string(doc->id) + "?m=comment_posted#comment-" + std::to_string(*posted));
  });

  table.add(Method::kPost, R"(/d/(\d+)/comments/(\d+)/delete)", Who::kMember, Csrf::kForm, Answer::kHtml,
            RouteOptions().check_csrf_first(), [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return message(site, views, v, req, res, site.text(v.lang, "doc_not_found"), 404);
    auto c = lib.comments().get(match_id(req, 2));
    if (!c.ok() || !c->has_value() || (*c)->document_id != doc->id) {
      return message(site, views, v, req, res, site.text(v.lang, "comment_not_found"), 404);
    }
    auto removed = lib.comments().remove(v.viewer(), (*c)->id);
    if (!removed.ok()) return message(site, views, v, req, res, why(site, v, removed.error()), http_status(removed.error().code));
    site.hot().forget_all();
    redirect(res, "/d/" + std::to_string(doc->id) + "?m=comment_deleted#comments");
  });

  table.add(Method::kPost, R"(/d/(\d+)/comments/(\d+)/report)", Who::kGuest, Csrf::kForm, Answer::kHtml,
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return message(site, views, v, req, res, site.text(v.lang, "doc_not_found"), 404);
    auto c = lib.comments().get(match_id(req, 2));
    if (!c.ok() || !c->has_value() || (*c)->document_id != doc->id) {
      return message(site, views, v, req, res, site.text(v.lang, "comment_not_found"), 404);
    }
    std::string reason = req.get_param_value("reason");
    if (!report_reasons().count(reason)) return message(site, views, v, req, res, site.text(v.lang, "bad_request"), 400);
    if (!site.accounts().allow("report:" + v.ip, 30, 3600)) return message(site, views, v, req, res, site.text(v.lang, "rate_limited"), 429);
    store::Report r;
    r.document_id = doc->id;
    r.comment_id = (*c)->id;
    r.reporter_id = v.id();
    r.reason = reason;
    if (auto id = lib.moderation().report(r); !id.ok()) return message(site, views, v, req, res, site.text(v.lang, "error"), 500);
    redirect(res, "/d/" + std::to_string(doc->id) + "?m=report_thanks#comments");
  });

  // The owner (or an admin) closes or opens one document's comments.
  table.add(Method::kPost, R"(/me/documents/(\d+)/comments)", Who::kMember, Csrf::kForm, Answer::kHtml,
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return message(site, views, v, req, res, site.text(v.lang, "doc_not_found"), 404);
    auto r = lib.comments().set_closed(v.viewer(), *doc, req.get_param_value("closed") == "1");
    if (!r.ok()) return message(site, views, v, req, res, why(site, v, r.error()), http_status(r.error().code));
    site.hot().forget_all();
    redirect(res, "/d/" + std::to_string(doc->id) + "?m=saved#comments");
  });

  // ---- The recycle bin ----

  auto bin_page = [&lib, &site, &views](const httplib::Request& req, httplib::Response& res, const Visitor& v,
                                        bool admin) {
    int64_t page = int_param(req, "page", 1, 1, 10000);
    mstch::array rows;
    bool has_next = false;
    if (auto list = lib.recycle_bin().list(admin ? 0 : v.id(), static_cast<int>((page - 1) * 50), 51); list.ok()) {
      has_next = list->size() > 50;
      for (size_t i = 0; i < list->size() && i < 50; ++i) {
        const auto& b = (*list)[i];
        rows.push_back(mstch::map{{"id", std::to_string(b.document_id)}, {"title", b.title},
                                  {"deleted", format_date(b.deleted_at)},
                                  {"purge", format_date(lib.recycle_bin().purge_at(b))}});
      }
    }
    std::string flash = req.get_param_value("m");
    mstch::map ctx{{"bins", rows}, {"has_bins", !rows.empty()}, {"admin", admin},
                   {"action_base", std::string(admin ? "/admin/bin/" : "/me/bin/")},
                   {"flash", flash.empty() ? std::string() : site.text(v.lang, flash)},
                   {"pager", pager(page, has_next, admin ? "/admin/bin" : "/me/bin", "")}};
    Frame frame{site.text(v.lang, "recycle_bin")};
    frame.noindex = true;
    frame.here = admin ? "/admin" : "/me";
    send_html(res, views.page("bin", ctx, frame, v, site.origin(req)));
  };
  table.add(Method::kGet, "/me/bin", Who::kMember, Csrf::kNone, Answer::kHtml, RouteOptions().login("/me/bin"),
            [bin_page](Call& call) { auto [req, res, v] = call.parts(); bin_page(req, res, v, false); });
  table.add(Method::kGet, "/admin/bin", Who::kAdmin, Csrf::kNone, Answer::kHtml, RouteOptions().login("/admin/bin"),
            [bin_page](Call& call) { auto [req, res, v] = call.parts(); bin_page(req, res, v, true); });

  auto restore = [&lib, &site, &views](const httplib::Request& req, httplib::Response& res, const Visitor& v,
                                       bool admin) {
    auto r = lib.recycle_bin().restore(v.viewer(), match_id(req, 1));
    if (!r.ok()) return message(site, views, v, req, res, why(site, v, r.error()), http_status(r.error().code));
    site.hot().forget_all();
    redirect(res, std::string(admin ? "/admin/bin" : "/me/bin") + "?m=restored");
  };
  table.add(Method::kPost, R"(/me/bin/(\d+)/restore)", Who::kMember, Csrf::kForm, Answer::kHtml,
            [restore](Call& call) { auto [req, res, v] = call.parts(); restore(req, res, v, false); });
  table.add(Method::kPost, R"(/admin/bin/(\d+)/restore)", Who::kAdmin, Csrf::kForm, Answer::kHtml,
            [restore](Call& call) { auto [req, res, v] = call.parts(); restore(req, res, v, true); });
  // An admin empties one document from the bin now: deleted for good with its files.
  table.add(Method::kPost, R"(/admin/bin/(\d+)/purge)", Who::kAdmin, Csrf::kForm, Answer::kHtml,
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    auto b = lib.recycle_bin().find(match_id(req, 1));
    if (!b.ok() || !b->has_value()) return message(site, views, v, req, res, site.text(v.lang, "not_in_bin"), 404);
    if (auto r = lib.catalogue().delete_document((*b)->document_id); !r.ok()) {
      return message(site, views, v, req, res, error_words(r.error(), v.lang), http_status(r.error().code));
    }
    site.hot().forget_all();
    redirect(res, "/admin/bin?m=purged");
  });

  // ---- JSON API ----

  table.add(Method::kGet, R"(/api/v1/documents/(\d+)/comments)", Who::kGuest, Csrf::kNone, Answer::kJson,
            [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    int64_t offset = int_param(req, "offset", 0, 0, 1000000);
    int64_t limit = int_param(req, "limit", 50, 1, 200);
    auto list = lib.comments().list(doc->id, static_cast<int>(offset), static_cast<int>(limit));
    if (!list.ok()) return send_error(res, list.error());
    auto total = lib.comments().count(doc->id);
    auto closed = lib.comments().closed(doc->id);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : *list) out.push_back(comment_json(c));
    SiteConfig cfg = site.config();
    res.set_header("Cache-Control", "private, no-cache");
    send_json(res, {{"comments", out}, {"total", total.ok() ? *total : 0},
                    {"open", cfg.comments && !(closed.ok() && *closed)}, {"captcha", cfg.comment_captcha}});
  });

  table.add(Method::kGet, "/api/v1/captcha", Who::kPublic, Csrf::kNone, Answer::kJson, [&lib](Call& call) {
    httplib::Response& res = call.res;
    library::Captcha c = lib.comments().captcha();
    res.set_header("Cache-Control", "no-store");
    send_json(res, {{"question", c.question}, {"token", c.token}});
  });

  // The token may come in the JSON body (field csrf); a body that is not a JSON object is 400 first.
  table.add(Method::kPost, R"(/api/v1/documents/(\d+)/comments)", Who::kGuest, Csrf::kBodyOrForm, Answer::kJson,
            RouteOptions().parse_json_body(), [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    bool bad = false;
    auto f = fields(req, {"body", "captcha_token", "captcha_answer", "csrf"}, &bad);
    if (bad) return send_error(res, 400, "invalid_argument", "bad JSON");
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto posted = lib.comments().post(v.viewer(), *doc, f["body"], f["captcha_token"], f["captcha_answer"]);
    if (!posted.ok()) {
      return send_error(res, http_status(posted.error().code), error_code_name(posted.error().code), why(site, v, posted.error()));
    }
    site.hot().forget_all();
    auto c = lib.comments().get(*posted);
    if (!c.ok() || !c->has_value()) return send_json(res, {{"id", *posted}}, 201);
    send_json(res, comment_json(**c), 201);
  });

  table.add(Method::kDelete, R"(/api/v1/comments/(\d+))", Who::kMember, Csrf::kHeader, Answer::kJson,
            RouteOptions().check_csrf_first(), [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    auto c = lib.comments().get(match_id(req, 1));
    if (!c.ok()) return send_error(res, c.error());
    // A comment on a document the visitor may not see does not exist for them.
    auto doc = c->has_value() ? lib.catalogue().visible(v.viewer(), (*c)->document_id) : Result<store::Document>(make_error(ErrorCode::kNotFound, ""));
    if (!doc.ok()) return send_error(res, 404, "not_found", site.text(v.lang, "comment_not_found"));
    auto removed = lib.comments().remove(v.viewer(), (*c)->id);
    if (!removed.ok()) {
      return send_error(res, http_status(removed.error().code), error_code_name(removed.error().code), why(site, v, removed.error()));
    }
    site.hot().forget_all();
    res.status = 204;
  });

  table.add(Method::kPost, R"(/api/v1/comments/(\d+)/reports)", Who::kGuest, Csrf::kBodyOrForm, Answer::kJson,
            RouteOptions().parse_json_body(), [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    bool bad = false;
    auto f = fields(req, {"reason", "detail", "csrf"}, &bad);
    if (bad) return send_error(res, 400, "invalid_argument", "bad JSON");
    auto c = lib.comments().get(match_id(req, 1));
    if (!c.ok()) return send_error(res, c.error());
    auto doc = c->has_value() ? lib.catalogue().visible(v.viewer(), (*c)->document_id) : Result<store::Document>(make_error(ErrorCode::kNotFound, ""));
    if (!doc.ok()) return send_error(res, 404, "not_found", site.text(v.lang, "comment_not_found"));
    if (!report_reasons().count(f["reason"])) {
      return send_error(res, 400, "invalid_argument", "reason must be one of spam, porn, copyright, privacy, abuse, other");
    }
    if (!site.accounts().allow("report:" + v.ip, 30, 3600)) return send_error(res, 429, "rate_limited", site.text(v.lang, "rate_limited"));
    store::Report r;
    r.document_id = doc->id;
    r.comment_id = (*c)->id;
    r.reporter_id = v.id();
    r.reason = f["reason"];
    r.detail = utf8_prefix(sanitize_utf8(f["detail"]), 2000);
    auto id = lib.moderation().report(r);
    if (!id.ok()) return send_error(res, id.error());
    send_json(res, {{"id", *id}, {"state", "open"}}, 201);
  });

  table.add(Method::kGet, "/api/v1/me/bin", Who::kMember, Csrf::kNone, Answer::kJson, [&lib](Call& call) {
    auto [req, res, v] = call.parts();
    // Admins see every account's bin with ?all=1.
    bool all = v.is_admin() && req.get_param_value("all") == "1";
    auto list = lib.recycle_bin().list(all ? 0 : v.id(), static_cast<int>(int_param(req, "offset", 0, 0, 1000000)),
                                       static_cast<int>(int_param(req, "limit", 50, 1, 200)));
    if (!list.ok()) return send_error(res, list.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : *list) out.push_back(binned_json(lib, b));
    res.set_header("Cache-Control", "private, no-cache");
    send_json(res, {{"documents", out}});
  });

  // DELETE of a document moves it to the recycle bin; restore takes it out.
  table.add(Method::kDelete, R"(/api/v1/documents/(\d+))", Who::kMember, Csrf::kHeader, Answer::kJson,
            RouteOptions().check_csrf_first(), [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto r = lib.recycle_bin().bin(v.viewer(), *doc);
    if (!r.ok()) return send_error(res, http_status(r.error().code), error_code_name(r.error().code), why(site, v, r.error()));
    site.hot().forget_all();
    res.status = 204;
  });

  table.add(Method::kPost, R"(/api/v1/documents/(\d+)/restore)", Who::kMember, Csrf::kForm, Answer::kJson,
            RouteOptions().check_csrf_first(), [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    auto r = lib.recycle_bin().restore(v.viewer(), match_id(req, 1));
    if (!r.ok()) return send_error(res, http_status(r.error().code), error_code_name(r.error().code), why(site, v, r.error()));
    site.hot().forget_all();
    res.status = 204;
  });

  table.install(*server_);
}

}  // namespace wenku::http
