// libzip over a ByteSource: a callback source so files and memory buffers read the same way.
#include "detect/zip_archive.h"

#include <algorithm>
#include <array>

#include "core/strings.h"

namespace wenku::detect {
namespace {

struct SourceState {
  const ByteSource* src = nullptr;
  uint64_t pos = 0;
  zip_error_t err{};
};

zip_int64_t source_callback(void* userdata, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto* s = static_cast<SourceState*>(userdata);
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      s->pos = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      size_t n = s->src->read_at(s->pos, data, static_cast<size_t>(len));
      s->pos += n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_CLOSE:
      return 0;
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = s->src->size();
      st->valid |= ZIP_STAT_SIZE;
      return sizeof(*st);
    }
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&s->err, data, len);
    case ZIP_SOURCE_FREE:
      zip_error_fini(&s->err);
      delete s;
      return 0;
    case ZIP_SOURCE_SEEK: {
      zip_int64_t np = zip_source_seek_compute_offset(s->pos, s->src->size(), data, len, &s->err);
      if (np < 0) return -1;
      s->pos = static_cast<uint64_t>(np);
      return 0;
    }
    case ZIP_SOURCE_TELL:
      return static_cast<zip_int64_t>(s->pos);
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                            ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
                                            ZIP_SOURCE_SUPPORTS, -1);
    default:
      zip_error_set(&s->err, ZIP_ER_OPNOTSUPP, 0);
      return -1;
  }
}

std::string normalize(std::string_view name) {
  std::string n(name);
  std::replace(n.begin(), n.end(), '\\', '/');
  while (!n.empty() && n[0] == '/') n.erase(0, 1);
  return n;
}

}  // namespace

Result<ZipArchive> ZipArchive::open(const ByteSource& src, uint64_t max_entries) {
  auto* state = new SourceState;
  state->src = &src;
  zip_error_init(&state->err);
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* zs = zip_source_function_create(source_callback, state, &err);
  if (zs == nullptr) {
    zip_error_fini(&state->err);
    delete state;
    zip_error_fini(&err);
    return make_error(ErrorCode::kInternal, "zip_source_function_create failed");
  }
  zip_t* z = zip_open_from_source(zs, ZIP_RDONLY, &err);
  if (z == nullptr) {
    std::string why = zip_error_strerror(&err);
    zip_source_free(zs);  // also frees state through ZIP_SOURCE_FREE
    zip_error_fini(&err);
    return keyed_error(ErrorCode::kCorrupt, "detect.corrupt_zip", {{"detail", why}});
  }
  zip_error_fini(&err);
  ZipArchive a;
  a.zip_.reset(z);
  zip_int64_t n = zip_get_num_entries(z, 0);
  if (n < 0) n = 0;
  if (static_cast<uint64_t>(n) > max_entries)
    return keyed_error(ErrorCode::kTooLarge, "detect.too_many_zip_entries", {{"entries", std::to_string(n)}});
  a.names_.reserve(static_cast<size_t>(n));
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(z, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    a.names_.push_back(normalize(name ? name : ""));
  }
  return a;
}

std::optional<uint64_t> ZipArchive::find(std::string_view name) const {
  const std::string want = normalize(name);
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == want) return i;
  const std::string lower = to_lower_ascii(want);
  for (size_t i = 0; i < names_.size(); ++i)
    if (to_lower_ascii(names_[i]) == lower) return i;
  return std::nullopt;
}

Result<std::string> ZipArchive::read(std::string_view name, uint64_t max_bytes) const {
  auto idx = find(name);
  if (!idx) return keyed_error(ErrorCode::kNotFound, "detect.missing_part", {{"part", std::string(name)}});
  return read_index(*idx, max_bytes);
}

Result<std::string> ZipArchive::read_index(uint64_t index, uint64_t max_bytes) const {
  const std::string& name = names_.at(static_cast<size_t>(index));
  zip_file_t* f = zip_fopen_index(zip_.get(), index, 0);
  if (f == nullptr) {
    int ze = zip_error_code_zip(zip_get_error(zip_.get()));
    zip_error_clear(zip_.get());
    if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_WRONGPASSWD || ze == ZIP_ER_ENCRNOTSUPP)
      return keyed_error(ErrorCode::kEncrypted, "detect.encrypted_needs_password");
    return keyed_error(ErrorCode::kCorrupt, "detect.cannot_read_part", {{"part", name}});
  }
  std::string out;
  std::array<char, 65536> buf;
  for (;;) {
    zip_int64_t r = zip_fread(f, buf.data(), buf.size());
    if (r < 0) {
      zip_fclose(f);
      return keyed_error(ErrorCode::kCorrupt, "detect.corrupt_part", {{"part", name}});
    }
    if (r == 0) break;
    const auto got = static_cast<uint64_t>(r);
    if (out.size() + got > max_bytes || got > budget_) {
      zip_fclose(f);
      return keyed_error(ErrorCode::kTooLarge, "detect.part_too_large", {{"part", name}});
    }
    budget_ -= got;
    out.append(buf.data(), static_cast<size_t>(r));
  }
  zip_fclose(f);
  return out;
}

Result<uint64_t> ZipArchive::declared_size(uint64_t index) const {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(zip_.get(), index, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
    zip_error_clear(zip_.get());
    return keyed_error(ErrorCode::kCorrupt, "detect.read_size_zip_member");
  }
  return static_cast<uint64_t>(st.size);
}

}  // namespace wenku::detect
