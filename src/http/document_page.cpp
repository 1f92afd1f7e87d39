// The document page (DESIGN.md §1): metadata, page previews with 点击查看更多, numbered
// excerpts with 展开阅读全文, related documents and searches, report form.
#include <mutex>
#include <unordered_map>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "http/page_parts.h"
#include "http/request_helpers.h"

namespace wenku::http {

namespace {

constexpr size_t kExcerptChars = 1800;     // the numbered excerpts shown at once
constexpr size_t kFullTextChars = 200000;  // the most text one page carries
constexpr size_t kPageTextBytes = 20000;   // the most text under one page image
// Stands for the visitor's CSRF token in a cached page; 64 characters that escaping keeps.
const std::string kCsrfMarker(64, 'Z');

// Guests all see the same page of a document (but for their CSRF token), and rendering is
// the expensive part of a request (mstch parses templates on every render): their pages are
// kept for a few seconds in the Site's hot cache, keyed by what changes them, and checked
// against the document's updated_at.

std::string with_token(std::string html, const std::string& csrf) {
  for (size_t at = html.find(kCsrfMarker); at != std::string::npos; at = html.find(kCsrfMarker, at + csrf.size())) {
    html.replace(at, kCsrfMarker.size(), csrf);
  }
  return html;
}

// Paragraphs of the document's text, in order: lines with something on them.
std::vector<std::string> paragraphs(const std::vector<store::Page>& pages) {
  std::vector<std::string> out;
  size_t total = 0;
  for (const auto& p : pages) {
    for (const auto& line : split(p.text, '\n')) {
      std::string t = trim(line);
      if (t.empty() || t == "\f") continue;
      total += t.size();
      if (total > kFullTextChars) return out;
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace

mstch::array breadcrumb(const std::string& category_path) {
  mstch::array crumbs;
  std::string acc;
  for (const auto& part : split(category_path, '/')) {
    if (part.empty()) continue;
    acc += acc.empty() ? part : "/" + part;
    crumbs.push_back(mstch::map{{"name", part}, {"path", url_encode(acc)}});
  }
  return crumbs;
}

void render_document_page(Site& site, const Views& views, const Visitor& v, const httplib::Request& req,
                          httplib::Response& res, const std::string& flash, int status) {
  auto& lib = site.lib();
  auto doc = visible_document(site, v, req);
  if (!doc.ok() && answer_if_unavailable(doc.error(), res)) return;
  if (!doc.ok()) {
    Frame frame{site.text(v.lang, "not_found")};
    frame.noindex = true;
    mstch::map ctx{{"message", site.text(v.lang, "doc_not_found")}};
    return send_html(res, views.page("error", ctx, frame, v, site.origin(req)), 404);
  }
  const auto& d = *doc;
  std::string id = std::to_string(d.id);
  // The reader's page-number box without JavaScript: to the page, by its anchor.
  if (req.has_param("jump")) {
    int64_t n = int_param(req, "p", 1, 1, std::max(1, d.pages));
    return redirect(res, "/d/" + id + "?p=" + std::to_string(n) + "#page-" + std::to_string(n));
  }
  // Counters: one view per visitor and document every half hour; a click from search results
  // feeds 相关搜索.
  if (site.first_touch(v.key(), "view:" + id, 1800)) {
    lib.catalogue().record_view(d.id, utf8_prefix(trim(sanitize_utf8(req.get_param_value("q"))), 100));
  }
  std::string cache_key;
  if (!v.signed_in() && flash.empty()) {
    cache_key = id + "|" + v.lang + "|" + (v.desktop ? "d" : "m") + "|" + req.get_param_value("all") + "|" +
                req.get_param_value("p").substr(0, 6) + "|" + req.get_param_value("text").substr(0, 1) + "|" + site.origin(req);
    if (auto kept = site.hot().guest_page(cache_key, d.updated_at)) return send_html(res, with_token(std::move(*kept), v.csrf));
  }
  SiteConfig cfg = site.config();
  auto pages = lib.catalogue().pages(d.id);
  std::vector<store::Page> page_list = pages.ok() ? std::move(pages).value() : std::vector<store::Page>{};

  bool all = req.get_param_value("all") == "1";
  int64_t wanted_page = int_param(req, "p", 0, 0, cfg.max_preview_pages);
  int limit = all ? cfg.max_preview_pages : std::max<int>(cfg.preview_pages, static_cast<int>(wanted_page));
  limit = std::min(limit, cfg.max_preview_pages);
  int available = 0;
  mstch::array previews;
  // Pages whose image is not made yet show a placeholder the script replaces when it is.
  int shown = 0;
  int pending = 0;
  for (const auto& p : page_list) {
    if (p.number > cfg.max_preview_pages) continue;
    bool has_image = !p.image_key.empty();
    if (has_image) ++available;
    if (p.number > limit || (!has_image && d.status != store::DocumentStatus::kReady)) continue;
    if (has_image) {
      ++shown;
    } else {
      ++pending;
    }
    std::string n = std::to_string(p.number);
    previews.push_back(mstch::map{{"n", n},
                                  {"id", id},
                                  {"alt", d.title + "_第" + n + "页"},
                                  {"width", std::to_string(p.width > 0 ? p.width : 595)},
                                  {"height", std::to_string(p.height > 0 ? p.height : 842)},
                                  {"has_image", has_image},
                                  // The image's version in its URL: a page made again (a new
                                  // watermark) is a new URL, never the copy a browser keeps.
                                  {"v", p.image_key.substr(0, 12)},
                                  {"text", utf8_prefix(trim(p.text), kPageTextBytes)},
                                  {"text_label", site.count(v.lang, "page_text_label", p.number)},
                                  // The first screen at once; the rest as the reader scrolls.
                                  {"loading", std::string(p.number <= 2 ? "eager" : "lazy")}});
  }
  shown += pending;
  // Without the script a page link (?p=N) still brings its page: asked for here, it shows
  // on a reload (the placeholder's link).
  if (wanted_page > 0 && d.status == store::DocumentStatus::kReady) {
    for (const auto& p : page_list) {
      if (p.number != wanted_page || !p.image_key.empty()) continue;
      const std::string asker = v.signed_in() ? "u" + std::to_string(v.viewer().id) : v.ip;
      if (auto r = lib.pipeline().request_page(d, p.number, asker); !r.ok()) log::warn("request_page_failed document={}", d.id);
    }
  }
  int total_pages = std::max(d.pages, static_cast<int>(page_list.size()));
  // Pages still being rendered in the background count as available: 点击查看更多 is
  // offered at once and their images appear as they are made.
  if (d.status == store::DocumentStatus::kReady && shown > 0) {
    available = std::max(available, std::min(total_pages, cfg.max_preview_pages));
  }

  // 资源描述: the first paragraphs numbered, the rest behind 展开阅读全文 (a <details>
  // element, so it opens without JavaScript).
  mstch::array excerpts, full;
  size_t used = 0;
  std::string meta_text;
  for (auto& para : paragraphs(page_list)) {
    if (meta_text.size() < 400) meta_text += para + " ";
    if (used < kExcerptChars) {
      used += para.size();
      excerpts.push_back(mstch::map{{"n", std::to_string(excerpts.size() + 1)}, {"text", para}});
    } else {
      full.push_back(mstch::map{{"text", para}});
    }
  }

  mstch::array related;
  if (d.status == store::DocumentStatus::kReady) {
    if (auto r = lib.search().related(d.id, 12); r.ok()) {
      for (const auto& x : *r) {
        if (library::policy::is_listed(x) && x.id != d.id && related.size() < 8) related.push_back(doc_card(site, v.lang, x));
      }
    }
  }
  mstch::array related_searches;
  std::set<std::string> seen;
  if (auto q = lib.search().related_searches(d.id, 6); q.ok()) {  // searches that led here, then related
    for (const auto& x : *q) {
      if (seen.insert(x.query).second) related_searches.push_back(mstch::map{{"query", x.query}, {"enc", url_encode(x.query)}});
    }
  }
  for (const auto& k : split(d.keywords, ' ')) {
    if (related_searches.size() >= 8) break;
    if (!k.empty() && seen.insert(k).second) related_searches.push_back(mstch::map{{"query", k}, {"enc", url_encode(k)}});
  }
  mstch::array tags;
  for (const auto& t : d.tags) tags.push_back(mstch::map{{"name", t}, {"enc", url_encode(t)}});

  mstch::map ctx{{"id", id},
                 {"title", d.title},
                 {"uploader", mask_name(d.uploader_name.empty() ? std::string("匿名") : d.uploader_name)},
                 {"date", format_date(d.created_at)},
                 {"format", d.format.empty() ? std::string("—") : format_upper(d.format)},
                 {"pages", std::to_string(d.pages)},
                 {"size", human_size(static_cast<uint64_t>(d.size))},
                 {"processing", d.status == store::DocumentStatus::kProcessing},
                 {"failed", d.status == store::DocumentStatus::kFailed},
                 {"can_retry", d.status == store::DocumentStatus::kFailed && library::policy::can_manage(v.viewer(), d)},
                 {"error", error_words(d.error, v.lang)},
                 {"is_private", d.visibility == store::Visibility::kPrivate},
                 {"is_hidden", d.hidden},
                 {"previews", previews},
                 {"has_previews", !previews.empty()},
                 {"allow_copy", cfg.allow_copy},
                 {"show_text", req.get_param_value("text") == "1"},
                 {"shown", std::to_string(shown)},
                 {"available", std::to_string(available)},
                 {"preview_limit", std::to_string(cfg.max_preview_pages)},
                 {"has_more", available > shown},
                 {"next_page", std::to_string(shown + 1)},
                 {"total_pages", std::to_string(total_pages)},
                 {"excerpts", excerpts},
                 {"full", full},
                 {"has_full", !full.empty()},
                 {"tags", tags},
                 {"has_tags", !tags.empty()},
                 {"related", related},
                 {"related_searches", related_searches},
                 {"has_related_searches", !related_searches.empty()},
                 {"crumbs", breadcrumb(d.category_path)},
                 {"flash", flash.empty() ? std::string() : site.text(v.lang, flash)}};
  if (d.hidden) {
    if (auto queue = lib.moderation().review_queue(10000); queue.ok()) {
      bool in_review = std::find(queue->begin(), queue->end(), d.id) != queue->end();
      ctx["in_review"] = in_review;
      ctx["is_hidden"] = !in_review;
    }
  }
  if (d.similar_to != 0) {
    if (auto other = lib.catalogue().get(d.similar_to); other.ok() && library::policy::can_view(v.viewer(), *other)) {
      ctx["similar"] = true;
      ctx["similar_id"] = std::to_string(other->id);
      ctx["similar_title"] = other->title;
      ctx["similar_percent"] = std::to_string(static_cast<int>(d.similarity * 100 + 0.5));
    }
  }
  mstch::array reasons;
  for (const char* r : {"spam", "porn", "copyright", "privacy", "abuse", "other"}) {
    reasons.push_back(mstch::map{{"value", std::string(r)}, {"label", site.text(v.lang, std::string("reason_") + r)},
                                 {"first", reasons.empty()}});
  }
  ctx["reasons"] = reasons;
  add_comments(site, v, d, ctx);
  add_social_to_document(site, v, d, ctx);
  std::string origin = site.origin(req);
  // 返回 goes up to the document's category (the same for every visitor, so pages cache).
  ctx["back"] = d.category_path.empty() ? std::string("/") : "/c/" + url_encode(d.category_path);

  Frame frame;
  frame.title = d.title;
  frame.description = d.description.empty() ? meta_text : d.description;
  frame.canonical = "/d/" + id;
  frame.og_type = "article";
  frame.here = "/d/" + id;
  frame.noindex = !library::policy::is_listed(d);
  if (shown > 0 && library::policy::is_listed(d)) frame.og_image = "/api/v1/documents/" + id + "/pages/1?size=thumb";
  if (cache_key.empty()) return send_html(res, views.page("document", ctx, frame, v, origin), status);
  Visitor anonymous = v;
  anonymous.csrf = kCsrfMarker;
  std::string html = views.page("document", ctx, frame, anonymous, origin);
  site.hot().keep_guest_page(cache_key, html, d.updated_at);
  send_html(res, with_token(std::move(html), v.csrf));
}

}  // namespace wenku::http
