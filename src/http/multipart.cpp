// The multipart/form-data state machine: delimiters found across chunk edges, part headers
// parsed with limits, part data passed on as it arrives.
#include "http/multipart.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace wenku::http {
namespace {

constexpr size_t kMaxBoundary = 70;     // RFC 2046 section 5.1.1
constexpr size_t kMaxPadding = 256;     // spaces or tabs allowed after a delimiter
constexpr size_t kMaxHeaderLines = 64;  // header lines in one part

Error malformed(std::string_view zh, std::string_view en) {
  return make_error(ErrorCode::kInvalidArgument,
                    "上传格式错误：" + std::string(zh) + " / malformed multipart body: " + std::string(en));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && to_lower_ascii(a) == to_lower_ascii(b);
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// bchars of RFC 2046: DIGIT / ALPHA / "'()+_,-./:=?" and space.
bool is_bchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// The parameters after the first token of a header value: `; name=value` pairs, the value
// a token or a quoted-string. Names come back lower-cased. False when a quoted string is
// not closed or a pair has no name.
bool parse_params(std::string_view s, std::vector<std::pair<std::string, std::string>>& out) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_ows(s[i]) || s[i] == ';')) ++i;
    if (i >= s.size()) break;
    size_t name_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    std::string name = to_lower_ascii(trim_ows(s.substr(name_start, i - name_start)));
    if (name.empty()) return false;
    std::string value;
    if (i < s.size() && s[i] == '=') {
      ++i;
      while (i < s.size() && is_ows(s[i])) ++i;
      if (i < s.size() && s[i] == '"') {
        ++i;
        bool closed = false;
        while (i < s.size()) {
          char c = s[i++];
          if (c == '"') {
            // Some clients send a file name's quotes unescaped: a quote closes the value
            // only where the parameter can end, as cpp-httplib's own parser read it.
            size_t j = i;
            while (j < s.size() && is_ows(s[j])) ++j;
            if (j == s.size() || s[j] == ';') {
              closed = true;
              i = j;
              break;
            }
          } else if (c == '\\' && i < s.size() && (s[i] == '"' || s[i] == '\\')) {
            // Only \" and \\ are escapes: browsers send Windows paths with bare backslashes.
            c = s[i++];
          }
          value += c;
        }
        if (!closed) return false;
      } else {
        size_t v = i;
        while (i < s.size() && s[i] != ';') ++i;
        value = std::string(trim_ows(s.substr(v, i - v)));
      }
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// filename*=UTF-8''%E6%96%87.pdf (RFC 5987 / 8187); only UTF-8 is accepted. False when the
// value is not that, so the plain filename= is used instead.
bool decode_ext_value(std::string_view v, std::string& out) {
  size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos || !iequals(v.substr(0, q1), "utf-8")) return false;
  size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return false;
  std::string decoded;
  for (size_t i = q2 + 1; i < v.size(); ++i) {
    if (v[i] == '%') {
      if (i + 2 >= v.size()) return false;
      int hi = hex_value(v[i + 1]);
      int lo = hex_value(v[i + 2]);
      if (hi < 0 || lo < 0) return false;
      decoded += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      decoded += v[i];
    }
  }
  if (sanitize_utf8(decoded) != decoded) return false;
  out = std::move(decoded);
  return true;
}

}  // namespace

Result<std::string> parse_multipart_boundary(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view type = trim_ows(content_type.substr(0, semi));
  if (!iequals(type, "multipart/form-data")) {
    return make_error(ErrorCode::kInvalidArgument, "需要 multipart/form-data / expected multipart/form-data");
  }
  std::vector<std::pair<std::string, std::string>> params;
  std::string boundary;
  bool found = false;
  if (semi != std::string_view::npos && parse_params(content_type.substr(semi + 1), params)) {
    for (auto& [k, v] : params) {
      if (k == "boundary" && !found) {
        boundary = v;
        found = true;
      }
    }
  }
  bool valid = found && !boundary.empty() && boundary.size() <= kMaxBoundary && boundary.back() != ' ' &&
               std::all_of(boundary.begin(), boundary.end(), is_bchar);
  if (!valid) {
    return make_error(ErrorCode::kInvalidArgument,
                      "上传格式错误：boundary 缺失或无效 / malformed multipart body: missing or invalid boundary");
  }
  return boundary;
}

MultipartParser::MultipartParser(std::string_view boundary, MultipartHandler& handler, MultipartLimits limits)
    : delimiter_("\r\n--" + std::string(boundary)), handler_(handler), limits_(limits) {
  // The first delimiter may open the body without a CRLF before it: pretend there was one,
  // so the preamble is searched exactly like part data.
  buf_ = "\r\n";
}

Result<void> MultipartParser::fail(Error e) {
  state_ = State::kFailed;
  error_ = e;
  buf_.clear();
  buf_.shrink_to_fit();
  return e;
}

Result<void> MultipartParser::feed(std::string_view bytes) {
  if (state_ == State::kFailed) return error_;
  if (state_ == State::kDone) return {};  // the epilogue is ignored
  buf_.append(bytes);
  return run();
}

Result<void> MultipartParser::finish() {
  if (state_ == State::kFailed) return error_;
  if (state_ != State::kDone) {
    return fail(make_error(ErrorCode::kInvalidArgument,
                           "上传中断：缺少结束分隔符 / the upload was interrupted: no closing boundary"));
  }
  return {};
}

Result<void> MultipartParser::emit(std::string_view bytes) {
  if (bytes.empty() || state_ == State::kPreamble || mode_ == PartMode::kSkip) return {};
  if (mode_ == PartMode::kField) {
    field_bytes_ += bytes.size();
    if (field_bytes_ > limits_.max_field_bytes) {
      return make_error(ErrorCode::kTooLarge, "表单字段太长 / form field too long: " + part_name_);
    }
  }
  return handler_.on_data(bytes);
}

Result<void> MultipartParser::end_part() {
  if (!in_part_) return {};
  in_part_ = false;
  return handler_.on_part_end();
}

Result<void> MultipartParser::start_part(std::string_view block) {
  if (++parts_ > limits_.max_parts) {
    return malformed("部分太多", "more than " + std::to_string(limits_.max_parts) + " parts");
  }
  MultipartPart part;
  bool disposition = false;
  bool has_ext_filename = false;
  size_t lines = 0;
  // Each line ends with CRLF; a line starting with a space or tab continues the one before.
  std::vector<std::string> headers;
  size_t pos = 0;
  while (pos < block.size()) {
    size_t eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = block.size();
    std::string_view line = block.substr(pos, eol - pos);
    pos = eol + 2;
    if (!line.empty() && is_ows(line.front()) && !headers.empty()) {
      headers.back() += ' ';
      headers.back() += trim_ows(line);
      continue;
    }
    if (++lines > kMaxHeaderLines) return malformed("部分头太多", "too many header lines in a part");
    headers.emplace_back(line);
  }
  for (const std::string& h : headers) {
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) return malformed("部分头无效", "a part header line without a name");
    std::string_view hname = trim_ows(std::string_view(h).substr(0, colon));
    std::string_view value = trim_ows(std::string_view(h).substr(colon + 1));
    if (iequals(hname, "Content-Disposition")) {
      if (disposition) continue;  // the first one counts
      size_t semi = value.find(';');
      if (!iequals(trim_ows(value.substr(0, semi)), "form-data")) {
        return malformed("部分不是 form-data", "Content-Disposition is not form-data");
      }
      std::vector<std::pair<std::string, std::string>> params;
      if (semi != std::string_view::npos && !parse_params(value.substr(semi + 1), params)) {
        return malformed("Content-Disposition 参数无效", "bad Content-Disposition parameters");
      }
      bool has_name = false;
      for (auto& [k, v] : params) {
        if (k == "name" && !has_name) {
          part.name = v;
          has_name = true;
        } else if (k == "filename" && !part.has_filename) {
          part.has_filename = true;
          if (!has_ext_filename) part.filename = v;
        } else if (k == "filename*" && !has_ext_filename) {
          std::string decoded;
          if (decode_ext_value(v, decoded)) {
            part.filename = std::move(decoded);
            part.has_filename = true;
            has_ext_filename = true;
          }
        }
      }
      if (!has_name) return malformed("部分缺少 name", "a part without a name");
      disposition = true;
    } else if (iequals(hname, "Content-Type")) {
      if (part.content_type.empty()) part.content_type = std::string(value);
    }
  }
  if (!disposition) return malformed("部分缺少 Content-Disposition", "a part without Content-Disposition");
  WENKU_ASSIGN_OR_RETURN(mode_, handler_.on_part(part));
  in_part_ = true;
  field_bytes_ = 0;
  part_name_ = std::move(part.name);
  return {};
}

Result<void> MultipartParser::run() {
  size_t pos = 0;  // consumed bytes of buf_
  Result<void> r;
  while (r.ok()) {
    std::string_view rest = std::string_view(buf_).substr(pos);
    if (state_ == State::kPreamble || state_ == State::kBody) {
      size_t at = rest.find(delimiter_);
      if (at != std::string_view::npos) {
        r = emit(rest.substr(0, at));
        if (r.ok()) r = end_part();
        pos += at + delimiter_.size();
        state_ = State::kAfterDelimiter;
        padding_ = 0;
        continue;
      }
      // Keep only a tail that could still start a delimiter: it begins with CR.
      size_t keep_from = rest.size();
      size_t first = rest.size() > delimiter_.size() ? rest.size() - delimiter_.size() + 1 : 0;
      for (size_t k = first; k < rest.size(); ++k) {
        if (rest[k] == '\r' && delimiter_.compare(0, rest.size() - k, rest.substr(k)) == 0) {
          keep_from = k;
          break;
        }
      }
      r = emit(rest.substr(0, keep_from));
      pos += keep_from;
      break;
    }
    if (state_ == State::kAfterDelimiter) {
      while (!rest.empty() && is_ows(rest.front())) {
        rest.remove_prefix(1);
        ++pos;
        if (++padding_ > kMaxPadding) return fail(malformed("分隔行无效", "bad delimiter line"));
      }
      if (rest.size() < 2) break;
      if (padding_ == 0 && rest[0] == '-' && rest[1] == '-') {
        state_ = State::kDone;
        buf_.clear();
        return {};
      }
      if (rest[0] != '\r' || rest[1] != '\n') return fail(malformed("分隔行无效", "bad delimiter line"));
      pos += 2;
      state_ = State::kHeaders;
      scanned_ = 0;
      continue;
    }
    if (state_ == State::kHeaders) {
      size_t end;
      if (rest.substr(0, 2) == "\r\n") {
        end = 0;  // no header lines at all
      } else {
        // Resume where the last feed stopped looking, so trickled headers cost O(n).
        size_t blank = rest.find("\r\n\r\n", scanned_ > 3 ? scanned_ - 3 : 0);
        end = blank == std::string_view::npos ? std::string_view::npos : blank + 2;
      }
      if (end == std::string_view::npos) {
        if (rest.size() > limits_.max_header_block) {
          return fail(malformed("部分头超过 16 KB", "part headers over " + std::to_string(limits_.max_header_block) + " bytes"));
        }
        scanned_ = rest.size();
        break;
      }
      if (end + 2 > limits_.max_header_block) {
        return fail(malformed("部分头超过 16 KB", "part headers over " + std::to_string(limits_.max_header_block) + " bytes"));
      }
      r = start_part(rest.substr(0, end));
      pos += end + 2;  // the data starts after the blank line
      state_ = State::kBody;
      continue;
    }
    break;  // kDone and kFailed consume nothing
  }
  if (!r.ok()) return fail(r.take_error());
  buf_.erase(0, pos);
  return {};
}

}  // namespace wenku::http
