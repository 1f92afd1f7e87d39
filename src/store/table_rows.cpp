// The tables a migration copies and the order each is read in, shared by both stores.
#include "store/table_rows.h"

#include <utility>
#include <vector>

#include "store/metadata_store.h"

namespace wenku::store {

namespace {

// Parents before children: users and categories before the documents that name them,
// documents before their pages, tags, jobs, reports and analysis, and before what readers
// keep of them (comments, the recycle bin, favourites, ratings, collections, derivatives). A category's parent has
// a shorter path, whatever its id (a move creates parents after their children).
const std::vector<std::pair<std::string, std::string>>& tables() {
  static const std::vector<std::pair<std::string, std::string>> t = {
      {"users", "id"},
      {"categories", "length(path), id"},
      {"tags", "id"},
      {"documents", "id"},
      {"pages", "document_id, number"},
      {"document_tags", "document_id, tag_id"},
      {"document_analysis", "document_id"},
      {"jobs", "id"},
      {"reports", "id"},
      {"review_queue", "document_id"},
      {"query_log", "id"},
      {"site_settings", "key"},
      {"daily_counts", "day, kind"},
      {"daily_quota", "day, subject"},
      {"comments", "id"},
      {"comments_closed", "document_id"},
      {"recycle_bin", "document_id"},
      {"favourites", "user_id, document_id"},
      {"ratings", "user_id, document_id"},
      {"collections", "id"},
      {"collection_items", "collection_id, document_id"},
      {"derivatives", "document_id, kind"},
  };
  return t;
}

}  // namespace

const std::vector<std::string>& migration_tables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, order] : tables()) n.push_back(name);
    return n;
  }();
  return names;
}

std::string_view migration_order(const std::string& table) {
  for (const auto& [name, order] : tables()) {
    if (name == table) return order;
  }
  return {};
}

bool is_plain_identifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace wenku::store
