// Policy: who may see and change a document, and where it shows. The one definition of
// "listed", "searchable", "may view" and "may manage", used by the pipeline (the index's
// listed flag), the search and catalogue services and the web site.
#pragma once

#include <cstdint>

#include "library/types.h"

namespace wenku::library {

// Who is asking: an account (id and role) or a guest (id 0).
struct Viewer {
  int64_t id = 0;
  Role role = Role::kMember;
  bool signed_in() const { return id != 0; }
  bool is_admin() const { return signed_in() && role == Role::kAdmin; }
  bool is_staff() const { return signed_in() && role != Role::kMember; }
};

namespace policy {

// Admins see everything; the owner sees their own; moderators also see hidden documents;
// everyone else sees public and unlisted documents that are not hidden. Exact duplicates
// are seen by admins only (they point to their original).
bool can_view(const Viewer& v, const Document& d);
// Edit, delete, retry: admins and the owner.
bool can_manage(const Viewer& v, const Document& d);
// In listings, related lists and the sitemap: public, ready, not hidden (moderation or the
// recycle bin). The rule is data so the store's queries apply the same one (ListingRule).
store::ListingRule listing_rule();
bool is_listed(const Document& d);
// In search results (and the search index's `listed` flag): public, not hidden, not a
// duplicate and not failed, so a document is found seconds after its upload while its
// previews are still being made.
bool is_searchable(const Document& d);

}  // namespace policy
}  // namespace wenku::library
