// /admin for moderators (reports, review queue) and admins (also users, categories, site
// settings, statistics), and the form posts behind each tab.
#include <httplib.h>

#include "core/clock.h"
#include "core/strings.h"
#include "http/charts.h"
#include "http/page_parts.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/route_table.h"
#include "http/server.h"
#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

void HttpServer::install_admin_routes() {
  auto& lib = library_;
  auto& site = *site_;
  auto& views = *views_;
  RouteTable table(site, views);
  // Moderators and admins only; guests are sent to log in and come back to /admin.
  auto to_admin = RouteOptions().login("/admin");

  table.add(Method::kGet, "/admin", Who::kStaff, Csrf::kNone, Answer::kHtml, to_admin,
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    std::string tab = req.get_param_value("tab");
    std::vector<std::pair<std::string, std::string>> tabs = {{"reports", "reports"}, {"review", "review_queue"}};
    if (v.is_admin()) {
      for (auto t : {std::pair<std::string, std::string>{"users", "users"}, {"categories", "categories"},
                     {"settings", "site_settings"}, {"stats", "statistics"}}) {
        tabs.push_back(t);
      }
    }
    bool known = false;
    for (const auto& [k, l] : tabs) known |= k == tab;
    if (!known) tab = "reports";
    mstch::array tab_links;
    for (const auto& [k, l] : tabs) tab_links.push_back(mstch::map{{"key", k}, {"label", site.text(v.lang, l)}, {"active", k == tab}});
    std::string flash = req.get_param_value("m");
    mstch::map ctx{{"tabs", tab_links}, {"tab_" + tab, true}, {"flash", flash.empty() ? std::string() : site.text(v.lang, flash)}};
    ctx["user_is_admin"] = v.is_admin();

    if (tab == "reports") {
      mstch::array rows;
      std::string state = req.get_param_value("state") == "all" ? "" : "open";
      if (auto reps = lib.moderation().reports(state, 0, 200); reps.ok()) {
        for (const auto& r : *reps) {
          rows.push_back(mstch::map{{"id", std::to_string(r.id)},
                                    {"document_id", std::to_string(r.document_id)},
                                    {"title", r.document_title},
                                    {"reason", site.text(v.lang, "reason_" + r.reason)},
                                    {"detail", r.detail},
                                    {"date", format_date(r.created_at)},
                                    {"open", r.state == "open"},
                                    {"action", r.action},
                                    {"is_comment", r.comment_id != 0},
                                    {"comment_id", std::to_string(r.comment_id)},
                                    {"comment_body", r.comment_body}});
        }
      }
      ctx["reports"] = rows;
    } else if (tab == "review") {
      mstch::array rows;
      if (auto q = lib.moderation().review_queue(200); q.ok()) {
        for (int64_t id : *q) {
          auto d = lib.catalogue().get(id);
          if (!d.ok()) continue;
          mstch::map card = doc_card(site, v.lang, *d);
          card["uploader"] = d->uploader_name;
          rows.push_back(card);
        }
      }
      ctx["queue"] = rows;
    } else if (tab == "users") {
      int64_t page = int_param(req, "page", 1, 1, 100000);
      mstch::array rows;
      bool has_next = false;
      if (auto users = lib.moderation().users(static_cast<int>((page - 1) * 100), 101); users.ok()) {
        has_next = users->size() > 100;
        for (size_t i = 0; i < users->size() && i < 100; ++i) {
          const auto& u = (*users)[i];
          mstch::array roles;
          for (auto r : {store::Role::kMember, store::Role::kModerator, store::Role::kAdmin}) {
            std::string name(library::role_name(r));
            roles.push_back(mstch::map{{"value", name}, {"label", site.text(v.lang, "role_" + name)}, {"selected", r == u.role}});
          }
          rows.push_back(mstch::map{{"id", std::to_string(u.id)}, {"name", u.name},
                                    {"role", site.text(v.lang, "role_" + std::string(library::role_name(u.role)))},
                                    {"banned", u.banned}, {"roles", roles}});
        }
      }
      ctx["users"] = rows;
      ctx["pager"] = pager(page, has_next, "/admin", "tab=users");
    } else if (tab == "categories") {
      mstch::array rows;
      if (auto cats = lib.catalogue().categories(); cats.ok()) {
        for (const auto& c : *cats) {
          size_t slash = c.path.rfind('/');
          rows.push_back(mstch::map{{"path", c.path}, {"name", c.name}, {"count", std::to_string(c.documents)},
                                    {"parent", slash == std::string::npos ? std::string() : c.path.substr(0, slash)}});
        }
      }
      ctx["categories"] = rows;
    } else if (tab == "settings") {
      SiteConfig c = site.config();
      std::map<std::string, std::string> values = {
          {"site_name", c.site_name}, {"footer_text", c.footer_text}, {"copyright", c.copyright}, {"icp", c.icp},
          {"preview_pages", std::to_string(c.preview_pages)}, {"max_preview_pages", std::to_string(c.max_preview_pages)},
          {"download_who", c.download_who}, {"download_daily_user", std::to_string(c.download_daily_user)},
          {"download_daily_ip", std::to_string(c.download_daily_ip)}, {"upload_formats", c.upload_formats},
          {"max_upload_mb", std::to_string(c.max_upload_mb)},
          {"review_before_publish", c.review_before_publish ? "true" : "false"},
          {"allow_guest_upload", c.allow_guest_upload ? "true" : "false"},
          {"allow_copy", c.allow_copy ? "true" : "false"}};
      values["comments"] = c.comments ? "true" : "false";
      values["comment_captcha"] = c.comment_captcha ? "true" : "false";
      values["show_comment_count"] = c.show_comment_count ? "true" : "false";
      values["show_favourite_count"] = c.show_favourite_count ? "true" : "false";
      values["show_rating"] = c.show_rating ? "true" : "false";
      values["watermark_text"] = c.watermark_text;
      values["watermark_pdf_download"] = c.watermark_pdf_download ? "true" : "false";
      mstch::array rows;
      for (const auto& k : site_setting_keys()) {
        rows.push_back(mstch::map{{"key", k}, {"label", site.text(v.lang, "set_" + k)}, {"value", values[k]}});
      }
      ctx["settings"] = rows;
    } else if (tab == "stats") {
      int64_t today = now_unix() / 86400;
      mstch::array charts;
      for (auto [kind, label] : {std::pair{"upload", "chart_uploads"}, {"view", "chart_views"},
                                 {"download", "chart_downloads"}, {"search", "chart_searches"},
                                 {"failed", "chart_failures"}}) {
        auto counts = lib.catalogue().daily_counts(kind, 30);
        charts.push_back(mstch::map{{"title", site.text(v.lang, label)},
                                    {"svg", daily_bar_chart(counts.ok() ? *counts : std::vector<store::DayCount>{}, 30, today)}});
      }
      auto formats = lib.catalogue().format_counts();
      charts.push_back(mstch::map{{"title", site.text(v.lang, "chart_formats")},
                                  {"svg", label_bar_chart(formats.ok() ? *formats : std::vector<store::QueryCount>{})}});
      ctx["charts"] = charts;
      store::DocumentFilter f;
      auto total = lib.catalogue().count(f);
      ctx["total_documents"] = std::to_string(total.ok() ? *total : 0);
      int64_t week = 0;
      if (auto u = lib.catalogue().daily_counts("upload", 7); u.ok()) {
        for (const auto& d : *u) week += d.count;
      }
      ctx["week_uploads"] = std::to_string(week);
    }
    Frame frame{site.text(v.lang, "admin")};
    frame.noindex = true;
    frame.here = "/admin";
    send_html(res, views.page("admin", ctx, frame, v, site.origin(req)));
  });

  table.add(Method::kPost, R"(/admin/reports/(\d+))", Who::kStaff, Csrf::kForm, Answer::kHtml, to_admin,
            [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = std::atoll(req.matches[1].str().c_str());
    std::string action = req.get_param_value("action");
    auto r = lib.moderation().resolve(id, action, v.id());
    site.hot().forget_all();
    if (!r.ok()) return send_error(res, r.error());
    redirect(res, "/admin?tab=reports&m=saved");
  });

  table.add(Method::kPost, R"(/admin/review/(\d+))", Who::kStaff, Csrf::kForm, Answer::kHtml, to_admin,
            [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = std::atoll(req.matches[1].str().c_str());
    if (auto r = lib.moderation().review(id, req.get_param_value("action") == "approve"); !r.ok()) {
      return send_error(res, r.error());
    }
    site.hot().forget_all();
    redirect(res, "/admin?tab=review&m=saved");
  });

  table.add(Method::kPost, R"(/admin/users/(\d+))", Who::kAdmin, Csrf::kForm, Answer::kHtml, to_admin,
            [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = std::atoll(req.matches[1].str().c_str());
    if (id == v.id()) return redirect(res, "/admin?tab=users");  // never lock oneself out
    std::string action = req.get_param_value("action");
    store::UserUpdate u;
    if (action == "role") {
      std::string role = req.get_param_value("role");
      if (role != "member" && role != "moderator" && role != "admin") return send_error(res, 400, "invalid_argument", "bad role");
      u.role = library::parse_role(role);
    } else if (action == "ban" || action == "unban") {
      u.banned = action == "ban";
    } else {
      return send_error(res, 400, "invalid_argument", "bad action");
    }
    if (auto r = lib.moderation().update_user(id, u); !r.ok()) return send_error(res, r.error());
    site.hot().forget_all();
    redirect(res, "/admin?tab=users&m=saved");
  });

  table.add(Method::kPost, "/admin/categories", Who::kAdmin, Csrf::kForm, Answer::kHtml, to_admin,
            [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    std::string action = req.get_param_value("action");
    std::string path = utf8_prefix(trim(sanitize_utf8(req.get_param_value("path"))), 200);
    Result<void> r;
    if (action == "create") {
      auto id = lib.catalogue().ensure_category(path);
      if (!id.ok()) r = id.error();
    } else if (action == "rename" || action == "move") {
      std::string to;
      size_t slash = path.rfind('/');
      std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
      std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
      if (action == "rename") {
        std::string n = trim(sanitize_utf8(req.get_param_value("name")));
        if (n.find('/') != std::string::npos || n.empty()) return send_error(res, 400, "invalid_argument", "bad name");
        name = n;
      } else {
        parent = trim(sanitize_utf8(req.get_param_value("parent")));
      }
      to = parent.empty() ? name : parent + "/" + name;
      r = lib.catalogue().move_category(path, utf8_prefix(to, 200));
    } else {
      return send_error(res, 400, "invalid_argument", "bad action");
    }
    if (!r.ok()) return send_error(res, r.error());
    redirect(res, "/admin?tab=categories&m=saved");
  });

  table.add(Method::kPost, "/admin/settings", Who::kAdmin, Csrf::kForm, Answer::kHtml, to_admin,
            [&site](Call& call) {
    auto [req, res, v] = call.parts();
    for (const auto& k : site_setting_keys()) {
      if (!req.has_param(k)) continue;
      if (auto r = site.save_setting(k, trim(req.get_param_value(k))); !r.ok()) return send_error(res, r.error());
    }
    redirect(res, "/admin?tab=settings&m=saved");
  });

  table.install(*server_);
}

}  // namespace wenku::http
