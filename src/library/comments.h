// Comments: readers' comments on documents (评论) and their rules. Who may post (a signed-in
// account), where (comments open on the site and on the document: the owner or an admin
// closes one document's), how much (a length limit, a least interval and an hourly limit per
// account, kept by the store's shared rate limits so they hold across processes), the
// server's own captcha when the site asks for one (a signed arithmetic question, each
// answer accepted once), and who may delete one (its author, an admin). Reports of a
// comment go through Moderation. May call: store, site settings, policy.
//
// Errors carry a key of the site's strings as their message (comment_empty,
// comment_too_long, comment_too_fast, comment_hourly_limit, comments_closed, captcha_wrong,
// login_required, forbidden), so the web site can say why in the reader's language.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/settings.h"
#include "library/policy.h"
#include "library/types.h"

namespace wenku::library {

class SiteSettings;

using store::Comment;

// A question for a person, and the signed token that carries its answer's check.
struct Captcha {
  std::string question;  // "3 + 4 = ?"
  std::string token;     // expires:nonce:mac
};

class Comments {
 public:
  Comments(const Settings& settings, store::MetadataStore& store, SiteSettings& site)
      : settings_(settings), store_(store), site_(site) {}

  // A document's comments, oldest first.
  Result<std::vector<Comment>> list(int64_t document_id, int offset, int limit);
  Result<int64_t> count(int64_t document_id);
  Result<std::optional<Comment>> get(int64_t id);
  // Closed on this one document (by its owner or an admin).
  Result<bool> closed(int64_t document_id);
  // The longest comment, in characters (comment_max_chars).
  int max_chars() const;

  // Posts `body` as `viewer` on `doc` (which the caller showed to the viewer). With the
  // site's comment_captcha on, `captcha_token` and `captcha_answer` must answer a question
  // of captcha(), once. Errors: kUnauthenticated, kPermissionDenied (comments closed),
  // kInvalidArgument (empty, too long, wrong captcha), kRateLimited, kNotFound, kIo.
  Result<int64_t> post(const Viewer& viewer, const Document& doc, const std::string& body,
                       const std::string& captcha_token, const std::string& captcha_answer);
  // Deletes a comment: its author or an admin. Errors: kNotFound, kPermissionDenied.
  Result<Comment> remove(const Viewer& viewer, int64_t id);
  // Closes or opens the comments of `doc`: its owner or an admin. Errors: kPermissionDenied.
  Result<void> set_closed(const Viewer& viewer, const Document& doc, bool closed);

  // A new question, good for an hour.
  Captcha captcha();
  // True when `answer` answers the question of `token`, unexpired and not answered before.
  bool check_captcha(const std::string& token, const std::string& answer);

 private:
  std::string key();
  std::string mac(const std::string& message);

  const Settings& settings_;
  store::MetadataStore& store_;
  SiteSettings& site_;
  std::mutex key_mu_;
  std::string key_;  // the captcha's signing key, read once (under key_mu_)
};

}  // namespace wenku::library
