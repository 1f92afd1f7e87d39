// Moderation: reports (举报) of documents and of comments, the review queue of review
// before publishing, and bans.
// Owns what a moderator's decision does: hiding a reported document settles all its open
// reports, a ban also hides the document and ends the uploader's sessions, approving a
// held document publishes it (rejecting keeps it hidden). May call: store, the catalogue
// (hiding and publishing go through its re-index).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "library/types.h"

namespace wenku::library {

class Catalogue;

class Moderation {
 public:
  Moderation(store::MetadataStore& store, Catalogue& catalogue) : store_(store), catalogue_(catalogue) {}

  // Errors: kNotFound (no such document), kIo.
  Result<int64_t> report(const Report& report);
  // state "" = all, newest first.
  Result<std::vector<Report>> reports(const std::string& state, int offset, int limit);
  // Settles report `id` by `moderator`: "dismiss" (this report), "hide" (the document, and
  // every open report of it), "ban" (as hide, and the uploader is banned unless it is the
  // moderator). A report of a comment: "hide" deletes the comment (settling every open report
  // of it), "ban" also bans its author; the document stays. Errors: kNotFound,
  // kInvalidArgument (another action).
  Result<void> resolve(int64_t id, const std::string& action, int64_t moderator);

  // Documents held for review, oldest first.
  Result<std::vector<int64_t>> review_queue(int limit);
  // Publishes (approve) or keeps hidden (reject) a held document; either way it leaves the
  // queue. Errors: kNotFound.
  Result<void> review(int64_t document_id, bool approve);

  Result<std::vector<User>> users(int offset, int limit);
  // Changes a user's role or ban; a ban also ends their sessions. Errors: kNotFound.
  Result<void> update_user(int64_t id, const UserUpdate& update);

 private:
  Result<void> resolve_comment_report(int64_t id, int64_t comment_id, const std::string& action, int64_t moderator,
                                      const std::vector<Report>& all);

  store::MetadataStore& store_;
  Catalogue& catalogue_;
};

}  // namespace wenku::library
