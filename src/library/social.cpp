#include "library/social.h"

#include "core/strings.h"
#include "library/catalogue.h"

namespace wenku::library {

namespace {

Error guest() { return make_error(ErrorCode::kUnauthenticated, "请先登录 / sign in first"); }

std::string clean(const std::string& s, size_t bytes) { return utf8_prefix(trim(sanitize_utf8(s)), bytes); }

}  // namespace

bool Social::shown_in_list(const Viewer& v, const Document& d) {
  if (policy::is_listed(d)) return true;
  return policy::can_view(v, d) && (policy::can_manage(v, d) || v.is_staff());
}

bool Social::may_see(const Viewer& v, const Collection& c) { return c.is_public || may_change(v, c); }

bool Social::may_change(const Viewer& v, const Collection& c) {
  return v.signed_in() && (c.owner_id == v.id || v.is_admin());
}

Result<DocumentSocial> Social::document(const Viewer& v, int64_t document_id) {
  DocumentSocial out;
  WENKU_ASSIGN_OR_RETURN(out.favourites, store_.count_favourites(document_id));
  WENKU_ASSIGN_OR_RETURN(out.rating, store_.rating_summary(document_id));
  if (v.signed_in()) {
    WENKU_ASSIGN_OR_RETURN(out.favourite, store_.is_favourite(v.id, document_id));
    WENKU_ASSIGN_OR_RETURN(out.my_rating, store_.rating_of(v.id, document_id));
  }
  return out;
}

Result<void> Social::set_favourite(const Viewer& v, int64_t document_id, bool on) {
  if (!v.signed_in()) return guest();
  if (on) WENKU_TRY(catalogue_.visible(v, document_id));
  return store_.set_favourite(v.id, document_id, on);
}

Result<std::vector<Document>> Social::favourites(const Viewer& v, int offset, int limit) {
  if (!v.signed_in()) return guest();
  WENKU_ASSIGN_OR_RETURN(auto ids, store_.favourite_ids(v.id, offset, limit));
  std::vector<Document> out;
  for (int64_t id : ids) {
    auto d = store_.get_document(id);
    if (d.ok() && shown_in_list(v, *d)) out.push_back(std::move(d).value());
  }
  return out;
}

Result<void> Social::rate(const Viewer& v, int64_t document_id, int stars) {
  if (!v.signed_in()) return guest();
  if (stars < 1 || stars > 5) return make_error(ErrorCode::kInvalidArgument, "评分应为 1-5 星 / stars must be 1 to 5");
  WENKU_TRY(catalogue_.visible(v, document_id));
  return store_.set_rating(v.id, document_id, stars);
}

Result<int64_t> Social::create_collection(const Viewer& v, const std::string& name, const std::string& description,
                                          bool is_public) {
  if (!v.signed_in()) return guest();
  Collection c;
  c.owner_id = v.id;
  c.name = clean(name, kNameBytes);
  c.description = clean(description, kDescriptionBytes);
  c.is_public = is_public;
  if (c.name.empty()) return make_error(ErrorCode::kInvalidArgument, "专辑名称不能为空 / a collection needs a name");
  WENKU_ASSIGN_OR_RETURN(auto mine, store_.list_collections(v.id, false, 0, kMaxCollections));
  if (static_cast<int>(mine.size()) >= kMaxCollections) {
    return make_error(ErrorCode::kTooLarge, "专辑数量已达上限 / at most " + std::to_string(kMaxCollections) +
                                                " collections per account");
  }
  return store_.create_collection(c);
}

Result<Collection> Social::collection(const Viewer& v, int64_t id) {
  auto c = store_.get_collection(id);
  if (!c.ok()) return c;
  if (!may_see(v, *c)) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(id));
  return c;
}

Result<std::vector<Document>> Social::collection_documents(const Viewer& v, const Collection& c, int offset,
                                                           int limit) {
  if (!may_see(v, c)) return make_error(ErrorCode::kNotFound, "专辑不存在 / no collection " + std::to_string(c.id));
  WENKU_ASSIGN_OR_RETURN(auto ids, store_.collection_item_ids(c.id, offset, limit));
  std::vector<Document> out;
  for (int64_t id : ids) {
    auto d = store_.get_document(id);
    if (d.ok() && shown_in_list(v, *d)) out.push_back(std::move(d).value());
  }
  return out;
}

Result<Collection> Social::changeable(const Viewer& v, int64_t id) {
  if (!v.signed_in()) return guest();
  WENKU_ASSIGN_OR_RETURN(Collection c, collection(v, id));
  if (!may_change(v, c)) return make_error(ErrorCode::kPermissionDenied, "只有专辑的主人可以修改 / not your collection");
  return c;
}

Result<void> Social::update_collection(const Viewer& v, int64_t id, CollectionUpdate update) {
  WENKU_TRY(changeable(v, id));
  if (update.name) {
    update.name = clean(*update.name, kNameBytes);
    if (update.name->empty()) return make_error(ErrorCode::kInvalidArgument, "专辑名称不能为空 / a collection needs a name");
  }
  if (update.description) update.description = clean(*update.description, kDescriptionBytes);
  return store_.update_collection(id, update);
}

Result<void> Social::delete_collection(const Viewer& v, int64_t id) {
  WENKU_TRY(changeable(v, id));
  return store_.delete_collection(id);
}

Result<void> Social::add_to_collection(const Viewer& v, int64_t collection_id, int64_t document_id) {
  WENKU_ASSIGN_OR_RETURN(Collection c, changeable(v, collection_id));
  WENKU_TRY(catalogue_.visible(v, document_id));
  if (c.documents >= kMaxItems) {
    return make_error(ErrorCode::kTooLarge, "专辑已满 / at most " + std::to_string(kMaxItems) + " documents per collection");
  }
  return store_.add_to_collection(collection_id, document_id);
}

Result<void> Social::remove_from_collection(const Viewer& v, int64_t collection_id, int64_t document_id) {
  WENKU_TRY(changeable(v, collection_id));
  return store_.remove_from_collection(collection_id, document_id);
}

Result<std::vector<Collection>> Social::collections_of(const Viewer& v) {
  if (!v.signed_in()) return guest();
  return store_.list_collections(v.id, false, 0, kMaxCollections);
}

Result<std::vector<int64_t>> Social::collections_holding(const Viewer& v, int64_t document_id) {
  if (!v.signed_in()) return std::vector<int64_t>{};
  return store_.collections_holding(v.id, document_id);
}

Result<std::vector<Collection>> Social::public_collections(int offset, int limit) {
  return store_.list_collections(0, true, offset, limit);
}

}  // namespace wenku::library
