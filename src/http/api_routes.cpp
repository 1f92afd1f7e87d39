// The JSON API of DESIGN.md §5 under /api/v1, plus /healthz and /metrics. Every document
// route answers "not found" for documents the visitor may not see.
#include <httplib.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/strings.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/route_table.h"
#include "http/server.h"
#include "http/site.h"
#include "library/document_json.h"

namespace wenku::http {

namespace {


}  // namespace

// Whether this visitor may download now; takes one from the daily quotas when allowed.
// Errors: kUnauthenticated (members only), kPermissionDenied (nobody), kRateLimited (quota).
Result<void> take_download(Site& site, const Visitor& v, const store::Document& d) {
  SiteConfig cfg = site.config();
  if (!library::policy::can_manage(v.viewer(), d)) {
    if (cfg.download_who == "nobody" && !v.is_staff()) {
      return make_error(ErrorCode::kPermissionDenied, site.text(v.lang, "download_denied_nobody"));
    }
    if (cfg.download_who == "members" && !v.signed_in()) {
      return make_error(ErrorCode::kUnauthenticated, site.text(v.lang, "download_denied_members"));
    }
  }
  // A reload or a resumed download within ten minutes neither counts nor uses the quota.
  if (!site.first_touch(v.key(), "dl:" + std::to_string(d.id), 600)) return {};
  WENKU_ASSIGN_OR_RETURN(bool ok, site.lib().catalogue().take_download(d.id, v.id(), v.ip, cfg.download_daily_user,
                                                                        cfg.download_daily_ip));
  if (!ok) return make_error(ErrorCode::kRateLimited, site.text(v.lang, "download_quota"));
  return {};
}

void HttpServer::install_service_routes() {
  auto& lib = library_;
  RouteTable table(*site_, *views_);

  // 200 when every backend answers, else 503; one line per backend. Why a backend is down
  // goes to the log only: its error may name hosts a visitor should not see.
  table.add(Method::kGet, "/healthz", Who::kPublic, Csrf::kNone, Answer::kJson, [&lib](Call& call) {
    httplib::Response& res = call.res;
    std::string lines;
    bool all = true;
    for (const auto& b : lib.health()) {
      all = all && b.ok;
      lines += b.name + (b.ok ? ": ok\n" : ": down\n");
      if (!b.ok) log::warn("healthz_backend_down backend={} error={}", b.name, b.error);
    }
    res.status = all ? 200 : 503;
    res.set_content((all ? "ok\n" : "unavailable\n") + lines, "text/plain; charset=utf-8");
  });

  // Open to whoever reaches the server, as before: an nginx front keeps it from the public
  // (docs/admin-guide.md, Monitoring). Figures of the library first, then this process's
  // counters and histograms.
  table.add(Method::kGet, "/metrics", Who::kPublic, Csrf::kNone, Answer::kJson, [&lib](Call& call) {
    httplib::Response& res = call.res;
    library::ServiceFigures f = lib.figures();
    std::string out;
    auto gauge = [&out](const char* name, const char* help, int64_t v) {
      metrics::append_gauge(out, name, help, static_cast<double>(v));
    };
    gauge("wenku_documents_ready", "Documents ready to read.", f.documents_ready);
    gauge("wenku_documents_processing", "Documents being processed.", f.documents_processing);
    gauge("wenku_documents_failed", "Documents that failed.", f.documents_failed);
    gauge("wenku_jobs_queued", "Jobs waiting (their retry time included).", f.jobs_queued);
    gauge("wenku_jobs_running", "Jobs running.", f.jobs_running);
    gauge("wenku_queue_oldest_job_age_seconds", "How long the longest-waiting runnable job has waited (0: none).",
          f.oldest_queued_job_age_seconds);
    gauge("wenku_index_documents", "Documents the search index holds.", f.index_documents);
    gauge("wenku_index_lag_documents", "Ready documents whose current text the search index does not hold yet.",
          f.index_lag_documents);
    gauge("wenku_index_bytes", "Size of the search index's files in the data directory.", f.index_bytes);
    out += lib.metrics().render();
    res.set_header("Cache-Control", "no-store");
    res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
  });

  table.install(*server_);
}

void HttpServer::install_api_routes() {
  auto& lib = library_;
  auto& site = *site_;
  RouteTable table(site, *views_);

  table.add(Method::kGet, R"(/api/v1/documents/(\d+))", Who::kGuest, Csrf::kNone, Answer::kJson,
            [&site](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto j = library::document_json(*doc, reason_words_in(v.lang));
    // Owners and staff also learn why a document is not public.
    j["hidden"] = doc->hidden;
    res.set_header("Cache-Control", "private, no-cache");
    send_json(res, j);
  });

  table.add(Method::kGet, R"(/api/v1/documents/(\d+)/text)", Who::kGuest, Csrf::kNone, Answer::kJson,
            [&site, &lib](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto pages = lib.catalogue().pages(doc->id);
    if (!pages.ok()) return send_error(res, pages.error());
    int64_t only = int_param(req, "page", 0, 0, 1000000);
    std::string text;
    bool found = only == 0;
    for (const auto& p : *pages) {
      if (only != 0 && p.number != only) continue;
      found = true;
      text += p.text;
      if (only == 0) text += "\n\f";
    }
    if (!found) return send_error(res, 404, "not_found", "没有这一页 / no such page");
    res.set_content(text, "text/plain; charset=utf-8");
  });

  // kPublic: the handler asks for the viewer alone (no CSRF token, language or address).
  table.add(Method::kGet, R"(/api/v1/documents/(\d+)/pages/(\d+))", Who::kPublic, Csrf::kNone, Answer::kJson,
            [&site, &lib](Call& call) {
    auto [req, res, v] = call.parts();
    const library::Viewer viewer = site.viewer(req);
    // The busiest route of the site: the row comes from the hot cache (at most a second old,
    // dropped by every web route that changes a document); the access check is made here,
    // for this visitor, on every request, as visible_document does.
    std::string id_digits = req.matches[1].str();
    if (id_digits.empty() || id_digits.size() > 18) return send_error(res, 404, "not_found", "文档不存在 / no such document");
    auto doc = site.hot().document(std::atoll(id_digits.c_str()));
    if (!doc.ok()) return send_error(res, doc.error());
    if (!library::policy::can_view(viewer, *doc)) return send_error(res, 404, "not_found", "文档不存在 / no such document");
    std::string digits = req.matches[2].str();
    int n = digits.size() > 9 ? 0 : std::atoi(digits.c_str());
    bool thumb = req.get_param_value("size") == "thumb";
    if (n < 1 || n > site.config().max_preview_pages) {
      return send_error(res, 404, "not_found", "没有这一页的预览 / no preview of this page");
    }
    // With accel_redirect nginx sends the file: only its key is looked up, never its bytes.
    const bool accel = site.front().accel_redirect;
    auto image = site.hot().page_image(*doc, n, thumb, !accel);
    if (!image.ok()) return send_error(res, image.error());
    if (!*image) {
      // Not made yet: a reader is waiting, so the page is rendered next (a render_page job,
      // rate-limited per account or address); the page's placeholder asks again.
      const std::string asker = viewer.signed_in() ? "u" + std::to_string(viewer.id) : site.client_address(req);
      if (auto h = lib.pipeline().request_page(*doc, n, asker); !h.ok()) {
        log::warn("hurry_failed document={} error={}", doc->id, h.error().message);
      }
      res.set_header("Retry-After", "2");
      return send_error(res, 404, "not_found", "页面图片还没有生成 / page image not available");
    }
    const std::string key = (*image)->key;
    std::string etag = "\"" + key.substr(0, 32) + "\"";
    res.set_header("ETag", etag);
    // Images of listed documents may sit in caches briefly; the others only in the
    // visitor's own browser, and every reuse asks again (the visibility check comes first).
    res.set_header("Cache-Control", library::policy::is_listed(*doc) ? "public, max-age=300" : "private, no-cache");
    if (req.get_header_value("If-None-Match") == etag) {
      res.status = 304;
      return;
    }
    if (accel) return send_accel_redirect(site, key, "image/webp", res);
    if (auto bytes = (*image)->bytes) {
      // Written from the shared buffer in one piece: no copy into the response.
      res.set_content_provider(bytes->size(), "image/webp", [bytes](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(bytes->data() + offset, length);
      });
      return;
    }
    auto size = lib.catalogue().file_size(key);
    if (!size.ok()) return send_error(res, size.error());
    // Too large to keep in memory: streamed from the blob store in chunks.
    auto* files = &lib.catalogue();
    res.set_content_provider(static_cast<size_t>(*size), "image/webp",
                             [files, key](size_t offset, size_t length, httplib::DataSink& sink) {
                               return files->read_file_range(key, offset, length, [&](std::string_view chunk) {
                                 return sink.write(chunk.data(), chunk.size());
                               }).ok();
                             });
  });

  table.add(Method::kGet, R"(/api/v1/documents/(\d+)/related)", Who::kGuest, Csrf::kNone, Answer::kJson,
            [&site, &lib](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto related = lib.search().related(doc->id, 12);
    if (!related.ok()) return send_error(res, related.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *related) {
      if (library::policy::is_listed(d) && out.size() < 10) out.push_back(library::document_json(d));
    }
    send_json(res, {{"documents", out}});
  });

  table.add(Method::kGet, R"(/api/v1/documents/(\d+)/download)", Who::kGuest, Csrf::kNone, Answer::kJson,
            [&site](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    if (req.has_param("sig")) {
      // A signed link was issued after the policy and the quotas were applied.
      int64_t expires = int_param(req, "exp", 0, 0, INT64_MAX);
      if (!site.verify_download(doc->id, expires, req.get_param_value("sig"))) {
        return send_error(res, 403, "permission_denied", "下载链接已过期 / the download link expired");
      }
    } else if (auto taken = take_download(site, v, *doc); !taken.ok()) {
      return send_error(res, taken.error());
    }
    send_original(site, *doc, req, res);
  });

  // A JSON body that is not an object is 400 before the token (form field csrf or the header).
  table.add(Method::kPost, R"(/api/v1/documents/(\d+)/reports)", Who::kGuest, Csrf::kForm, Answer::kJson,
            RouteOptions().parse_json_body(), [&site, &lib](Call& call) {
    auto [req, res, v] = call.parts();
    std::string reason = req.get_param_value("reason"), detail = req.get_param_value("detail");
    if (starts_with(req.get_header_value("Content-Type"), "application/json")) {
      auto j = nlohmann::json::parse(req.body, nullptr, false);
      if (j.is_discarded() || !j.is_object()) return send_error(res, 400, "invalid_argument", "bad JSON");
      reason = j.value("reason", "");
      detail = j.value("detail", "");
    }
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    static const std::set<std::string> kReasons = {"spam", "porn", "copyright", "privacy", "abuse", "other"};
    if (!kReasons.count(reason)) return send_error(res, 400, "invalid_argument", "reason must be one of spam, porn, copyright, privacy, abuse, other");
    if (!site.accounts().allow("report:" + v.ip, 30, 3600)) return send_error(res, 429, "rate_limited", site.text(v.lang, "rate_limited"));
    store::Report r;
    r.document_id = doc->id;
    r.reporter_id = v.id();
    r.reason = reason;
    r.detail = utf8_prefix(sanitize_utf8(detail), 2000);
    auto id = lib.moderation().report(r);
    if (!id.ok()) return send_error(res, id.error());
    send_json(res, {{"id", *id}, {"state", "open"}}, 201);
  });

  table.add(Method::kGet, "/api/v1/search", Who::kGuest, Csrf::kNone, Answer::kJson, [&lib](Call& call) {
    auto [req, res, v] = call.parts();
    std::string invalid;
    library::SearchRequest sr = search_request_from(req, v, &invalid);
    if (!invalid.empty()) {
      return send_error(res, 400, "invalid_argument", invalid + " 应为日期 YYYY-MM-DD / " + invalid + " must be a date YYYY-MM-DD");
    }
    if (sr.query.empty() && sr.like == 0) return send_error(res, 400, "invalid_argument", "缺少查询词 q / missing q");
    auto r = lib.search().search(sr);
    if (!r.ok()) return send_error(res, r.error());
    int64_t before = static_cast<int64_t>(r->hits.size());
    std::erase_if(r->hits, [](const library::SearchHitView& h) { return !library::policy::is_searchable(h.doc); });
    int64_t removed = before - static_cast<int64_t>(r->hits.size());
    send_json(res, library::search_response_json(*r, std::max<int64_t>(0, r->total - removed)));
  });

  table.add(Method::kGet, "/api/v1/suggest", Who::kPublic, Csrf::kNone, Answer::kJson, [&lib](Call& call) {
    auto [req, res, v] = call.parts();
    std::string q = utf8_prefix(trim(sanitize_utf8(req.get_param_value("q"))), 50);
    nlohmann::json out = nlohmann::json::array();
    if (!q.empty()) {
      if (auto sq = lib.search().suggest(q, 8); sq.ok()) {  // popular searches, then document titles
        for (const auto& x : *sq) out.push_back(x);
      }
    }
    res.set_header("Cache-Control", "public, max-age=60");
    send_json(res, {{"query", q}, {"suggestions", out}});
  });

  // Guests may upload when allow_guest_upload is on: the handler asks the site's settings.
  table.add(Method::kPost, "/api/v1/documents", Who::kGuest, Csrf::kHeader, Answer::kJson, RouteOptions().stream_body(),
            [&site, &lib](Call& call) {
    auto [req, res, v] = call.parts();
    const httplib::ContentReader& reader = *call.reader;
    SiteConfig cfg = site.config();
    if (!v.signed_in() && !cfg.allow_guest_upload) {
      return send_error(res, 401, "unauthenticated", site.text(v.lang, "login_required"));
    }
    UploadPolicy policy{static_cast<uint64_t>(cfg.max_upload_mb) << 20, cfg.upload_formats, cfg.review_before_publish};
    auto outcome = receive_upload(lib, req, reader, v, policy);
    if (!outcome.ok()) return send_error(res, outcome.error());
    send_json(res, {{"id", outcome->id}, {"status", outcome->duplicate ? "duplicate" : "processing"}}, 202);
  });

  table.install(*server_);
}

}  // namespace wenku::http
