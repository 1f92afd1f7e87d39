// The kinds of jobs the library queues, in the order a document goes through them.
#pragma once

namespace wenku::library {

// Detect the format, extract text natively, index it: the document is searchable.
inline constexpr const char* kJobExtract = "extract";
// Convert to PDF, page texts, the first preview pages: the document is ready.
inline constexpr const char* kJobPreview = "preview";
// The remaining preview pages up to max_preview_pages, at lower priority.
inline constexpr const char* kJobRenderRest = "render_rest";

inline constexpr int kPriorityExtract = 0;
inline constexpr int kPriorityPreview = 10;
inline constexpr int kPriorityRenderRest = 20;

}  // namespace wenku::library
