// The public HTML pages: home, category listing, document page, search results, sitemap,
// robots.txt, static files, and the language and layout switches.
#include <httplib.h>

#include "core/clock.h"
#include "core/formats.h"
#include "core/hash.h"
#include "core/strings.h"
#include "http/assets.h"
#include "http/page_parts.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/route_table.h"
#include "http/server.h"
#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

namespace {

// The category tree as nested lists (escaped here: names are user input).
std::string category_tree(const std::vector<store::Category>& cats, int64_t parent, int depth) {
  if (depth > 6) return "";
  std::string out;
  for (const auto& c : cats) {
    if (c.parent_id != parent) continue;
    out += "<li><a href=\"/c/" + html_escape(url_encode(c.path)) + "\">" + html_escape(c.name) +
           "</a> <span class=\"count\">" + std::to_string(c.documents) + "</span>" +
           category_tree(cats, c.id, depth + 1) + "</li>";
  }
  return out.empty() ? "" : "<ul class=\"tree\">" + out + "</ul>";
}

mstch::array query_chips(const std::vector<store::QueryCount>& qs) {
  mstch::array out;
  for (const auto& q : qs) out.push_back(mstch::map{{"query", q.query}, {"enc", url_encode(q.query)}});
  return out;
}

std::string page_link(const std::string& base, const std::string& params, int64_t page) {
  return base + "?" + params + (params.empty() ? "" : "&") + "page=" + std::to_string(page);
}

}  // namespace

mstch::map doc_card(Site& site, const std::string& lang, const store::Document& d) {
  return mstch::map{{"id", std::to_string(d.id)},
                    {"title", d.title},
                    {"format", to_lower_ascii(d.format)},
                    {"format_upper", format_upper(d.format)},
                    {"pages", std::to_string(d.pages)},
                    {"pages_text", site.count(lang, "pages", d.pages)},
                    {"date", format_date(d.created_at)},
                    {"views", std::to_string(d.views)},
                    {"has_thumb", d.preview_pages_done > 0}};
}

std::string format_upper(const std::string& format) {
  std::string f = format.empty() ? "?" : format;
  for (char& c : f) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return f;
}

mstch::map pager(int64_t page, bool has_next, const std::string& base, const std::string& params) {
  mstch::map p{{"page", std::to_string(page)}, {"show", true}};
  p["prev"] = page > 1 ? page_link(base, params, page - 1) : std::string();
  p["next"] = has_next ? page_link(base, params, page + 1) : std::string();
  if (page <= 1 && !has_next) return mstch::map{};
  return p;
}

void HttpServer::install_page_routes() {
  auto& lib = library_;
  auto& site = *site_;
  auto& views = *views_;
  RouteTable table(site, views);

  table.add(Method::kGet, R"(/static/([A-Za-z0-9_.-]+))", Who::kPublic, Csrf::kNone, Answer::kHtml,
            [](Call& call) {
    auto [req, res, v] = call.parts();
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
    std::string etag = "\"" + sha256_hex(*a).substr(0, 24) + "\"";
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", "public, max-age=3600");
    if (req.get_header_value("If-None-Match") == etag) {
      res.status = 304;
      return;
    }
    res.set_content(std::string(*a), type);
  });

  table.add(Method::kGet, "/robots.txt", Who::kPublic, Csrf::kNone, Answer::kHtml, [&site](Call& call) {
    auto [req, res, v] = call.parts();
    res.set_content("User-agent: *\nDisallow: /api/\nDisallow: /me\nDisallow: /admin\nDisallow: /upload\n"
                    "Disallow: /login\nDisallow: /register\nAllow: /\nSitemap: " + site.origin(req) + "/sitemap.xml\n",
                    "text/plain; charset=utf-8");
  });

  table.add(Method::kGet, "/sitemap.xml", Who::kPublic, Csrf::kNone, Answer::kHtml, [&lib, &site](Call& call) {
    auto [req, res, v] = call.parts();
    std::string origin = html_escape(site.origin(req));
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
                      "<url><loc>" + origin + "/</loc></url>\n";
    if (auto cats = lib.catalogue().categories(); cats.ok()) {
      for (const auto& c : *cats) {
        if (c.documents > 0) out += "<url><loc>" + origin + "/c/" + html_escape(url_encode(c.path)) + "</loc></url>\n";
      }
    }
    // Public collections (专辑), newest first.
    if (auto cols = lib.social().public_collections(0, 1000); cols.ok()) {
      for (const auto& c : *cols) {
        out += "<url><loc>" + origin + "/collections/" + std::to_string(c.id) + "</loc><lastmod>" +
               format_date(c.updated_at) + "</lastmod></url>\n";
      }
    }
    // Listed documents only (public, ready, not hidden); a sitemap holds at most 50,000 URLs.
    store::DocumentFilter f;
    f.listed_only = true;
    f.limit = 1000;
    int total = 0;
    for (f.offset = 0; total < 49000; f.offset += f.limit) {
      auto docs = lib.catalogue().list(f);
      if (!docs.ok() || docs->empty()) break;
      for (const auto& d : *docs) {
        if (!library::policy::is_listed(d)) continue;
        out += "<url><loc>" + origin + "/d/" + std::to_string(d.id) + "</loc><lastmod>" +
               format_date(d.updated_at) + "</lastmod></url>\n";
        ++total;
      }
      if (static_cast<int>(docs->size()) < f.limit) break;
    }
    out += "</urlset>\n";
    res.set_header("Cache-Control", "public, max-age=300");
    res.set_content(out, "application/xml; charset=utf-8");
  });

  table.add(Method::kGet, "/lang", Who::kPublic, Csrf::kNone, Answer::kHtml, [](Call& call) {
    auto [req, res, v] = call.parts();
    std::string l = req.get_param_value("l") == "en" ? "en" : "zh-CN";
    res.set_header("Set-Cookie", "wk_lang=" + l + "; Path=/; Max-Age=31536000; SameSite=Lax");
    redirect(res, safe_next(req.get_param_value("next")));
  });

  table.add(Method::kGet, "/layout", Who::kPublic, Csrf::kNone, Answer::kHtml, [](Call& call) {
    auto [req, res, v] = call.parts();
    std::string m = req.get_param_value("m") == "desktop" ? "desktop" : "mobile";
    res.set_header("Set-Cookie", "wk_layout=" + m + "; Path=/; Max-Age=31536000; SameSite=Lax");
    redirect(res, safe_next(req.get_param_value("next")));
  });

  table.add(Method::kGet, "/", Who::kGuest, Csrf::kNone, Answer::kHtml, [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    store::DocumentFilter f;
    f.listed_only = true;
    f.limit = 12;
    auto newest = lib.catalogue().list(f);
    f.sort = store::DocumentSort::kMostViewed;
    f.limit = 8;
    auto popular = lib.catalogue().list(f);
    mstch::array newest_cards, popular_cards;
    if (newest.ok()) {
      for (const auto& d : *newest) newest_cards.push_back(doc_card(site, v.lang, d));
    }
    if (popular.ok()) {
      for (const auto& d : *popular) {
        if (d.views > 0) popular_cards.push_back(doc_card(site, v.lang, d));
      }
    }
    std::string tree;
    if (auto cats = lib.catalogue().categories(); cats.ok()) tree = category_tree(*cats, 0, 0);
    mstch::array queries;
    if (auto q = lib.search().popular_searches(12); q.ok()) queries = query_chips(*q);
    mstch::map ctx{{"newest", newest_cards},     {"popular", popular_cards},        {"category_tree", tree},
                   {"has_newest", !newest_cards.empty()}, {"has_popular", !popular_cards.empty()},
                   {"has_categories", !tree.empty()},     {"queries", queries},   {"has_queries", !queries.empty()}};
    Frame frame;
    frame.title = site.text(v.lang, "home");
    frame.canonical = "/";
    frame.description = site.config().site_name;
    site.finish(v, res);
    send_html(res, views.page("home", ctx, frame, v, site.origin(req)));
  });

  table.add(Method::kGet, R"(/c/(.+))", Who::kGuest, Csrf::kNone, Answer::kHtml,
            [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    std::string path = sanitize_utf8(req.matches[1].str());
    auto cats = lib.catalogue().categories();
    const store::Category* cat = nullptr;
    if (cats.ok()) {
      for (const auto& c : *cats) {
        if (c.path == path) cat = &c;
      }
    }
    site.finish(v, res);
    if (cat == nullptr) {
      Frame frame{site.text(v.lang, "not_found")};
      frame.noindex = true;
      return send_html(res, views.page("error", {{"message", site.text(v.lang, "not_found")}}, frame, v, site.origin(req)), 404);
    }
    std::string sort = req.get_param_value("sort");
    int64_t page = int_param(req, "page", 1, 1, 10000);
    store::DocumentFilter f;
    f.listed_only = true;
    f.category_prefix = path;
    f.sort = sort == "views" ? store::DocumentSort::kMostViewed : sort == "oldest" ? store::DocumentSort::kOldest
                                                                                   : store::DocumentSort::kNewest;
    f.limit = 21;
    f.offset = static_cast<int>((page - 1) * 20);
    auto docs = lib.catalogue().list(f);
    mstch::array cards;
    bool has_next = false;
    if (docs.ok()) {
      has_next = docs->size() > 20;
      for (size_t i = 0; i < docs->size() && i < 20; ++i) cards.push_back(doc_card(site, v.lang, (*docs)[i]));
    }
    mstch::array children;
    for (const auto& c : *cats) {
      if (c.parent_id == cat->id) children.push_back(mstch::map{{"name", c.name}, {"path", url_encode(c.path)}, {"count", std::to_string(c.documents)}});
    }
    std::string base = "/c/" + url_encode(path);
    mstch::array sorts;
    for (auto [key, label] : {std::pair{"", "sort_newest"}, {"views", "sort_views"}, {"oldest", "upload_time"}}) {
      sorts.push_back(mstch::map{{"label", site.text(v.lang, label)},
                                 {"href", base + (std::string(key).empty() ? "" : std::string("?sort=") + key)},
                                 {"active", sort == key}});
    }
    mstch::map ctx{{"name", cat->name},
                   {"total", std::to_string(cat->documents)},
                   {"crumbs", breadcrumb(path)},
                   {"children", children},
                   {"has_children", !children.empty()},
                   {"sorts", sorts},
                   {"docs", cards},
                   {"has_docs", !cards.empty()},
                   {"pager", pager(page, has_next, base, sort.empty() ? "" : "sort=" + url_encode(sort))}};
    Frame frame;
    frame.title = cat->name;
    frame.canonical = base;
    frame.description = cat->path;
    send_html(res, views.page("category", ctx, frame, v, site.origin(req)));
  });

  table.add(Method::kGet, R"(/d/(\d+))", Who::kGuest, Csrf::kNone, Answer::kHtml, [&site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    site.finish(v, res);
    render_document_page(site, views, v, req, res, document_flash(req));
  });

  table.add(Method::kGet, "/s", Who::kGuest, Csrf::kNone, Answer::kHtml, [&lib, &site, &views](Call& call) {
    auto [req, res, v] = call.parts();
    site.finish(v, res);
    library::SearchRequest sr = search_request_from(req, v);
    mstch::array hits;
    int64_t total = 0;
    double took = 0;
    bool has_next = false;
    // "More like this" (相似文档) from a document page: its title heads the results.
    std::string like_title;
    if (sr.like != 0) {
      if (auto d = lib.catalogue().visible(v.viewer(), sr.like); d.ok()) like_title = d->title;
    }
    bool searching = !sr.query.empty() || !like_title.empty();
    if (searching) {
      auto r = lib.search().search(sr);
      if (!r.ok() && answer_if_unavailable(r.error(), res)) return;
      if (r.ok()) {
        took = r->took_ms;
        int64_t removed = 0;
        std::string qenc = url_encode(sr.query);
        for (const auto& h : r->hits) {
          if (!library::policy::is_searchable(h.doc)) {
            ++removed;
            continue;
          }
          mstch::map card = doc_card(site, v.lang, h.doc);
          card["snippet"] = h.snippet;  // escaped by the index, with <em> around matches
          card["qenc"] = qenc;
          // The five best pages, listed in reading order (第2页 第4页 第10页).
          std::vector<int> best(h.pages.begin(), h.pages.begin() + static_cast<ptrdiff_t>(std::min<size_t>(h.pages.size(), 5)));
          std::sort(best.begin(), best.end());
          mstch::array pages;
          for (int n : best) {
            pages.push_back(mstch::map{{"n", std::to_string(n)}, {"id", std::to_string(h.doc.id)}, {"qenc", qenc}});
          }
          card["has_match_pages"] = !pages.empty();
          card["match_pages"] = pages;
          hits.push_back(card);
        }
        total = std::max<int64_t>(0, r->total - removed);
        has_next = static_cast<int64_t>(sr.page) * sr.per_page < r->total;
        if (sr.like == 0 && sr.page == 1 && site.first_touch(v.key(), "q:" + sr.query, 60)) {
          lib.search().log_query(sr.query, total);
        }
      }
    }
    char took_text[32];
    std::snprintf(took_text, sizeof took_text, "%.1f", took);
    mstch::array cat_opts, fmt_opts, sort_opts;
    if (auto cats = lib.catalogue().categories(); cats.ok()) {
      for (const auto& c : *cats) cat_opts.push_back(mstch::map{{"path", c.path}, {"selected", c.path == sr.category}});
    }
    for (const auto& f : formats::all()) {
      if (!f.search_filter) continue;
      std::string fmt(f.name);
      fmt_opts.push_back(mstch::map{{"value", fmt}, {"label", format_upper(fmt)}, {"selected", sr.format == fmt}});
    }
    for (auto [key, label] : {std::pair{"", "sort_relevance"}, {"newest", "sort_newest"}, {"views", "sort_views"}}) {
      sort_opts.push_back(mstch::map{{"value", std::string(key)}, {"label", site.text(v.lang, label)}, {"selected", sr.sort == key}});
    }
    mstch::array queries;
    bool no_hits = (searching || sr.like != 0) && hits.empty();
    mstch::array related;  // 相关搜索 under the hits
    if (no_hits) {
      if (auto q = lib.search().popular_searches(8); q.ok()) queries = query_chips(*q);
    } else if (!sr.query.empty() && sr.like == 0) {
      if (auto q = lib.search().related_searches(sr.query, 8); q.ok()) related = query_chips(*q);
    }
    std::string params = "q=" + url_encode(sr.query);
    if (!sr.category.empty()) params += "&category=" + url_encode(sr.category);
    if (!sr.format.empty()) params += "&format=" + url_encode(sr.format);
    if (!sr.sort.empty()) params += "&sort=" + url_encode(sr.sort);
    // The dates as the form shows them again (only real dates; the rest was ignored).
    std::string from_text = sr.from != 0 ? req.get_param_value("from") : std::string();
    std::string to_text = sr.to != 0 ? req.get_param_value("to") : std::string();
    if (!from_text.empty()) params += "&from=" + url_encode(from_text);
    if (!to_text.empty()) params += "&to=" + url_encode(to_text);
    std::string like_id = sr.like != 0 ? std::to_string(sr.like) : std::string();
    if (!like_id.empty()) params += "&like=" + like_id;
    mstch::map ctx{{"q", sr.query}, {"hits", hits}, {"total", std::to_string(total)},
                   {"results_text", site.count(v.lang, "results", total)}, {"took", std::string(took_text)},
                   {"has_query", searching}, {"no_hits", no_hits},
                   {"from", from_text}, {"to", to_text}, {"like", like_id}, {"like_title", like_title},
                   {"has_like", !like_title.empty()},
                   {"category_options", cat_opts}, {"format_options", fmt_opts}, {"sort_options", sort_opts},
                   {"queries", queries}, {"has_queries", !queries.empty()},
                   {"related_searches", related}, {"has_related_searches", !related.empty()},
                   {"pager", searching ? pager(sr.page, has_next, "/s", params) : mstch::map{}}};
    Frame frame;
    frame.title = sr.query.empty() ? site.text(v.lang, "search") : sr.query + " - " + site.text(v.lang, "search");
    if (!like_title.empty()) frame.title = site.text(v.lang, "more_like_this") + " - " + like_title;
    frame.q = sr.query;
    frame.noindex = true;
    frame.here = "/s?" + params;
    send_html(res, views.page("search", ctx, frame, v, site.origin(req)));
  });

  table.install(*server_);
}

}  // namespace wenku::http
