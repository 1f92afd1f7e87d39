// What several routes do with a request: find the document it names (respecting
// visibility), read search parameters, stream an upload, send an original file.
#pragma once

#include <httplib.h>

#include <string>

#include "core/result.h"
#include "library/library.h"

namespace wenku::http {

// The document of route match 1, if this visitor may see it. Hidden and private documents
// are "not found" for everyone but their owner and admins (no accounts yet: nobody).
// Errors: kNotFound.
Result<store::Document> visible_document(library::Library& lib, const httplib::Request& req);

// Shown in listings, search and related lists: public, ready, not hidden.
bool is_listed(const store::Document& doc);

library::SearchRequest search_request_from(const httplib::Request& req);

// Streams a multipart upload (field `file`, optional title, category, description, tags)
// into the library. Errors: kInvalidArgument (no file), kTooLarge, kIo.
Result<library::ImportOutcome> receive_upload(library::Library& lib, const httplib::Request& req,
                                              const httplib::ContentReader& reader,
                                              const std::string& uploader_name, int64_t uploader_id = 0);

// The original file with its original name (RFC 5987 filename*) and byte ranges.
void send_original(library::Library& lib, const store::Document& doc, const httplib::Request& req,
                   httplib::Response& res);

// Percent-encoding for URLs and RFC 5987 parameters.
std::string url_encode(std::string_view s);

}  // namespace wenku::http
