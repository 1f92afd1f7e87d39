// What several routes do with a request: find the document it names (respecting
// visibility), read search parameters, stream an upload, send an original file, answer with
// a page or a redirect.
#pragma once

#include <httplib.h>

#include <string>

#include "core/result.h"
#include "http/error_words.h"
#include "http/site.h"
#include "http/upload_form.h"
#include "library/library.h"

namespace wenku::http {

// The document of route match 1, if this visitor may see it (Site::can_view); everyone else
// gets "not found", so hidden and private documents do not reveal that they exist.
// Errors: kNotFound.
Result<store::Document> visible_document(Site& site, const Visitor& v, const httplib::Request& req);
// A backend that did not answer (kUnavailable): sets the 503 that server.cpp turns into the
// uniform answer (Retry-After, a JSON error or a Chinese-first page) and returns true.
bool answer_if_unavailable(const Error& error, httplib::Response& res);

// The search of a request's parameters: q, category, format, sort, page, per_page, from and to
// (dates YYYY-MM-DD, inclusive) and like (a document number). A date that is not one is left
// open and named in `*invalid`.
library::SearchRequest search_request_from(const httplib::Request& req, const Visitor& v, std::string* invalid = nullptr);

// Streams a multipart upload (field `file`, optional title, category, description, tags,
// visibility) into the library. Errors: kInvalidArgument (no file), kTooLarge,
// kUnsupportedFormat, kIo.
Result<library::ImportOutcome> receive_upload(library::Library& lib, const httplib::Request& req,
                                              const httplib::ContentReader& reader, const Visitor& v,
                                              const UploadPolicy& policy);

// The original file with its original name (RFC 5987 filename*) and byte ranges (by nginx
// after an X-Accel-Redirect when accel_redirect is on).
void send_original(Site& site, const store::Document& doc, const httplib::Request& req, httplib::Response& res);

// Hands the stored file `key` to nginx: `X-Accel-Redirect: PREFIX/aa/bb/KEY` to the internal
// location (accel_redirect_prefix), an empty body and `content_type`. nginx keeps the
// Content-Type, Content-Disposition, Cache-Control and Accept-Ranges already set on `res` and
// answers ranges itself. Call only after every access, quota and signed-link check.
// A batch upload: the form's file is a ZIP whose files each become a document with the
// form's category, tags and visibility (library::Ingest::import_archive). Errors: as
// receive_upload, and the archive's (kCorrupt, kInvalidArgument, kTooLarge).
Result<std::vector<library::BatchItem>> receive_batch(library::Library& lib, const httplib::Request& req,
                                                      const httplib::ContentReader& reader, const Visitor& v,
                                                      const UploadPolicy& policy);

void send_accel_redirect(Site& site, const std::string& key, const std::string& content_type,
                         httplib::Response& res);

// Percent-encoding for URLs and RFC 5987 parameters.
std::string url_encode(std::string_view s);
// A local path to return to: only "/..." paths of this site ("//evil" and URLs are refused).
std::string safe_next(const std::string& next);
int64_t int_param(const httplib::Request& req, const std::string& name, int64_t fallback, int64_t lo, int64_t hi);

// Whether this visitor may download `d` now (site policy, daily quotas per account and address);
// counts the download once per visitor and ten minutes. Errors: kUnauthenticated,
// kPermissionDenied, kRateLimited.
Result<void> take_download(Site& site, const Visitor& v, const store::Document& d);

void send_html(httplib::Response& res, const std::string& html, int status = 200);
void redirect(httplib::Response& res, const std::string& to);

}  // namespace wenku::http
