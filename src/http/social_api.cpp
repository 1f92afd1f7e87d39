// The JSON API of favourites, ratings and collections under /api/v1 (docs/openapi.yaml).
// Writes need a signed-in session (401 otherwise) and its CSRF token (X-CSRF-Token); private
// collections answer 404 to everyone but their owner and admins.
#include <httplib.h>

#include "core/strings.h"
#include "http/request_helpers.h"
#include "http/responses.h"
#include "http/route_table.h"
#include "http/server.h"
#include "http/site.h"
#include "library/document_json.h"

namespace wenku::http {

namespace {

int64_t id_of(const std::string& digits) {
  if (digits.empty() || digits.size() > 18) return 0;
  return std::atoll(digits.c_str());
}

nlohmann::json collection_json(const library::Collection& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"description", c.description},
          {"public", c.is_public},
          {"owner", mask_name(c.owner_name)},
          {"documents", c.documents},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at}};
}

// The request's JSON object body ({} when there is none). nullopt when it is not an object.
std::optional<nlohmann::json> body_object(const httplib::Request& req) {
  if (req.body.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

}  // namespace

void HttpServer::install_social_api_routes() {
  auto& site = *site_;
  RouteTable table(site, *views_);
  auto& social = library_.social();
  // Writes: a signed-in visitor (401 otherwise), then the X-CSRF-Token header (403).

  auto document_social = [&site, &social](const Visitor& v, int64_t id) -> Result<nlohmann::json> {
    WENKU_ASSIGN_OR_RETURN(auto counts, social.document(v.viewer(), id));
    SiteConfig cfg = site.config();
    nlohmann::json j{{"id", id}, {"favourite", counts.favourite}, {"my_rating", counts.my_rating}};
    j["favourites"] = cfg.show_favourite_count ? nlohmann::json(counts.favourites) : nlohmann::json();
    j["rating"] = cfg.show_rating ? nlohmann::json{{"average", counts.rating.average}, {"count", counts.rating.count}}
                                  : nlohmann::json();
    return j;
  };

  table.add(Method::kGet, R"(/api/v1/documents/(\d+)/social)", Who::kGuest, Csrf::kNone, Answer::kJson,
            [&site, document_social](Call& call) {
    auto [req, res, v] = call.parts();
    auto doc = visible_document(site, v, req);
    if (!doc.ok()) return send_error(res, doc.error());
    auto j = document_social(v, doc->id);
    if (!j.ok()) return send_error(res, j.error());
    res.set_header("Cache-Control", "private, no-cache");
    send_json(res, *j);
  });

  for (bool on : {true, false}) {
    table.add(on ? Method::kPut : Method::kDelete, R"(/api/v1/documents/(\d+)/favourite)", Who::kMember, Csrf::kHeader,
              Answer::kJson, [&site, &social, document_social, on](Call& call) {
      auto [req, res, v] = call.parts();
      int64_t id = id_of(req.matches[1].str());
      if (auto r = social.set_favourite(v.viewer(), id, on); !r.ok()) return send_error(res, r.error());
      site.hot().forget_all();
      auto j = document_social(v, id);
      if (!j.ok()) return send_error(res, j.error());
      send_json(res, *j);
    });
  }

  table.add(Method::kPut, R"(/api/v1/documents/(\d+)/rating)", Who::kMember, Csrf::kHeader, Answer::kJson,
            [&site, &social, document_social](Call& call) {
    auto [req, res, v] = call.parts();
    auto body = body_object(req);
    if (!body || !(*body).contains("stars") || !(*body)["stars"].is_number_integer()) {
      return send_error(res, 400, "invalid_argument", "stars: 1..5");
    }
    if (!site.config().show_rating) return send_error(res, 403, "permission_denied", site.text(v.lang, "forbidden"));
    int64_t id = id_of(req.matches[1].str());
    int64_t stars = (*body)["stars"].get<int64_t>();
    if (auto r = social.rate(v.viewer(), id, static_cast<int>(std::clamp<int64_t>(stars, 0, 6))); !r.ok()) {
      return send_error(res, r.error());
    }
    site.hot().forget_all();
    auto j = document_social(v, id);
    if (!j.ok()) return send_error(res, j.error());
    send_json(res, *j);
  });

  table.add(Method::kGet, "/api/v1/me/favourites", Who::kMember, Csrf::kNone, Answer::kJson,
            [&site, &social](Call& call) {
    auto [req, res, v] = call.parts();
    int64_t page = int_param(req, "page", 1, 1, 10000);
    auto docs = social.favourites(v.viewer(), static_cast<int>((page - 1) * 50), 50);
    if (!docs.ok()) return send_error(res, docs.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *docs) out.push_back(library::document_json(d, reason_words_in(v.lang)));
    res.set_header("Cache-Control", "private, no-cache");
    send_json(res, {{"documents", out}});
  });

  table.add(Method::kGet, "/api/v1/me/collections", Who::kMember, Csrf::kNone, Answer::kJson,
            [&site, &social](Call& call) {
    auto [req, res, v] = call.parts();
    auto cols = social.collections_of(v.viewer());
    if (!cols.ok()) return send_error(res, cols.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : *cols) out.push_back(collection_json(c));
    res.set_header("Cache-Control", "private, no-cache");
    send_json(res, {{"collections", out}});
  });

  table.add(Method::kPost, "/api/v1/collections", Who::kMember, Csrf::kHeader, Answer::kJson,
            [&site, &social](Call& call) {
    auto [req, res, v] = call.parts();
    auto body = body_object(req);
    if (!body || !(*body).value("name", nlohmann::json()).is_string()) {
      return send_error(res, 400, "invalid_argument", "name: a string");
    }
    if (!site.accounts().allow("collection:" + std::to_string(v.id()), 60, 3600)) {
      return send_error(res, 429, "rate_limited", site.text(v.lang, "rate_limited"));
    }
    auto id = social.create_collection(v.viewer(), (*body)["name"].get<std::string>(),
                                       (*body).value("description", std::string()), (*body).value("public", false));
    if (!id.ok()) return send_error(res, id.error());
    auto c = social.collection(v.viewer(), *id);
    if (!c.ok()) return send_error(res, c.error());
    send_json(res, collection_json(*c), 201);
  });

  table.add(Method::kGet, R"(/api/v1/collections/(\d+))", Who::kGuest, Csrf::kNone, Answer::kJson,
            [&site, &social](Call& call) {
    auto [req, res, v] = call.parts();
    auto c = social.collection(v.viewer(), id_of(req.matches[1].str()));
    if (!c.ok()) return send_error(res, c.error());
    int64_t page = int_param(req, "page", 1, 1, 1000);
    auto docs = social.collection_documents(v.viewer(), *c, static_cast<int>((page - 1) * 50), 50);
    if (!docs.ok()) return send_error(res, docs.error());
    nlohmann::json j = collection_json(*c);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : *docs) list.push_back(library::document_json(d, reason_words_in(v.lang)));
    j["items"] = list;
    res.set_header("Cache-Control", "private, no-cache");
    send_json(res, j);
  });

  table.add(Method::kPatch, R"(/api/v1/collections/(\d+))", Who::kMember, Csrf::kHeader, Answer::kJson,
            [&social](Call& call) {
    auto [req, res, v] = call.parts();
    auto body = body_object(req);
    if (!body) return send_error(res, 400, "invalid_argument", "bad JSON");
    library::CollectionUpdate u;
    if (body->contains("name")) {
      if (!(*body)["name"].is_string()) return send_error(res, 400, "invalid_argument", "name: a string");
      u.name = (*body)["name"].get<std::string>();
    }
    if (body->contains("description") && (*body)["description"].is_string()) u.description = (*body)["description"].get<std::string>();
    if (body->contains("public") && (*body)["public"].is_boolean()) u.is_public = (*body)["public"].get<bool>();
    int64_t id = id_of(req.matches[1].str());
    if (auto r = social.update_collection(v.viewer(), id, u); !r.ok()) return send_error(res, r.error());
    auto c = social.collection(v.viewer(), id);
    if (!c.ok()) return send_error(res, c.error());
    send_json(res, collection_json(*c));
  });

  table.add(Method::kDelete, R"(/api/v1/collections/(\d+))", Who::kMember, Csrf::kHeader, Answer::kJson,
            [&social](Call& call) {
    auto [req, res, v] = call.parts();
    if (auto r = social.delete_collection(v.viewer(), id_of(req.matches[1].str())); !r.ok()) {
      return send_error(res, r.error());
    }
    res.status = 204;
  });

  for (bool add : {true, false}) {
    table.add(add ? Method::kPut : Method::kDelete, R"(/api/v1/collections/(\d+)/documents/(\d+))", Who::kMember,
              Csrf::kHeader, Answer::kJson, [&social, add](Call& call) {
      auto [req, res, v] = call.parts();
      int64_t id = id_of(req.matches[1].str()), doc = id_of(req.matches[2].str());
      auto r = add ? social.add_to_collection(v.viewer(), id, doc) : social.remove_from_collection(v.viewer(), id, doc);
      if (!r.ok()) return send_error(res, r.error());
      res.status = 204;
    });
  }

  table.install(*server_);
}

}  // namespace wenku::http
