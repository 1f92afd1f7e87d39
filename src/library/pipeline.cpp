// The processing of one document, as job handlers: extract (searchable), preview (ready),
// render_rest (the remaining preview pages).
#include <algorithm>
#include <map>
#include <set>
#include <fstream>
#include <thread>

#include "convert/converter.h"
#include "core/formats.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/strings.h"
#include "detect/detect.h"
#include "extract/extract.h"
#include "index/search_index.h"
#include "image/image_file.h"
#include "library/job_kinds.h"
#include "library/pipeline.h"
#include "library/policy.h"
#include "library/indexer.h"
#include "library/data_dir.h"
#include "library/site_settings.h"
#include "blob/blob_store.h"
#include "text/segmenter.h"
#include "ofd/ofd.h"
#include "render/boxed_document.h"
#include "render/pdf_document.h"
#include "text/keywords.h"
#include "text/simhash.h"

namespace wenku::library {

namespace fs = std::filesystem;

namespace {

// What search engines and the 资源描述 box show when the uploader wrote no description.
std::string summary_of(const std::vector<store::Page>& pages) {
  std::string all;
  for (const auto& p : pages) {
    all += p.text;
    all += ' ';
    if (all.size() > 4000) break;
  }
  std::string flat;
  bool space = false;
  for (char c : all) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !flat.empty()) flat += ' ';
    space = false;
    flat += c;
  }
  return utf8_prefix(sanitize_utf8(flat), 200);
}

// A simple HTML page holding plain text, for LibreOffice to lay out as pages.
std::string text_as_html(const std::string& title, const std::vector<std::string>& pages) {
  std::string html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
                     "</title></head><body>";
  for (const auto& page : pages) {
    for (const auto& para : split(page, '\n')) {
      std::string t = trim(para);
      if (!t.empty()) html += "<p>" + html_escape(t) + "</p>\n";
    }
  }
  html += "</body></html>";
  return html;
}

// Splits flowing plain text into pages of about `chars_per_page` characters, at line ends
// where one is near, so a text file has pages (and page-level search hits) as soon as its
// text is known; the PDF made later replaces them with the laid-out pages.
std::vector<std::string> paginate_text(const std::string& text, size_t chars_per_page) {
  std::vector<std::string> pages;
  std::string current;
  size_t chars = 0;
  for (const auto& line : split(text, '\n')) {
    size_t n = utf8_length(line) + 1;
    if (chars > 0 && chars + n > chars_per_page) {
      pages.push_back(std::move(current));
      current.clear();
      chars = 0;
    }
    // A single huge line is cut at character boundaries.
    std::string_view rest = line;
    while (utf8_length(rest) > chars_per_page) {
      std::string head = utf8_prefix(rest, chars_per_page);
      pages.push_back(head);
      rest.remove_prefix(head.size());
    }
    current.append(rest);
    current += '\n';
    chars += utf8_length(rest) + 1;
  }
  if (!trim(current).empty() || pages.empty()) pages.push_back(std::move(current));
  return pages;
}

// About one printed A4 page of Chinese text.
constexpr size_t kCharsPerTextPage = 1200;

bool has_text(const std::vector<std::string>& pages) {
  return std::any_of(pages.begin(), pages.end(), [](const std::string& p) { return !trim(p).empty(); });
}

// Every worker renders in the server's own process, so each PDF gets a bounded share.
render::OpenLimits pdf_limits(const Settings& s) {
  render::OpenLimits l;
  l.max_memory_bytes = s.get_int("render_memory_mb") << 20;
  return l;
}

// MuPDF runs in a box per document (render/boxed_document.h) that hides the data directory,
// the folder above the scratch directory's (DATA/tmp/NAME).
render::BoxOptions pdf_box(const ScratchDir& scratch) {
  render::BoxOptions b;
  b.hidden_dirs = {scratch.path().parent_path().parent_path()};
  return b;
}

extract::ExtractLimits extract_limits(const Settings& s) {
  extract::ExtractLimits l;
  l.max_pages = static_cast<int>(s.get_int("max_pages"));
  return l;
}

}  // namespace

Pipeline::Pipeline(Parts parts) : p_(std::move(parts)) {
  ocr_ = std::make_unique<OcrStep>(OcrStep::Parts{
      p_.settings, p_.store, p_.blobs, p_.indexer, p_.scratch, p_.notify,
      [this](const Document& doc, const std::vector<Page>& pages) { return analyse(doc, pages); }});
}

Result<void> Pipeline::run_ocr(int64_t id, const std::function<void(double)>& progress) {
  return ocr_->run(id, progress);
}

Pipeline::~Pipeline() {
  if (converter_) {
    converter_.reset();  // the helpers end before their directory goes
    std::error_code ec;
    fs::remove_all(p_.convert_work_dir, ec);
  }
}

Result<std::vector<Page>> Pipeline::read_pages(int64_t id) {
  ++page_reads_;
  return p_.store.get_pages(id);
}

void Pipeline::mark_failed(int64_t id, const Error& error) {
  DocumentUpdate u;
  u.status = DocumentStatus::kFailed;
  u.error = error.message.empty() ? std::string(error_code_name(error.code)) : error.message;
  if (auto r = p_.store.update_document(id, u); !r.ok()) {
    log::error("mark_failed_failed document={} error={}", id, r.error().message);
  }
}

void Pipeline::on_final_failure(const std::string& kind, int64_t id, const Error& e) {
  if (kind == kJobOcr) {
    log::warn("ocr_gave_up document={} error={}", id, e.message);
    ocr_->give_up(id);  // its previews exist: readable without the OCR text
    return;
  }
  // Previews that fail for a document already readable (plain text) leave it readable.
  auto doc = p_.store.get_document(id);
  if (kind != kJobRenderRest && kind != kJobRenderPage && doc.ok() && doc->status != DocumentStatus::kReady) mark_failed(id, e);
}

void Pipeline::interrupt() {
  std::lock_guard lock(converter_mu_);
  if (converter_) converter_->interrupt();
}

Result<convert::Converter*> Pipeline::converter() {
  std::lock_guard lock(converter_mu_);
  if (!converter_) {
    convert::ConverterOptions o;
    o.slots = static_cast<int>(p_.settings.get_int("convert_slots"));
    o.timeout_seconds = static_cast<int>(p_.settings.get_int("convert_timeout_seconds"));
    o.memory_mb = static_cast<int>(p_.settings.get_int("convert_memory_mb"));
    o.docs_per_helper = static_cast<int>(p_.settings.get_int("convert_docs_per_helper"));
    o.work_dir = p_.convert_work_dir;
    WENKU_ASSIGN_OR_RETURN(converter_, convert::make_converter(o));
  }
  return converter_.get();
}

Result<void> Pipeline::analyse(const Document& doc, const std::vector<Page>& pages) {
  ++analyses_;
  const int64_t id = doc.id;
  std::string text;
  for (const auto& p : pages) {
    if (text.size() > (4u << 20)) break;  // enough to characterise any document
    text += p.text;
    text += '\n';
  }
  if (utf8_length(trim(text)) < 20) return {};
  store::DocumentUpdate u;
  // Keywords the uploader gave win; otherwise the words that set this text apart.
  // One segmentation and one count of its words for both the keywords and the fingerprint.
  const text::WordCounts counts = text::count_words(p_.segmenter.segment(text, text::SegmentMode::kQuery));
  if (doc.keywords.empty()) {
    std::string words;
    for (const auto& k : p_.keywords.extract(counts, 8)) words += (words.empty() ? "" : " ") + k.word;
    u.keywords = words;
  }
  store::DocumentAnalysis a;
  a.simhash = text::simhash_words(counts);
  // 3 of 64 bits: the same text with small edits, not merely the same topic.
  WENKU_ASSIGN_OR_RETURN(auto near, p_.store.find_near_duplicate(id, a.simhash, 3));
  if (near && near->first < id) {
    u.similar_to = near->first;
    u.similarity = 1.0 - near->second / 64.0;
  }
  WENKU_TRY(p_.store.set_analysis(id, a));
  return p_.store.update_document(id, u);
}

Result<void> Pipeline::suggest_category(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, p_.store.get_document(id));
  if (!doc.category_path.empty()) return {};
  auto analysis = p_.store.get_analysis(id);
  if (!analysis.ok()) return {};
  store::DocumentAnalysis a = *analysis;
  a.suggested_category.clear();
  WENKU_ASSIGN_OR_RETURN(auto categories, p_.store.list_categories(policy::listing_rule()));
  if (categories.empty()) return {};  // nothing to learn from (and a bulk import stays fast)
  {
    // The category most of the closest documents are in.
    auto related = p_.index.related(id, 8);
    std::map<std::string, int> votes;
    if (related.ok()) {
      for (int64_t rid : *related) {
        auto r = p_.store.get_document(rid);
        if (r.ok() && !r->category_path.empty()) ++votes[r->category_path];
      }
    }
    int best = 1;  // one vote is chance, not a suggestion
    for (const auto& [path, n] : votes) {
      if (n > best) {
        best = n;
        a.suggested_category = path;
      }
    }
  }
  return p_.store.set_analysis(id, a);
}

Result<void> Pipeline::run_extract(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(Extracted e, extract_step(id));
  if (e.has_text) WENKU_TRY(p_.indexer.reindex(id));
  return after_extract_step(id, e);
}

std::vector<Result<void>> Pipeline::run_extract_batch(const std::vector<int64_t>& ids,
                                                     const std::function<void(double)>& progress) {
  std::vector<Result<void>> results(ids.size(), Result<void>{});
  std::vector<Extracted> extracted(ids.size());
  std::vector<int64_t> to_index;
  std::vector<size_t> slots;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (progress) progress(static_cast<double>(i) / static_cast<double>(ids.size() + 1));
    auto e = extract_step(ids[i]);
    if (!e.ok()) {
      results[i] = e.take_error();
      continue;
    }
    extracted[i] = *e;
    if (e->has_text) {
      to_index.push_back(ids[i]);
      slots.push_back(i);
    }
  }
  std::vector<Result<void>> indexed = p_.indexer.reindex_batch(to_index);
  for (size_t k = 0; k < slots.size(); ++k) results[slots[k]] = std::move(indexed[k]);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (results[i].ok()) results[i] = after_extract_step(ids[i], extracted[i]);
  }
  return results;
}

Result<Pipeline::Extracted> Pipeline::extract_step(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, p_.store.get_document(id));
  WENKU_ASSIGN_OR_RETURN(fs::path original, p_.blobs.local_path(doc.blob_key, p_.scratch.path()));
  detect::Detection det = detect::detect_file(original);
  store::DocumentUpdate u;
  u.format = det.format;
  WENKU_TRY(p_.store.update_document(id, u));
  if (det.encrypted) return make_error(ErrorCode::kEncrypted, det.reason);
  if (!det.supported) return make_error(ErrorCode::kUnsupportedFormat, det.reason);

  Extracted out;
  auto text = extract::extract_text(original, det, extract_limits(p_.settings));
  // Plain text is readable as it is: it is ready (and searchable page by page) once its text
  // is in, and its page images follow at low priority. Laying out and rendering ten thousand
  // texts of a bulk import before any is ready would keep them all waiting for minutes.
  out.plain_text = text.ok() && det.format == "txt" && has_text(text->pages);
  if (out.plain_text) {
    std::string all;
    for (const auto& p : text->pages) all += p;
    text->pages = paginate_text(all, kCharsPerTextPage);
    text->paged = true;
  }
  if (text.ok()) {
    std::vector<store::Page> pages;
    for (size_t i = 0; i < text->pages.size(); ++i) {
      pages.push_back({static_cast<int>(i + 1), text->pages[i], "", "", 0, 0});
    }
    WENKU_TRY(p_.store.replace_pages(id, pages));
    store::DocumentUpdate meta;
    if (doc.description.empty()) meta.description = summary_of(pages);
    if (text->paged) meta.pages = static_cast<int>(pages.size());
    WENKU_TRY(p_.store.update_document(id, meta));
    // Plain text is final here; any other document is analysed once, by its preview job, on
    // the text of its PDF.
    if (out.plain_text) {
      if (auto a = analyse(doc, pages); !a.ok()) log::warn("analyse_failed document={} error={}", id, a.error().message);
    }
    // Searchable next (run_extract or the batch's index commit), before any preview exists.
    out.has_text = true;
  } else if (text.error().code == ErrorCode::kEncrypted || text.error().code == ErrorCode::kTooLarge ||
             (text.error().code == ErrorCode::kCorrupt && !det.needs_conversion)) {
    return text.take_error();
  } else if (text.error().code != ErrorCode::kUnsupportedFormat) {
    // LibreOffice may still read what our own reader could not; its PDF gives the text.
    log::info("extract_fallback document={} reason={}", id, text.error().message);
  }
  return out;
}

Result<void> Pipeline::after_extract_step(int64_t id, const Extracted& e) {
  if (e.has_text) {
    if (auto c = suggest_category(id); !c.ok()) log::warn("suggest_failed document={} error={}", id, c.error().message);
  }
  if (e.plain_text) {
    // Ready once indexed: a reader who sees it ready finds it in search too.
    store::DocumentUpdate ready;
    ready.status = store::DocumentStatus::kReady;
    WENKU_TRY(p_.store.update_document(id, ready));
  }
  WENKU_TRY(p_.store.enqueue_job({kJobPreview, id, e.plain_text ? kPriorityRenderRest : kPriorityPreview,
                                 static_cast<int>(p_.settings.get_int("job_max_attempts"))}));
  if (p_.notify) p_.notify();
  return {};
}

Result<void> Pipeline::run_preview(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, p_.store.get_document(id));
  WENKU_ASSIGN_OR_RETURN(fs::path original, p_.blobs.local_path(doc.blob_key, p_.scratch.path()));
  WENKU_ASSIGN_OR_RETURN(auto text_pages, read_pages(id));
  // Plain text is ready (and analysed) after its extract job; its PDF only lays it out.
  const bool analysed = doc.status == DocumentStatus::kReady;
  const SiteConfig site = p_.site.config();
  // Pictures (JPEG, PNG, TIFF, WebP, HEIC) are their own pages: no PDF, then OCR.
  if (image::is_image_format(doc.format)) {
    return ocr_->image_preview(doc, original, site.max_preview_pages, watermark_for(site, id));
  }

  // 1. A PDF: the original, or LibreOffice's conversion of it (or of its text).
  fs::path pdf_path;
  std::string pdf_key = doc.pdf_key;
  if (doc.format == "pdf") {
    pdf_path = original;
  } else if (!pdf_key.empty()) {
    WENKU_ASSIGN_OR_RETURN(pdf_path, p_.blobs.local_path(pdf_key, p_.scratch.path()));
  } else {
    fs::path input = original;
    std::string format = doc.format;
    fs::path prepared;
    const formats::Format* row = formats::find(format);
    const bool text_format = row != nullptr && row->preview == formats::Preview::kTextLayout;
    const bool ofd_pdf = row != nullptr && row->preview == formats::Preview::kOfd;
    if (!ofd_pdf && (text_format || !convert::is_convertible_format(format))) {
      // Text formats (txt in any encoding, html, epub, xml): lay out the text we decoded
      // ourselves, so LibreOffice never has to guess an encoding or fetch a linked resource.
      // No text is not a failure (an HTML page of pictures, an empty file): its one page is
      // laid out blank and the document is ready, found by its title.
      std::vector<std::string> texts;
      for (const auto& p : text_pages) texts.push_back(p.text);
      prepared = p_.scratch.new_file(".html");
      std::ofstream(prepared, std::ios::binary) << text_as_html(doc.title, texts);
      input = prepared;
      format = "html";
    }
    fs::path out = p_.scratch.new_file(".pdf");
    // OFD: the ofd module writes the PDF (fonts, images, paths, seals), not LibreOffice.
    auto conv = ofd_pdf ? Result<convert::Converter*>(nullptr) : converter();
    Result<void> converted = ofd_pdf    ? ofd::convert_to_pdf(original, out)
                             : conv.ok() ? (*conv)->to_pdf(input, format, out)
                                         : Result<void>(conv.error());
    if (!prepared.empty()) fs::remove(prepared);
    if (!converted.ok()) {
      fs::remove(out);
      std::vector<std::string> texts;
      for (const auto& p : text_pages) texts.push_back(p.text);
      // A timeout is not retried when our own reader got the text: the same document takes
      // as long again (a spreadsheet with a million formatted rows held a slot for 3 x 120 s
      // and then failed anyway); `wenku retry` can still ask for its images.
      const ErrorCode code = converted.error().code;
      if ((is_transient(code) && code != ErrorCode::kTimeout) || !has_text(texts)) {
        return converted.take_error();
      }
      // LibreOffice could not lay it out, but our own reader got its text: the document is
      // readable and searchable without page images rather than lost.
      log::warn("preview_unavailable document={} error={}", id, converted.error().message);
      if (!analysed) {
        if (auto a = analyse(doc, text_pages); !a.ok()) log::warn("analyse_failed document={} error={}", id, a.error().message);
      }
      store::DocumentUpdate u;
      u.status = store::DocumentStatus::kReady;
      u.pages = static_cast<int>(text_pages.size());
      u.error = "";
      u.indexed = false;
      WENKU_TRY(p_.store.update_document(id, u));
      return p_.indexer.reindex_read(doc, text_pages);
    }
    WENKU_ASSIGN_OR_RETURN(auto blob_key, p_.blobs.put_file(out, [&] {
      Sha256 h;
      std::ifstream in(out, std::ios::binary);
      std::string buf(65536, '\0');
      while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.update(buf.data(), static_cast<size_t>(in.gcount()));
      }
      return h.hex();
    }()));
    pdf_key = blob_key;
    store::DocumentUpdate u;
    u.pdf_key = pdf_key;
    WENKU_TRY(p_.store.update_document(id, u));
    WENKU_ASSIGN_OR_RETURN(pdf_path, p_.blobs.local_path(pdf_key, p_.scratch.path()));
  }

  // 2. Pages and their text come from the PDF: the page count a reader sees.
  WENKU_ASSIGN_OR_RETURN(auto pdf, render::open_document(pdf_path, pdf_limits(p_.settings), pdf_box(p_.scratch)));
  int count = pdf->page_count();
  if (count <= 0) return keyed_error(ErrorCode::kCorrupt, "library.pdf_has_no_pages");
  if (count > p_.settings.get_int("max_pages")) {
    return keyed_error(ErrorCode::kTooLarge, "library.too_many_pages", {{"pages", std::to_string(count)}});
  }
  std::vector<store::Page> pages;
  for (int i = 0; i < count; ++i) {
    auto t = pdf->page_text(i);
    if (!t.ok() && pdf->failed()) return t.take_error();  // the helper crashed on this file
    pages.push_back({i + 1, t.ok() ? *t : std::string(), "", "", 0, 0});
  }
  std::vector<std::string> pdf_texts;
  for (const auto& p : pages) pdf_texts.push_back(p.text);
  // A PDF without a text layer (scans, broken fonts) keeps the native text instead.
  // An OFD keeps the text the ofd module read (every TextCode, in reading order).
  const bool from_pdf = doc.format != "ofd" && (has_text(pdf_texts) || text_pages.empty());
  if (from_pdf) WENKU_TRY(p_.store.replace_pages(id, pages));
  // The text from here on, handed along rather than read again.
  const std::vector<Page>& final_pages = from_pdf ? pages : text_pages;
  store::DocumentUpdate u;
  u.pages = count;
  if (doc.description.empty()) u.description = summary_of(final_pages);
  WENKU_TRY(p_.store.update_document(id, u));

  // 3. The first preview pages (the effective setting), before the document is ready.
  int first = std::min<int>(count, site.preview_pages);
  WENKU_ASSIGN_OR_RETURN(int done, render_pages(id, *pdf, 0, first));
  // A scanned PDF (pages without a usable text layer) is ready once the ocr job read them.
  WENKU_ASSIGN_OR_RETURN(bool ocr_pending,
                         doc.format == "pdf" ? ocr_->queue_if_needed(id, final_pages) : Result<bool>(false));
  store::DocumentUpdate ready;
  ready.preview_pages_done = done;
  if (!ocr_pending) ready.status = store::DocumentStatus::kReady;
  ready.error = "";
  ready.indexed = false;  // the index gets the final text below
  WENKU_TRY(p_.store.update_document(id, ready));
  if (!analysed) {
    if (auto a = analyse(doc, final_pages); !a.ok()) log::warn("analyse_failed document={} error={}", id, a.error().message);
  }
  WENKU_TRY(p_.indexer.reindex_read(doc, final_pages));
  if (auto c = suggest_category(id); !c.ok()) log::warn("suggest_failed document={} error={}", id, c.error().message);
  int max_preview = site.max_preview_pages;
  if (done == first && count > first && max_preview > first && p_.settings.get_bool("render_rest")) {
    WENKU_TRY(p_.store.enqueue_job({kJobRenderRest, id, kPriorityRenderRest, 2}));
    if (p_.notify) p_.notify();
  }
  return {};
}

namespace {

// The numbers of the pages that have an image. Page rows can be fewer than the PDF's pages
// (a document keeping its own reader's text), so pages are counted by number, not by row.
std::set<int> with_images(const std::vector<Page>& pages) {
  std::set<int> out;
  for (const auto& p : pages) {
    if (!p.image_key.empty()) out.insert(p.number);
  }
  return out;
}

// How many pages from the first have an image: preview_pages_done, the rendered prefix.
// Pages after it may have images too (rendered when a reader asked for them).
int rendered_prefix(const std::set<int>& rendered) {
  int n = 0;
  while (rendered.count(n + 1)) ++n;
  return n;
}

}  // namespace

Result<std::unique_ptr<render::Document>> Pipeline::open_pdf(const Document& doc) {
  std::string key = doc.format == "pdf" ? doc.blob_key : doc.pdf_key;
  if (key.empty() || image::is_image_format(doc.format)) return std::unique_ptr<render::Document>();
  WENKU_ASSIGN_OR_RETURN(fs::path pdf_path, p_.blobs.local_path(key, p_.scratch.path()));
  return render::open_document(pdf_path, pdf_limits(p_.settings), pdf_box(p_.scratch));
}

Result<void> Pipeline::run_render_rest(int64_t id) {
  WENKU_ASSIGN_OR_RETURN(auto doc, p_.store.get_document(id));
  WENKU_ASSIGN_OR_RETURN(auto pdf, open_pdf(doc));
  if (!pdf) return {};
  WENKU_ASSIGN_OR_RETURN(auto pages, read_pages(id));
  const int last = std::min(pdf->page_count(), p_.site.config().max_preview_pages);
  std::set<int> rendered = with_images(pages);
  // Pages a reader had made already are skipped.
  std::vector<int> missing;
  for (int n = 1; n <= last; ++n) {
    if (!rendered.count(n)) missing.push_back(n);
  }
  // In steps of five, so readers see pages appear while the rest render.
  for (size_t from = 0; from < missing.size(); from += 5) {
    std::vector<int> step(missing.begin() + static_cast<std::ptrdiff_t>(from),
                          missing.begin() + static_cast<std::ptrdiff_t>(std::min(missing.size(), from + 5)));
    WENKU_ASSIGN_OR_RETURN(int done, render_numbers(id, *pdf, step));
    for (int i = 0; i < done; ++i) rendered.insert(step[static_cast<size_t>(i)]);
    store::DocumentUpdate u;
    u.preview_pages_done = rendered_prefix(rendered);
    WENKU_TRY(p_.store.update_document(id, u));
    if (done < static_cast<int>(step.size())) break;  // a page failed to render: the later ones wait for a retry
  }
  return {};
}

Result<void> Pipeline::run_render_page(int64_t id, int page) {
  WENKU_ASSIGN_OR_RETURN(auto doc, p_.store.get_document(id));
  WENKU_ASSIGN_OR_RETURN(auto pdf, open_pdf(doc));
  if (!pdf) return {};
  WENKU_ASSIGN_OR_RETURN(auto pages, read_pages(id));
  const int last = std::min(pdf->page_count(), p_.site.config().max_preview_pages);
  std::set<int> rendered = with_images(pages);
  std::vector<int> wanted;
  for (int n = page; n < page + 3 && n <= last; ++n) {
    if (!rendered.count(n)) wanted.push_back(n);
  }
  if (wanted.empty()) return {};
  WENKU_ASSIGN_OR_RETURN(int done, render_numbers(id, *pdf, wanted));
  rendered.insert(wanted.begin(), wanted.begin() + done);
  const int prefix = rendered_prefix(rendered);
  if (prefix > doc.preview_pages_done) {
    store::DocumentUpdate u;
    u.preview_pages_done = prefix;
    WENKU_TRY(p_.store.update_document(id, u));
  }
  if (done == 0) return make_error(ErrorCode::kCorrupt, "page " + std::to_string(page) + " failed to render");
  return {};
}

Result<bool> Pipeline::request_page(const Document& doc, int page, const std::string& visitor) {
  const int last = std::min(doc.pages, p_.site.config().max_preview_pages);
  if (doc.status != store::DocumentStatus::kReady || page < 1 || page > last) return false;
  {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(hurry_mu_);
    auto it = hurried_.find({doc.id, page});
    if (it != hurried_.end() && now - it->second < std::chrono::seconds(5)) return false;
    if (hurried_.size() >= 10'000) hurried_.clear();  // a bound, not a cache worth keeping
    hurried_[{doc.id, page}] = now;
  }
  // Nobody queues thousands: a reader scrolling asks for a page in three (each job renders
  // three), so the limit is far above what reading needs.
  WENKU_ASSIGN_OR_RETURN(bool allowed, p_.store.take_rate("render_page|" + visitor,
                                                         p_.settings.get_int("page_requests_per_minute"), 60));
  if (!allowed) return false;
  WENKU_ASSIGN_OR_RETURN(bool queued, p_.store.enqueue_job_once({kJobRenderPage, doc.id, kPriorityReader, 2, page}));
  WENKU_ASSIGN_OR_RETURN(bool hurried, p_.store.hurry_job(kJobRenderRest, doc.id, kPriorityRenderRest - 1));
  if ((queued || hurried) && p_.notify) p_.notify();
  return queued || hurried;
}

Result<int> Pipeline::render_numbers(int64_t id, const render::Document& pdf, const std::vector<int>& numbers) {
  int done = 0;
  for (int n : numbers) {
    WENKU_ASSIGN_OR_RETURN(int to, render_pages(id, pdf, n - 1, n));
    if (to < n) break;
    ++done;
  }
  return done;
}

Result<int> Pipeline::render_pages(int64_t id, const render::Document& pdf, int from, int to) {
  render::RenderOptions ro;
  ro.watermark = watermark_for(p_.site.config(), id);
  int done = from;
  for (int i = from; i < to; ++i) {
    auto img = pdf.render_page(i, ro);
    if (!img.ok()) {
      log::warn("render_failed document={} page={} error={}", id, i + 1, img.error().message);
      if (pdf.failed()) return img.take_error();  // the helper crashed on this file
      break;
    }
    WENKU_ASSIGN_OR_RETURN(auto image_key, p_.blobs.put_bytes(img->preview_webp));
    WENKU_ASSIGN_OR_RETURN(auto thumb_key, p_.blobs.put_bytes(img->thumb_webp));
    WENKU_TRY(p_.store.set_page_image(id, i + 1, image_key, thumb_key, img->width, img->height));
    done = i + 1;
  }
  return done;
}

Result<void> Pipeline::run_watermark(int64_t id) {
  p_.site.reload();  // the text another process saved a moment ago
  WENKU_ASSIGN_OR_RETURN(auto doc, p_.store.get_document(id));
  if (doc.preview_pages_done <= 0) return {};
  if (image::is_image_format(doc.format)) {
    WENKU_ASSIGN_OR_RETURN(fs::path original, p_.blobs.local_path(doc.blob_key, p_.scratch.path()));
    return ocr_->remake_images(doc, original, watermark_for(p_.site.config(), id));
  }
  WENKU_ASSIGN_OR_RETURN(auto pdf, open_pdf(doc));
  if (!pdf) return {};
  // Every page with an image, also those rendered for a reader beyond the prefix.
  WENKU_ASSIGN_OR_RETURN(auto pages, read_pages(id));
  std::vector<int> numbers;
  for (int n : with_images(pages)) {
    if (n <= pdf->page_count()) numbers.push_back(n);
  }
  WENKU_ASSIGN_OR_RETURN(int done, render_numbers(id, *pdf, numbers));
  if (done < static_cast<int>(numbers.size())) {
    return make_error(ErrorCode::kCorrupt, "page " + std::to_string(numbers[static_cast<size_t>(done)]) + " failed to render");
  }
  return {};
}

Result<int> Pipeline::queue_watermark_all() {
  int queued = 0;
  store::DocumentFilter f;
  f.sort = store::DocumentSort::kOldest;
  f.limit = 500;
  for (;;) {
    WENKU_ASSIGN_OR_RETURN(auto docs, p_.store.list_documents(f));
    for (const auto& d : docs) {
      if (d.preview_pages_done <= 0) continue;
      WENKU_TRY(p_.store.enqueue_job({kJobWatermark, d.id, kPriorityWatermark, 2}));
      ++queued;
    }
    if (static_cast<int>(docs.size()) < f.limit) break;
    f.offset += f.limit;
  }
  if (queued > 0 && p_.notify) p_.notify();
  log::info("watermark_queued documents={}", queued);
  return queued;
}

}  // namespace wenku::library
