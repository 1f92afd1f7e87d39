// Accounts and a visitor's own documents: register, login, logout, upload, /me (edit, delete,
// retry, change password), and the document page's download and report forms.
#include <httplib.h>

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

namespace wenku::http {

namespace {

std::string session_cookie(const std::string& token, int64_t max_age, bool secure) {
  return "wk_session=" + token + "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

void message_page(Site& site, const Views& views, const Visitor& v, const httplib::Request& req,
                  httplib::Response& res, const std::string& key, int status) {
  send_error_page(site, views, v, req, res, key, status);
}

std::string error_key(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated: return "login_required";
    case ErrorCode::kPermissionDenied: return "forbidden";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnsupportedFormat: return "format_not_allowed";
    case ErrorCode::kNotFound: return "doc_not_found";
    default: return "bad_request";
  }
}

}  // namespace

void HttpServer::install_account_routes() {
  auto& lib = library_;
  auto& site = *site_;
  auto& views = *views_;
  RouteTable table(site, views);
  const int login_limit = static_cast<int>(settings_.get_int("login_attempts_per_10min"));
  const int register_limit = static_cast<int>(settings_.get_int("registrations_per_hour"));

  auto account_form = [&site, &views](const Visitor& v, const httplib::Request& req, httplib::Response& res,
                                      bool is_register, const std::string& error, const std::string& name, int status) {
    mstch::map ctx{{"heading", site.text(v.lang, is_register ? "register" : "login")},
                   {"action", std::string(is_register ? "/register" : "/login")},
                   {"register", is_register},
                   {"error", error},
                   {"name", name},
                   {"next", safe_next(req.get_param_value("next"))}};
    Frame frame{site.text(v.lang, is_register ? "register" : "login")};
    frame.noindex = true;
    site.finish(v, res);
    send_html(res, views.page("login", ctx, frame, v, site.origin(req)), status);
  };

  table.add(Method::kGet, "/login", Who::kGuest, Csrf::kNone, Answer::kHtml, [account_form](Call& call) {
    auto [req, res, v] = call.parts();
    account_form(v, req, res, false, "", "", 200);
  });
  table.add(Method::kGet, "/register", Who::kGuest, Csrf::kNone, Answer::kHtml, [account_form](Call& call) {
    auto [req, res, v] = call.parts();
    account_form(v, req, res, true, "", "", 200);
  });

  // Their CSRF check is their own: a wrong token shows the form again with the message.
  table.add(Method::kPost, "/login", Who::kGuest, Csrf::kOwn, Answer::kHtml,
            [&site, account_form, login_limit](Call& call) {
    auto [req, res, v] = call.parts();
    std::string name = trim(sanitize_utf8(req.get_param_value("name")));
    if (!site.csrf_ok(v, req, req.get_param_value("csrf")) || !v.has_cookies) {
      return account_form(v, req, res, false, site.text(v.lang, "csrf_failed"), name, 403);
    }
    if (!site.accounts().allow("login-ip:" + v.ip, login_limit, 600) ||
        !site.accounts().allow("login-name:" + to_lower_ascii(name), login_limit, 600)) {
      return account_form(v, req, res, false, site.text(v.lang, "rate_limited"), name, 429);
    }
    auto session = site.accounts().login(name, req.get_param_value("password"));
    if (!session.ok()) return account_form(v, req, res, false, error_words(session.error(), v.lang), name, 401);
    res.set_header("Set-Cookie", session_cookie(session->token, library::Accounts::kSessionSeconds, site.behind_https(v)));
    redirect(res, safe_next(req.get_param_value("next")));
  });

  table.add(Method::kPost, "/register", Who::kGuest, Csrf::kOwn, Answer::kHtml,
            [&site, account_form, register_limit](Call& call) {
    auto [req, res, v] = call.parts();
    std::string name = trim(sanitize_utf8(req.get_param_value("name")));
    if (!site.csrf_ok(v, req, req.get_param_value("csrf")) || !v.has_cookies) {
      return account_form(v, req, res, true, site.text(v.lang, "csrf_failed"), name, 403);
    }
    std::string password = req.get_param_value("password");
    if (req.has_param("password2") && req.get_param_value("password2") != password) {
      return account_form(v, req, res, true, site.text(v.lang, "passwords_differ"), name, 400);
    }
    if (!site.accounts().allow("register-ip:" + v.ip, register_limit, 3600)) {
      return account_form(v, req, res, true, site.text(v.lang, "rate_limited"), name, 429);
    }
    auto id = site.accounts().create_user(name, password, store::Role::kMember);
    if (!id.ok()) return account_form(v, req, res, true, error_words(id.error(), v.lang), name, http_status(id.error().code));
    auto session = site.accounts().login(name, password);
    if (!session.ok()) return account_form(v, req, res, true, error_words(session.error(), v.lang), name, 500);
    res.set_header("Set-Cookie", session_cookie(session->token, library::Accounts::kSessionSeconds, site.behind_https(v)));
    redirect(res, safe_next(req.get_param_value("next")));
  });

  // A post without the token signs nobody out (and still clears the cookie).
  table.add(Method::kPost, "/logout", Who::kGuest, Csrf::kOwn, Answer::kHtml, [&site](Call& call) {
    auto [req, res, v] = call.parts();
    if (v.signed_in() && site.csrf_ok(v, req, req.get_param_value("csrf"))) (void)site.accounts().logout(v.session_hash);
    res.set_header("Set-Cookie", "wk_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    redirect(res, "/");
  });

  table.add(Method::kGet, "/upload", Who::kMember, Csrf::kNone, Answer::kHtml, RouteOptions().login("/upload"),
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    SiteConfig cfg = site.config();
    mstch::array cats;
    if (auto c = lib.catalogue().categories(); c.ok()) {
      for (const auto& x : *c) cats.push_back(mstch::map{{"path", x.path}});
    }
    mstch::map ctx{{"categories", cats},
                   {"formats", cfg.upload_formats.empty() ? site.text(v.lang, "any_format") : cfg.upload_formats},
                   {"max_mb", std::to_string(cfg.max_upload_mb)},
                   {"max_bytes", std::to_string(cfg.max_upload_mb << 20)},
                   {"error", site.text(v.lang, req.get_param_value("e").empty() ? "" : req.get_param_value("e"))}};
    if (req.get_param_value("e").empty()) ctx["error"] = std::string();
    Frame frame{site.text(v.lang, "upload_title")};
    frame.noindex = true;
    frame.here = "/upload";
    send_html(res, views.page("upload", ctx, frame, v, site.origin(req)));
  });

  // Without JavaScript the upload form posts here: the first file, then its page.
  // The token of a multipart form cannot be peeked from a streamed body: the form carries it
  // in the query string of its action URL; the header is accepted too. A body without either
  // is refused before anything is stored.
  table.add(Method::kPost, "/upload", Who::kMember, Csrf::kForm, Answer::kHtml,
            RouteOptions().stream_body().login("/upload").csrf_fails_to("/upload?e=csrf_failed"),
            [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    const httplib::ContentReader& reader = *call.reader;
    SiteConfig cfg = site.config();
    UploadPolicy policy{static_cast<uint64_t>(cfg.max_upload_mb) << 20, cfg.upload_formats, cfg.review_before_publish};
    auto outcome = receive_upload(lib, req, reader, v, policy);
    if (!outcome.ok()) return redirect(res, "/upload?e=" + error_key(outcome.error().code));
    redirect(res, "/d/" + std::to_string(outcome->id));
  });

  table.add(Method::kPost, R"(/d/(\d+)/download)", Who::kGuest, Csrf::kForm, Answer::kHtml,
            [&site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok() && answer_if_unavailable(doc.error(), res)) return;
    if (!doc.ok()) return message_page(site, views, v, req, res, "doc_not_found", 404);
    if (auto taken = take_download(site, v, *doc); !taken.ok()) {
      if (taken.error().code == ErrorCode::kUnauthenticated) {
        return redirect(res, "/login?next=" + url_encode("/d/" + std::to_string(doc->id)));
      }
      Frame frame{site.text(v.lang, "error")};
      frame.noindex = true;
      return send_html(res, views.page("error", {{"message", error_words(taken.error(), v.lang)}}, frame, v, site.origin(req)),
                       http_status(taken.error().code));
    }
    int64_t expires = now_unix() + 600;
    redirect(res, "/api/v1/documents/" + std::to_string(doc->id) + "/download?exp=" + std::to_string(expires) +
                      "&sig=" + site.sign_download(doc->id, expires));
  });

  table.add(Method::kPost, R"(/d/(\d+)/report)", Who::kGuest, Csrf::kForm, Answer::kHtml,
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok() && answer_if_unavailable(doc.error(), res)) return;
    if (!doc.ok()) return message_page(site, views, v, req, res, "doc_not_found", 404);
    std::string reason = req.get_param_value("reason");
    static const std::set<std::string> kReasons = {"spam", "porn", "copyright", "privacy", "abuse", "other"};
    if (!kReasons.count(reason)) return message_page(site, views, v, req, res, "bad_request", 400);
    if (!site.accounts().allow("report:" + v.ip, 30, 3600)) return message_page(site, views, v, req, res, "rate_limited", 429);
    store::Report r;
    r.document_id = doc->id;
    r.reporter_id = v.id();
    r.reason = reason;
    r.detail = utf8_prefix(sanitize_utf8(req.get_param_value("detail")), 2000);
    if (auto id = lib.moderation().report(r); !id.ok()) return message_page(site, views, v, req, res, "error", 500);
    render_document_page(site, views, v, req, res, "report_thanks");
  });

  // ---- /me: my documents ----

  table.add(Method::kGet, "/me", Who::kMember, Csrf::kNone, Answer::kHtml, RouteOptions().login("/me"),
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t page = int_param(req, "page", 1, 1, 10000);
    store::DocumentFilter f;
    f.uploader_id = v.id();
    f.limit = 51;
    f.offset = static_cast<int>((page - 1) * 50);
    auto docs = lib.catalogue().list(f);
    std::set<int64_t> in_review;
    if (auto q = lib.moderation().review_queue(10000); q.ok()) in_review.insert(q->begin(), q->end());
    std::set<int64_t> binned;  // shown on /me/bin instead
    if (auto b = lib.recycle_bin().list(v.id(), 0, 100000); b.ok()) {
      for (const auto& x : *b) binned.insert(x.document_id);
    }
    mstch::array rows;
    bool has_next = false;
    if (docs.ok()) {
      has_next = docs->size() > 50;
      for (size_t i = 0; i < docs->size() && i < 50; ++i) {
        const auto& d = (*docs)[i];
        if (binned.count(d.id)) continue;
        mstch::map row = doc_card(site, v.lang, d);
        std::string key = d.hidden ? (in_review.count(d.id) ? "review" : "hidden") : std::string(library::status_name(d.status));
        row["status_key"] = key;
        row["status"] = site.text(v.lang, "status_" + key);
        row["error"] = error_words(d.error, v.lang);
        row["failed"] = d.status == store::DocumentStatus::kFailed;
        row["downloads"] = std::to_string(d.downloads);
        row["category"] = d.category_path;
        row["description"] = d.description;
        std::string tags;
        for (const auto& t : d.tags) tags += (tags.empty() ? "" : ",") + t;
        row["tags"] = tags;
        row["visibility"] = site.text(v.lang, "vis_" + std::string(library::visibility_name(d.visibility)));
        mstch::array vis;
        for (auto vv : {store::Visibility::kPublic, store::Visibility::kUnlisted, store::Visibility::kPrivate}) {
          std::string name(library::visibility_name(vv));
          vis.push_back(mstch::map{{"value", name}, {"label", site.text(v.lang, "vis_" + name)}, {"selected", vv == d.visibility}});
        }
        row["vis_options"] = vis;
        rows.push_back(row);
      }
    }
    std::string flash = req.get_param_value("m");
    mstch::map ctx{{"docs", rows}, {"user_name", v.user->name},
                   {"flash", flash.empty() ? std::string() : site.text(v.lang, flash)},
                   {"pager", pager(page, has_next, "/me", "")}};
    add_social_to_me(site, v, ctx);
    Frame frame{site.text(v.lang, "my_documents")};
    frame.noindex = true;
    frame.here = "/me";
    send_html(res, views.page("me", ctx, frame, v, site.origin(req)));
  });

  // Owner (or admin) actions on one document.
  auto manage = [&site, &views](const httplib::Request& req, httplib::Response& res, const Visitor& v,
                                const std::function<Result<void>(const store::Document&)>& action, const char* done) {
    auto doc = visible_document(site, v, req);
    if (!doc.ok() && answer_if_unavailable(doc.error(), res)) return;
    if (!doc.ok()) return message_page(site, views, v, req, res, "doc_not_found", 404);
    if (!library::policy::can_manage(v.viewer(), *doc)) return message_page(site, views, v, req, res, "forbidden", 403);
    auto done_action = action(*doc);
    // Whatever the action did (edit, visibility, delete, retry), the next request reads the row.
    site.hot().forget_all();
    if (auto& r = done_action; !r.ok()) {
      Frame frame{site.text(v.lang, "error")};
      return send_html(res, views.page("error", {{"message", error_words(r.error(), v.lang)}}, frame, v, site.origin(req)),
                       http_status(r.error().code));
    }
    redirect(res, std::string("/me?m=") + done);
  };

  table.add(Method::kPost, R"(/me/documents/(\d+)/retry)", Who::kMember, Csrf::kForm, Answer::kHtml,
            [&lib, manage](Call& call) {
    auto [req, res, v] = call.parts();
    manage(req, res, v, [&lib](const store::Document& d) { return lib.catalogue().retry(d.id); }, "saved");
  });
  // Deleting moves the document to the recycle bin (restorable for recycle_days).
  table.add(Method::kPost, R"(/me/documents/(\d+)/delete)", Who::kMember, Csrf::kForm, Answer::kHtml,
            [&lib, manage](Call& call) {
    auto [req, res, v] = call.parts();
    manage(req, res, v, [&lib, &v](const store::Document& d) {
      return lib.recycle_bin().bin(v.viewer(), d);
    }, lib.recycle_bin().enabled() ? "moved_to_bin" : "deleted");
  });
  table.add(Method::kPost, R"(/me/documents/(\d+)/edit)", Who::kMember, Csrf::kForm, Answer::kHtml,
            [&lib, manage](Call& call) {
    auto [req, res, v] = call.parts();
    manage(req, res, v, [&lib, &req](const store::Document& d) -> Result<void> {
      store::DocumentUpdate u;
      std::string title = utf8_prefix(trim(sanitize_utf8(req.get_param_value("title"))), 200);
      if (!title.empty()) u.title = title;
      if (req.has_param("category")) u.category_path = utf8_prefix(trim(sanitize_utf8(req.get_param_value("category"))), 200);
      if (req.has_param("description")) u.description = utf8_prefix(trim(sanitize_utf8(req.get_param_value("description"))), 5000);
      if (req.has_param("tags")) {
        std::vector<std::string> tags;
        for (const auto& t : split(sanitize_utf8(req.get_param_value("tags")), ',')) {
          std::string tag = utf8_prefix(trim(t), 40);
          if (!tag.empty() && tags.size() < 20) tags.push_back(tag);
        }
        u.tags = tags;
      }
      std::string vis = req.get_param_value("visibility");
      if (vis == "public" || vis == "unlisted" || vis == "private") u.visibility = library::parse_visibility(vis);
      return lib.catalogue().update_document(d.id, u);
    }, "saved");
  });

  table.add(Method::kPost, "/me/password", Who::kMember, Csrf::kForm, Answer::kHtml,
            [&site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    if (!site.accounts().allow("password:" + std::to_string(v.id()), 10, 600)) {
      return message_page(site, views, v, req, res, "rate_limited", 429);
    }
    auto r = site.accounts().change_password(v.id(), req.get_param_value("old"), req.get_param_value("new"), v.session_hash);
    if (!r.ok()) {
      Frame frame{site.text(v.lang, "error")};
      return send_html(res, views.page("error", {{"message", error_words(r.error(), v.lang)}}, frame, v, site.origin(req)),
                       http_status(r.error().code));
    }
    redirect(res, "/me?m=password_changed");
  });

  table.install(*server_);
}

}  // namespace wenku::http
