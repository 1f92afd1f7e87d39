// Batch upload (issue 15): a ZIP of files, each its own document with one category, tags and
// visibility for all. The form posts to /upload/batch (works without JavaScript: the answer
// is the status list); /upload/batch?ids= shows the list again; site.js updates the rows'
// states while documents process. /api/v1/batches is the same for scripts (JSON).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "http/error_words.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/route_table.h"
#include "http/server.h"
#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

namespace {

// Batches are at most library::kMaxBatchFiles files; a longer ids list is cut there.
constexpr size_t kMaxIds = library::kMaxBatchFiles;

mstch::map row(Site& site, const Visitor& v, const std::string& name, int64_t id, const std::string& state,
               const std::string& error) {
  std::string label = state == "ready" ? site.text(v.lang, "upload_done")
                      : state == "processing" ? site.text(v.lang, "processing_short")
                                              : site.text(v.lang, "upload_failed");
  if (!error.empty()) label += ": " + error_words(error, v.lang);
  return mstch::map{{"name", name}, {"id", id > 0 ? std::to_string(id) : std::string()}, {"state", state},
                    {"state_label", label}};
}

UploadPolicy batch_policy(const SiteConfig& cfg) {
  // The archive is bounded by the upload limit; the site's formats apply to the files inside.
  return UploadPolicy{static_cast<uint64_t>(cfg.max_upload_mb) << 20, "", cfg.review_before_publish};
}

}  // namespace

void HttpServer::install_batch_routes() {
  auto& lib = library_;
  auto& site = *site_;
  auto& views = *views_;
  RouteTable table(site, views);

  auto page = [&site, &views](const httplib::Request& req, httplib::Response& res, const Visitor& v, mstch::array rows,
                              const std::string& error, const std::string& ids, int status) {
    mstch::map ctx{{"rows", rows}, {"has_rows", !rows.empty()}, {"count", std::to_string(rows.size())},
                   {"error", error}, {"refresh", "/upload/batch?ids=" + ids}};
    Frame frame{site.text(v.lang, "batch_title")};
    frame.noindex = true;
    frame.here = "/upload";
    send_html(res, views.page("batch", ctx, frame, v, site.origin(req)), status);
  };

  // Without JavaScript the batch form posts here; the answer is the status list.
  table.add(Method::kPost, "/upload/batch", Who::kMember, Csrf::kForm, Answer::kHtml,
            RouteOptions().stream_body().login("/upload").csrf_fails_to("/upload?e=csrf_failed"),
            [&lib, &site, page](Call& call) {
    auto [req, res, v] = call.parts();
    const httplib::ContentReader& reader = *call.reader;
    auto items = receive_batch(lib, req, reader, v, batch_policy(site.config()));
    if (!items.ok()) return page(req, res, v, {}, error_words(items.error(), v.lang), "", 400);
    mstch::array rows;
    std::string ids;
    for (const auto& item : *items) {
      if (!item.ok) {
        rows.push_back(row(site, v, item.name, 0, "failed", item.error));
        continue;
      }
      ids += (ids.empty() ? "" : ",") + std::to_string(item.outcome.id);
      auto doc = lib.catalogue().visible(v.viewer(), item.outcome.id);
      std::string state = doc.ok() ? std::string(library::status_name(doc->status)) : "processing";
      rows.push_back(row(site, v, item.name, item.outcome.id, state, ""));
    }
    page(req, res, v, rows, "", ids, 200);
  });

  // The status list again (a reload, or without JavaScript): the documents this visitor may see.
  table.add(Method::kGet, "/upload/batch", Who::kMember, Csrf::kNone, Answer::kHtml, RouteOptions().login("/upload"),
            [&lib, &site, page](Call& call) {
    auto [req, res, v] = call.parts();
    mstch::array rows;
    std::string ids;
    size_t n = 0;
    for (const auto& part : split(req.get_param_value("ids"), ',')) {
      if (part.empty() || part.size() > 18 || part.find_first_not_of("0123456789") != std::string::npos) continue;
      if (++n > kMaxIds) break;
      auto doc = lib.catalogue().visible(v.viewer(), std::atoll(part.c_str()));
      if (!doc.ok()) continue;
      ids += (ids.empty() ? "" : ",") + part;
      rows.push_back(row(site, v, doc->original_name, doc->id, std::string(library::status_name(doc->status)), doc->error));
    }
    page(req, res, v, rows, "", ids, 200);
  });

  table.add(Method::kPost, "/api/v1/batches", Who::kMember, Csrf::kHeader, Answer::kJson,
            RouteOptions().check_csrf_first().stream_body(), [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    const httplib::ContentReader& reader = *call.reader;
    auto items = receive_batch(lib, req, reader, v, batch_policy(site.config()));
    if (!items.ok()) return send_error(res, items.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : *items) {
      nlohmann::json j{{"name", item.name}};
      if (item.ok) {
        j["id"] = item.outcome.id;
        j["status"] = item.outcome.duplicate ? "duplicate" : "processing";
      } else {
        j["status"] = "refused";
        j["error"] = error_words_both(item.error);
      }
      out.push_back(j);
    }
    send_json(res, {{"items", out}}, 202);
  });

  table.install(*server_);
}

}  // namespace wenku::http
