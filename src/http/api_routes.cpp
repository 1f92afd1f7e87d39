// The JSON API of DESIGN.md §5 under /api/v1, plus /healthz and /metrics.
#include <httplib.h>

#include "core/strings.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/server.h"
#include "library/document_json.h"

namespace wenku::http {

namespace {

nlohmann::json search_json(const library::SearchResponse& r) {
  nlohmann::json j = {{"query", r.query}, {"total", r.total}, {"took_ms", r.took_ms}};
  j["hits"] = nlohmann::json::array();
  for (const auto& h : r.hits) {
    j["hits"].push_back({{"id", h.doc.id},
                         {"external_id", h.doc.external_id.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(h.doc.external_id)},
                         {"title", h.doc.title},
                         {"score", h.score},
                         {"snippet", h.snippet},
                         {"pages", h.pages},
                         {"format", h.doc.format},
                         {"page_count", h.doc.pages}});
  }
  return j;
}

}  // namespace

void HttpServer::install_api_routes() {
  auto& lib = library_;
  auto& s = *server_;

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });

  s.Get("/metrics", [&lib](const httplib::Request&, httplib::Response& res) {
    std::string out;
    auto gauge = [&](const char* name, const char* help, int64_t v) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
             std::to_string(v) + "\n";
    };
    store::DocumentFilter f;
    f.status = store::DocumentStatus::kReady;
    gauge("wenku_documents_ready", "Documents ready to read.", lib.store().count_documents(f).ok() ? *lib.store().count_documents(f) : 0);
    f.status = store::DocumentStatus::kProcessing;
    gauge("wenku_documents_processing", "Documents being processed.", *lib.store().count_documents(f));
    f.status = store::DocumentStatus::kFailed;
    gauge("wenku_documents_failed", "Documents that failed.", *lib.store().count_documents(f));
    gauge("wenku_jobs_queued", "Jobs waiting.", *lib.store().count_jobs(store::JobState::kQueued));
    gauge("wenku_jobs_running", "Jobs running.", *lib.store().count_jobs(store::JobState::kRunning));
    res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
  });

  s.Get(R"(/api/v1/documents/(\d+))", [&lib](const httplib::Request& req, httplib::Response& res) {
    auto doc = visible_document(lib, req);
    if (!doc.ok()) return send_error(res, doc.error());
    send_json(res, library::document_json(*doc));
  });

  s.Get(R"(/api/v1/documents/(\d+)/text)", [&lib](const httplib::Request& req, httplib::Response& res) {
    auto doc = visible_document(lib, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto pages = lib.store().get_pages(doc->id);
    if (!pages.ok()) return send_error(res, pages.error());
    int only = req.has_param("page") ? std::atoi(req.get_param_value("page").c_str()) : 0;
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

  s.Get(R"(/api/v1/documents/(\d+)/pages/(\d+))", [&lib](const httplib::Request& req, httplib::Response& res) {
    auto doc = visible_document(lib, req);
    if (!doc.ok()) return send_error(res, doc.error());
    int n = std::atoi(req.matches[2].str().c_str());
    bool thumb = req.has_param("size") && req.get_param_value("size") == "thumb";
    auto pages = lib.store().get_pages(doc->id);
    if (!pages.ok()) return send_error(res, pages.error());
    for (const auto& p : *pages) {
      if (p.number != n) continue;
      const std::string& key = thumb ? p.thumb_key : p.image_key;
      if (key.empty()) break;
      auto data = lib.blobs().read_all(key);
      if (!data.ok()) return send_error(res, data.error());
      std::string etag = "\"" + key.substr(0, 32) + "\"";
      res.set_header("ETag", etag);
      res.set_header("Cache-Control", "public, max-age=86400");
      if (req.get_header_value("If-None-Match") == etag) {
        res.status = 304;
        return;
      }
      res.set_content(*data, "image/webp");
      return;
    }
    send_error(res, 404, "not_found", "页面图片还没有生成 / page image not available");
  });

  s.Get(R"(/api/v1/documents/(\d+)/related)", [&lib](const httplib::Request& req, httplib::Response& res) {
    auto doc = visible_document(lib, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto related = lib.related(doc->id, 10);
    if (!related.ok()) return send_error(res, related.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *related) {
      if (is_listed(d)) out.push_back(library::document_json(d));
    }
    send_json(res, {{"documents", out}});
  });

  s.Get(R"(/api/v1/documents/(\d+)/download)", [&lib](const httplib::Request& req, httplib::Response& res) {
    auto doc = visible_document(lib, req);
    if (!doc.ok()) return send_error(res, doc.error());
    send_original(lib, *doc, req, res);
  });

  s.Get("/api/v1/search", [&lib](const httplib::Request& req, httplib::Response& res) {
    library::SearchRequest sr = search_request_from(req);
    if (sr.query.empty()) return send_error(res, 400, "invalid_argument", "缺少查询词 q / missing q");
    auto r = lib.search(sr);
    if (!r.ok()) return send_error(res, r.error());
    send_json(res, search_json(*r));
  });

  s.Post("/api/v1/documents", [&lib](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) {
    auto outcome = receive_upload(lib, req, reader, "");
    if (!outcome.ok()) return send_error(res, outcome.error());
    send_json(res, {{"id", outcome->id}, {"status", outcome->duplicate ? "duplicate" : "processing"}}, 202);
  });
}

}  // namespace wenku::http
