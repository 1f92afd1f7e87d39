// The HTML pages: home, document page, search results, static files.
#include <httplib.h>

#include "core/clock.h"
#include "core/strings.h"
#include "http/assets.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/server.h"
#include "http/views.h"

namespace wenku::http {

namespace {

mstch::map doc_card(const store::Document& d) {
  return mstch::map{{"id", std::to_string(d.id)},
                    {"title", d.title},
                    {"format", to_lower_ascii(d.format)},
                    {"format_upper", [&] {
                       std::string f = d.format;
                       for (char& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                       return f;
                     }()},
                    {"pages", std::to_string(d.pages)},
                    {"date", format_date(d.created_at)},
                    {"views", std::to_string(d.views)},
                    {"has_thumb", d.preview_pages_done > 0}};
}

void send_html(httplib::Response& res, const std::string& html, int status = 200) {
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

}  // namespace

void HttpServer::install_page_routes() {
  auto& lib = library_;
  auto& views = *views_;
  auto& s = *server_;

  s.Get(R"(/static/(.+))", [](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1].str();
    auto a = asset("static/" + name);
    if (!a || name.find("..") != std::string::npos) {
      res.status = 404;
      return;
    }
    std::string type = "application/octet-stream";
    if (ends_with(name, ".css")) type = "text/css; charset=utf-8";
    if (ends_with(name, ".js")) type = "text/javascript; charset=utf-8";
    if (ends_with(name, ".svg")) type = "image/svg+xml";
    res.set_header("Cache-Control", "public, max-age=3600");
    res.set_content(std::string(*a), type);
  });

  s.Get("/", [&lib, &views](const httplib::Request&, httplib::Response& res) {
    store::DocumentFilter f;
    f.listed_only = true;
    f.limit = 20;
    auto newest = lib.store().list_documents(f);
    f.sort = store::DocumentSort::kMostViewed;
    f.limit = 10;
    auto popular = lib.store().list_documents(f);
    mstch::array newest_cards, popular_cards;
    if (newest.ok()) {
      for (const auto& d : *newest) newest_cards.push_back(doc_card(d));
    }
    if (popular.ok()) {
      for (const auto& d : *popular) popular_cards.push_back(doc_card(d));
    }
    mstch::array categories;
    if (auto cats = lib.store().list_categories(); cats.ok()) {
      for (const auto& c : *cats) {
        if (c.parent_id != 0) continue;
        categories.push_back(mstch::map{{"name", c.name}, {"path", url_encode(c.path)}, {"count", std::to_string(c.documents)}});
      }
    }
    mstch::map ctx{{"newest", newest_cards}, {"popular", popular_cards}, {"categories", categories},
                   {"has_newest", !newest_cards.empty()}, {"has_categories", !categories.empty()}};
    send_html(res, views.page("home", "首页", ctx));
  });

  s.Get(R"(/d/(\d+))", [&lib, &views](const httplib::Request& req, httplib::Response& res) {
    auto doc = visible_document(lib, req);
    if (!doc.ok()) {
      mstch::map ctx{{"message", std::string("文档不存在或已被删除 / This document does not exist.")}};
      return send_html(res, views.page("error", "文档不存在", ctx), 404);
    }
    const auto& d = *doc;
    auto pages = lib.store().get_pages(d.id);
    mstch::array previews, excerpts;
    int preview_limit = static_cast<int>(lib.settings().get_int("preview_pages"));
    if (pages.ok()) {
      int shown = 0;
      for (const auto& p : *pages) {
        if (!p.image_key.empty() && shown < preview_limit) {
          ++shown;
          previews.push_back(mstch::map{{"n", std::to_string(p.number)},
                                        {"id", std::to_string(d.id)},
                                        {"alt", d.title + "_第" + std::to_string(p.number) + "页"},
                                        {"width", std::to_string(p.width)},
                                        {"height", std::to_string(p.height)}});
        }
        std::string t = trim(p.text);
        if (!t.empty() && excerpts.size() < 20) {
          excerpts.push_back(mstch::map{{"n", std::to_string(excerpts.size() + 1)}, {"text", utf8_prefix(t, 300)}});
        }
      }
    }
    std::string format = d.format;
    for (char& c : format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    mstch::array crumbs;
    std::string acc;
    for (const auto& part : split(d.category_path, '/')) {
      if (part.empty()) continue;
      acc += acc.empty() ? part : "/" + part;
      crumbs.push_back(mstch::map{{"name", part}, {"path", url_encode(acc)}});
    }
    mstch::map ctx{{"id", std::to_string(d.id)},
                   {"title", d.title},
                   {"uploader", mask_name(d.uploader_name)},
                   {"date", format_date(d.created_at)},
                   {"format", format.empty() ? std::string("未知") : format},
                   {"pages", std::to_string(d.pages)},
                   {"size", human_size(static_cast<uint64_t>(d.size))},
                   {"processing", d.status == store::DocumentStatus::kProcessing},
                   {"failed", d.status == store::DocumentStatus::kFailed},
                   {"error", d.error},
                   {"previews", previews},
                   {"has_previews", !previews.empty()},
                   {"total_pages", std::to_string(d.pages)},
                   {"excerpts", excerpts},
                   {"description", d.description},
                   {"crumbs", crumbs}};
    (void)lib.store().add_views(d.id, 1);
    send_html(res, views.page("document", d.title, ctx));
  });

  s.Get("/s", [&lib, &views](const httplib::Request& req, httplib::Response& res) {
    library::SearchRequest sr = search_request_from(req);
    mstch::array hits;
    int64_t total = 0;
    double took = 0;
    if (!sr.query.empty()) {
      auto r = lib.search(sr);
      if (r.ok()) {
        total = r->total;
        took = r->took_ms;
        for (const auto& h : r->hits) {
          if (!is_listed(h.doc)) continue;
          mstch::map card = doc_card(h.doc);
          card["snippet"] = h.snippet;
          mstch::array pages;
          for (size_t i = 0; i < h.pages.size() && i < 5; ++i) {
            pages.push_back(mstch::map{{"n", std::to_string(h.pages[i])}, {"id", std::to_string(h.doc.id)}});
          }
          card["has_match_pages"] = !pages.empty();
          card["match_pages"] = pages;
          hits.push_back(card);
        }
      }
    }
    char took_text[32];
    std::snprintf(took_text, sizeof took_text, "%.1f", took);
    mstch::map ctx{{"q", sr.query}, {"hits", hits}, {"total", std::to_string(total)}, {"took", std::string(took_text)},
                   {"has_query", !sr.query.empty()}, {"no_hits", !sr.query.empty() && hits.empty()}};
    send_html(res, views.page("search", sr.query.empty() ? "搜索" : sr.query + " - 搜索", ctx));
  });
}

}  // namespace wenku::http
