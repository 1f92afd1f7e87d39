#include "library/policy.h"

namespace wenku::library::policy {

bool can_view(const Viewer& v, const Document& d) {
  if (v.is_admin()) return true;
  bool owner = v.signed_in() && d.uploader_id != 0 && d.uploader_id == v.id;
  if (d.duplicate_of != 0) return false;
  if (d.visibility == Visibility::kPrivate && !owner) return false;
  if (d.hidden && !owner && !v.is_staff()) return false;
  return true;
}

bool can_manage(const Viewer& v, const Document& d) {
  if (v.is_admin()) return true;
  return v.signed_in() && d.uploader_id != 0 && d.uploader_id == v.id;
}

store::ListingRule listing_rule() {
  store::ListingRule rule;
  rule.status = DocumentStatus::kReady;
  rule.visibility = Visibility::kPublic;
  rule.include_hidden = false;
  return rule;
}

bool is_listed(const Document& d) { return listing_rule().admits(d); }

bool is_searchable(const Document& d) {
  return d.status != DocumentStatus::kFailed && d.visibility == Visibility::kPublic && !d.hidden &&
         d.duplicate_of == 0;
}

}  // namespace wenku::library::policy
