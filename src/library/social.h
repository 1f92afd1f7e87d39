// Social: what signed-in readers keep and say about documents: favourites (收藏), ratings
// (1-5 stars, one per reader and document) and collections (专辑: named lists, public or
// private, each with its own page). Owns who may see and change a collection and which of
// its documents a visitor is shown (never one the visitor may not see, nor an unlisted,
// held or private document of someone else). May call: store, the catalogue (visible), policy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "library/policy.h"
#include "library/types.h"

namespace wenku::library {

class Catalogue;

using store::Collection;
using store::CollectionUpdate;
using store::RatingSummary;

// One document's favourites and ratings, and what the viewer gave it.
struct DocumentSocial {
  int64_t favourites = 0;
  RatingSummary rating;
  bool favourite = false;  // the viewer starred it
  int my_rating = 0;       // the viewer's stars, 0 = none
};

class Social {
 public:
  static constexpr size_t kNameBytes = 120;          // a collection's name, UTF-8 bytes
  static constexpr size_t kDescriptionBytes = 2000;  // its description
  static constexpr int kMaxCollections = 200;        // per account
  static constexpr int kMaxItems = 2000;             // per collection

  Social(store::MetadataStore& store, Catalogue& catalogue) : store_(store), catalogue_(catalogue) {}

  // True when `d` may be listed to `v` among favourites or in a collection: listed
  // documents, and those `v` manages (or, for staff, may see).
  static bool shown_in_list(const Viewer& v, const Document& d);
  // A collection is seen by everyone when public, else by its owner and admins.
  static bool may_see(const Viewer& v, const Collection& c);
  static bool may_change(const Viewer& v, const Collection& c);

  // Counts of a document the caller already showed to `v`. Errors: kIo.
  Result<DocumentSocial> document(const Viewer& v, int64_t document_id);
  // Errors: kUnauthenticated (a guest), kNotFound (a document `v` may not see).
  Result<void> set_favourite(const Viewer& v, int64_t document_id, bool on);
  // The viewer's favourites that shown_in_list allows, most recent first.
  Result<std::vector<Document>> favourites(const Viewer& v, int offset, int limit);
  // Errors: kUnauthenticated, kNotFound, kInvalidArgument (stars out of 1..5).
  Result<void> rate(const Viewer& v, int64_t document_id, int stars);

  // Errors: kUnauthenticated, kInvalidArgument (an empty name), kTooLarge (too many).
  Result<int64_t> create_collection(const Viewer& v, const std::string& name, const std::string& description,
                                    bool is_public);
  // The collection if `v` may see it; kNotFound otherwise (a private one does not reveal
  // that it exists).
  Result<Collection> collection(const Viewer& v, int64_t id);
  // The documents of `c` shown to `v` (shown_in_list), most recently added first.
  Result<std::vector<Document>> collection_documents(const Viewer& v, const Collection& c, int offset, int limit);
  // Errors: kNotFound (not seen), kPermissionDenied (seen but not `v`'s), kInvalidArgument.
  Result<void> update_collection(const Viewer& v, int64_t id, CollectionUpdate update);
  Result<void> delete_collection(const Viewer& v, int64_t id);
  // Errors as update_collection, and kNotFound for a document `v` may not see.
  Result<void> add_to_collection(const Viewer& v, int64_t collection_id, int64_t document_id);
  Result<void> remove_from_collection(const Viewer& v, int64_t collection_id, int64_t document_id);
  // The viewer's own collections, newest first.
  Result<std::vector<Collection>> collections_of(const Viewer& v);
  // Which of the viewer's collections hold the document.
  Result<std::vector<int64_t>> collections_holding(const Viewer& v, int64_t document_id);
  // Public collections of every owner (the sitemap).
  Result<std::vector<Collection>> public_collections(int offset, int limit);

 private:
  Result<Collection> changeable(const Viewer& v, int64_t id);

  store::MetadataStore& store_;
  Catalogue& catalogue_;
};

}  // namespace wenku::library
