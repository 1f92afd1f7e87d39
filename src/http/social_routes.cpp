// Favourites (收藏), ratings and collections (专辑) on the web site: the document page's star,
// rating and collection forms, the collection pages (/collections/{id}) and their forms, and
// the parts of /me that list them. Every form works without JavaScript (POST, CSRF, redirect).
#include <httplib.h>

#include <cstdio>
#include <set>

#include "core/strings.h"
#include "http/page_parts.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/route_table.h"
#include "http/server.h"
#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

namespace {

int64_t id_of(const std::string& digits) {
  if (digits.empty() || digits.size() > 18) return 0;
  return std::atoll(digits.c_str());
}

std::string error_key(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated: return "login_required";
    case ErrorCode::kPermissionDenied: return "forbidden";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kTooLarge: return "collection_full";
    default: return "bad_request";
  }
}

void message(Site& site, const Views& views, const Visitor& v, const httplib::Request& req, httplib::Response& res,
             const std::string& key, int status) {
  Frame frame{site.text(v.lang, status == 404 ? "not_found" : "error")};
  frame.noindex = true;
  send_html(res, views.page("error", {{"message", site.text(v.lang, key)}}, frame, v, site.origin(req)), status);
}

void failed(Site& site, const Views& views, const Visitor& v, const httplib::Request& req, httplib::Response& res,
            const Error& e) {
  message(site, views, v, req, res, error_key(e.code), http_status(e.code));
}

std::string average_text(const library::RatingSummary& r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", r.average);
  return buf;
}

mstch::map collection_row(Site& site, const std::string& lang, const library::Collection& c) {
  return mstch::map{{"cid", std::to_string(c.id)},
                    {"name", c.name},
                    {"is_public", c.is_public},
                    {"visibility", site.text(lang, c.is_public ? "collection_public" : "collection_private")},
                    {"count_text", site.count(lang, "collection_docs", c.documents)}};
}

}  // namespace

void add_social_to_document(Site& site, const Visitor& v, const store::Document& d, mstch::map& ctx) {
  SiteConfig cfg = site.config();
  auto& social = site.lib().social();
  auto s = social.document(v.viewer(), d.id);
  library::DocumentSocial counts = s.ok() ? *s : library::DocumentSocial{};
  ctx["soc_show_fav"] = cfg.show_favourite_count;
  ctx["soc_favourites"] = std::to_string(counts.favourites);
  ctx["soc_show_rating"] = cfg.show_rating;
  ctx["soc_rated"] = counts.rating.count > 0;
  ctx["soc_average"] = average_text(counts.rating);
  ctx["soc_rating_count"] = site.count(v.lang, "rating_count", counts.rating.count);
  ctx["soc_member"] = v.signed_in();
  ctx["soc_favourite"] = counts.favourite;
  mstch::array stars;
  for (int n = 1; n <= 5; ++n) {
    stars.push_back(mstch::map{{"n", std::to_string(n)}, {"checked", n == (counts.my_rating == 0 ? 5 : counts.my_rating)}});
  }
  ctx["soc_stars"] = stars;
  ctx["soc_my_rating"] = counts.my_rating > 0 ? std::to_string(counts.my_rating) : std::string();
  if (!v.signed_in()) return;
  mstch::array cols;
  auto mine = social.collections_of(v.viewer());
  auto holding = social.collections_holding(v.viewer(), d.id);
  std::set<int64_t> holds;
  if (holding.ok()) holds.insert(holding->begin(), holding->end());
  if (mine.ok()) {
    for (const auto& c : *mine) {
      mstch::map row = collection_row(site, v.lang, c);
      row["holds"] = holds.count(c.id) > 0;
      cols.push_back(row);
    }
  }
  ctx["soc_collections"] = cols;
  ctx["soc_has_collections"] = !cols.empty();
}

void add_social_to_me(Site& site, const Visitor& v, mstch::map& ctx) {
  auto& social = site.lib().social();
  mstch::array favs;
  if (auto f = social.favourites(v.viewer(), 0, 100); f.ok()) {
    for (const auto& d : *f) favs.push_back(doc_card(site, v.lang, d));
  }
  ctx["favourites"] = favs;
  ctx["has_favourites"] = !favs.empty();
  mstch::array cols;
  if (auto c = social.collections_of(v.viewer()); c.ok()) {
    for (const auto& x : *c) cols.push_back(collection_row(site, v.lang, x));
  }
  ctx["my_collections"] = cols;
  ctx["has_my_collections"] = !cols.empty();
}

void HttpServer::install_social_routes() {
  auto& site = *site_;
  auto& views = *views_;
  RouteTable table(site, views);
  auto& social = library_.social();
  // Members' form posts (CSRF checked); a guest is sent to sign in and comes back to the page.
  auto back_to_document = RouteOptions().login("/d/{id}");
  auto back_to_collection = RouteOptions().login("/collections/{id}");

  table.add(Method::kPost, R"(/d/(\d+)/favourite)", Who::kMember, Csrf::kForm, Answer::kHtml, back_to_document,
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = id_of(req.matches[1].str());
    auto r = social.set_favourite(v.viewer(), id, req.get_param_value("on") != "0");
    if (!r.ok()) return failed(site, views, v, req, res, r.error());
    site.hot().forget_all();
    redirect(res, safe_next(req.has_param("next") ? req.get_param_value("next") : "/d/" + std::to_string(id) + "#social"));
  });

  table.add(Method::kPost, R"(/d/(\d+)/rate)", Who::kMember, Csrf::kForm, Answer::kHtml, back_to_document,
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = id_of(req.matches[1].str());
    if (!site.config().show_rating) return message(site, views, v, req, res, "forbidden", 403);
    auto r = social.rate(v.viewer(), id, static_cast<int>(int_param(req, "stars", 0, 0, 6)));
    if (!r.ok()) return failed(site, views, v, req, res, r.error());
    site.hot().forget_all();
    redirect(res, "/d/" + std::to_string(id) + "#social");
  });

  // The document page's 加入专辑 form: of the collections it listed, the checked ones hold
  // the document and the unchecked ones do not; a name in new_name makes a collection
  // holding it.
  table.add(Method::kPost, R"(/d/(\d+)/collect)", Who::kMember, Csrf::kForm, Answer::kHtml, back_to_document,
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = id_of(req.matches[1].str());
    if (auto doc = site.lib().catalogue().visible(v.viewer(), id); !doc.ok()) {
      return failed(site, views, v, req, res, doc.error());
    }
    // Only the collections the form listed (hidden `listed` fields) are changed: one made
    // meanwhile in another tab, or a post that only names a new collection, leaves the rest.
    std::set<int64_t> wanted, listed;
    for (size_t i = 0; i < req.get_param_value_count("c") && i < 500; ++i) wanted.insert(id_of(req.get_param_value("c", i)));
    for (size_t i = 0; i < req.get_param_value_count("listed") && i < 500; ++i) {
      listed.insert(id_of(req.get_param_value("listed", i)));
    }
    auto holding = social.collections_holding(v.viewer(), id);
    auto mine = social.collections_of(v.viewer());
    if (!holding.ok() || !mine.ok()) return message(site, views, v, req, res, "error", 500);
    std::set<int64_t> held(holding->begin(), holding->end());
    for (const auto& c : *mine) {
      if (!listed.count(c.id)) continue;
      Result<void> r;
      if (wanted.count(c.id) && !held.count(c.id)) r = social.add_to_collection(v.viewer(), c.id, id);
      if (!wanted.count(c.id) && held.count(c.id)) r = social.remove_from_collection(v.viewer(), c.id, id);
      if (!r.ok()) return failed(site, views, v, req, res, r.error());
    }
    std::string name = req.get_param_value("new_name");
    if (!trim(name).empty()) {
      auto c = social.create_collection(v.viewer(), name, "", req.get_param_value("new_public") == "1");
      if (!c.ok()) return failed(site, views, v, req, res, c.error());
      if (auto r = social.add_to_collection(v.viewer(), *c, id); !r.ok()) return failed(site, views, v, req, res, r.error());
    }
    redirect(res, "/d/" + std::to_string(id) + "#social");
  });

  table.add(Method::kGet, R"(/collections/(\d+))", Who::kGuest, Csrf::kNone, Answer::kHtml,
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    auto c = social.collection(v.viewer(), id_of(req.matches[1].str()));
    if (!c.ok()) return message(site, views, v, req, res, "collection_not_found", 404);
    int64_t page = int_param(req, "page", 1, 1, 1000);
    auto docs = social.collection_documents(v.viewer(), *c, static_cast<int>((page - 1) * 40), 41);
    bool can_change = library::Social::may_change(v.viewer(), *c);
    mstch::array cards;
    bool has_next = false;
    if (docs.ok()) {
      has_next = docs->size() > 40;
      for (size_t i = 0; i < docs->size() && i < 40; ++i) {
        mstch::map card = doc_card(site, v.lang, (*docs)[i]);
        card["can_change"] = can_change;
        card["cid"] = std::to_string(c->id);
        cards.push_back(card);
      }
    }
    std::string id = std::to_string(c->id);
    mstch::map ctx{{"cid", id},
                   {"name", c->name},
                   {"description", c->description},
                   {"owner", mask_name(c->owner_name)},
                   {"is_public", c->is_public},
                   {"visibility", site.text(v.lang, c->is_public ? "collection_public" : "collection_private")},
                   {"docs", cards},
                   {"has_docs", !cards.empty()},
                   {"can_change", can_change},
                   {"pager", pager(page, has_next, "/collections/" + id, "")}};
    Frame frame{c->name};
    frame.description = c->description;
    frame.canonical = "/collections/" + id;
    frame.here = "/collections/" + id;
    frame.noindex = !c->is_public;
    res.set_header("Cache-Control", "private, no-cache");
    send_html(res, views.page("collection", ctx, frame, v, site.origin(req)));
  });

  table.add(Method::kPost, "/collections", Who::kMember, Csrf::kForm, Answer::kHtml, RouteOptions().login("/me#collections"),
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    if (!site.accounts().allow("collection:" + std::to_string(v.id()), 60, 3600)) {
      return message(site, views, v, req, res, "rate_limited", 429);
    }
    auto c = social.create_collection(v.viewer(), req.get_param_value("name"), req.get_param_value("description"),
                                      req.get_param_value("public") == "1");
    if (!c.ok()) return failed(site, views, v, req, res, c.error());
    redirect(res, "/collections/" + std::to_string(*c));
  });

  table.add(Method::kPost, R"(/collections/(\d+)/edit)", Who::kMember, Csrf::kForm, Answer::kHtml, back_to_collection,
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = id_of(req.matches[1].str());
    library::CollectionUpdate u;
    if (req.has_param("name")) u.name = req.get_param_value("name");
    if (req.has_param("description")) u.description = req.get_param_value("description");
    u.is_public = req.get_param_value("public") == "1";
    if (auto r = social.update_collection(v.viewer(), id, u); !r.ok()) return failed(site, views, v, req, res, r.error());
    redirect(res, "/collections/" + std::to_string(id));
  });

  table.add(Method::kPost, R"(/collections/(\d+)/delete)", Who::kMember, Csrf::kForm, Answer::kHtml, back_to_collection,
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = id_of(req.matches[1].str());
    if (auto r = social.delete_collection(v.viewer(), id); !r.ok()) return failed(site, views, v, req, res, r.error());
    redirect(res, "/me?m=collection_deleted#collections");
  });

  table.add(Method::kPost, R"(/collections/(\d+)/remove)", Who::kMember, Csrf::kForm, Answer::kHtml, back_to_collection,
            [&site, &views, &social](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t id = id_of(req.matches[1].str());
    auto r = social.remove_from_collection(v.viewer(), id, id_of(req.get_param_value("document")));
    if (!r.ok()) return failed(site, views, v, req, res, r.error());
    redirect(res, "/collections/" + std::to_string(id));
  });

  table.install(*server_);
}

}  // namespace wenku::http
