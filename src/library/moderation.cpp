#include "library/moderation.h"

#include "library/catalogue.h"

namespace wenku::library {

Result<int64_t> Moderation::report(const Report& report) { return store_.create_report(report); }

Result<std::vector<Report>> Moderation::reports(const std::string& state, int offset, int limit) {
  return store_.list_reports(state, offset, limit);
}

Result<void> Moderation::resolve(int64_t id, const std::string& action, int64_t moderator) {
  WENKU_ASSIGN_OR_RETURN(auto all, store_.list_reports("", 0, 100000));
  int64_t doc_id = 0;
  int64_t comment_id = 0;
  for (const auto& r : all) {
    if (r.id == id) {
      doc_id = r.document_id;
      comment_id = r.comment_id;
    }
  }
  if (doc_id == 0) return make_error(ErrorCode::kNotFound, "no such report");
  if (comment_id != 0) return resolve_comment_report(id, comment_id, action, moderator, all);
  if (action == "hide" || action == "ban") {
    DocumentUpdate u;
    u.hidden = true;
    WENKU_TRY(catalogue_.update_document(doc_id, u));
  }
  if (action == "ban") {
    auto d = store_.get_document(doc_id);
    if (d.ok() && d->uploader_id != 0 && d->uploader_id != moderator) {
      UserUpdate uu;
      uu.banned = true;
      (void)update_user(d->uploader_id, uu);
    }
  }
  if (action != "dismiss" && action != "hide" && action != "ban") {
    return make_error(ErrorCode::kInvalidArgument, "bad action");
  }
  // Hiding or banning settles every open report of the document; dismissing only this one.
  return store_.resolve_report(id, action, moderator, action != "dismiss");
}

Result<void> Moderation::resolve_comment_report(int64_t id, int64_t comment_id, const std::string& action,
                                               int64_t moderator, const std::vector<Report>& all) {
  if (action != "dismiss" && action != "hide" && action != "ban") {
    return make_error(ErrorCode::kInvalidArgument, "bad action");
  }
  if (action != "dismiss") {
    // The comment goes (it may be gone already); a ban also bans its author.
    auto c = store_.get_comment(comment_id);
    if (c.ok() && c->has_value()) {
      (void)store_.delete_comment(comment_id);
      if (action == "ban" && (*c)->user_id != moderator) {
        UserUpdate uu;
        uu.banned = true;
        (void)update_user((*c)->user_id, uu);
      }
    }
    // Every open report of the same comment is settled with it.
    for (const auto& r : all) {
      if (r.id != id && r.comment_id == comment_id && r.state == "open") {
        (void)store_.resolve_report(r.id, action, moderator, false);
      }
    }
  }
  return store_.resolve_report(id, action, moderator, false);
}

Result<std::vector<int64_t>> Moderation::review_queue(int limit) { return store_.review_queue(limit); }

Result<void> Moderation::review(int64_t document_id, bool approve) {
  if (approve) {
    DocumentUpdate u;
    u.hidden = false;
    WENKU_TRY(catalogue_.update_document(document_id, u));
  }
  (void)store_.remove_from_review(document_id);  // rejected documents stay hidden
  return {};
}

Result<std::vector<User>> Moderation::users(int offset, int limit) { return store_.list_users(offset, limit); }

Result<void> Moderation::update_user(int64_t id, const UserUpdate& update) {
  WENKU_TRY(store_.update_user(id, update));
  if (update.banned && *update.banned) (void)store_.delete_user_sessions(id, "");
  return {};
}

}  // namespace wenku::library
