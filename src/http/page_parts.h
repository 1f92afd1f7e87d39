// Pieces several page routes share: document cards, pagers, breadcrumbs, the document page.
#pragma once

#include <httplib.h>

#include <mstch/mstch.hpp>
#include <string>

#include "http/site.h"
#include "http/views.h"

namespace wenku::http {

// A document's card for the visitor's language (its page count in words: "1 page", "3页").
mstch::map doc_card(Site& site, const std::string& lang, const store::Document& d);
std::string format_upper(const std::string& format);
// Empty when there is only one page.
mstch::map pager(int64_t page, bool has_next, const std::string& base, const std::string& params);
// "办公文档/事务文书" -> links to /c/办公文档 and /c/办公文档/事务文书.
mstch::array breadcrumb(const std::string& category_path);
// The document page of DESIGN.md §1 for route match 1; `flash` is a message key or "".
void render_document_page(Site& site, const Views& views, const Visitor& v, const httplib::Request& req,
                          httplib::Response& res, const std::string& flash, int status = 200);
// The comments of the document page (comment_routes.cpp): the list, the form, the count,
// and whether the document is in the recycle bin (for its owner and admins).
void add_comments(Site& site, const Visitor& v, const store::Document& d, mstch::map& ctx);
// The message key of the document page's `m` parameter after a comment form ("" if none).
std::string document_flash(const httplib::Request& req);

// The document page's favourites, rating and collection forms (social_routes.cpp): keys
// soc_* of its template.
void add_social_to_document(Site& site, const Visitor& v, const store::Document& d, mstch::map& ctx);
// /me's 我的收藏 and 我的专辑 (keys favourites, my_collections).
void add_social_to_me(Site& site, const Visitor& v, mstch::map& ctx);

}  // namespace wenku::http
