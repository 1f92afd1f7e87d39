// The kinds of jobs the library queues, in the order a document goes through them.
#pragma once

namespace wenku::library {

// Detect the format, extract text natively, index it: the document is searchable.
inline constexpr const char* kJobExtract = "extract";
// Convert to PDF, page texts, the first preview pages: the document is ready.
inline constexpr const char* kJobPreview = "preview";
// The remaining preview pages up to max_preview_pages, at lower priority.
inline constexpr const char* kJobRenderRest = "render_rest";
// One page a reader asked for before render_rest reached it (and the two after it), in a
// lane of its own at reader priority; the job's `page` names it.
inline constexpr const char* kJobRenderPage = "render_page";

// OCR of scanned pages and image documents, in a lane of its own (the document is ready after).
inline constexpr const char* kJobOcr = "ocr";

// The page images of a ready document made again with the site's current watermark.
inline constexpr const char* kJobWatermark = "watermark";
// After the watermark text changed: queues a `watermark` job per document with page images,
// in a worker rather than in the admin's request (a site of 100,000 documents).
inline constexpr const char* kJobWatermarkAll = "watermark_all";

inline constexpr int kPriorityExtract = 0;
inline constexpr int kPriorityPreview = 10;
inline constexpr int kPriorityRenderRest = 20;
inline constexpr int kPriorityOcr = 15;
inline constexpr int kPriorityWatermark = 30;
// render_rest hurried because a reader reached a page not rendered yet: after the extract
// jobs (search within a second of an upload), before new documents' previews.
inline constexpr int kPriorityReader = 5;  // after every new document's pages (render_page too)

}  // namespace wenku::library
