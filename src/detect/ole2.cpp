// OLE2 Compound File reader: header, DIFAT, FAT, mini FAT and directory, all bounded.
#include "detect/ole2.h"

#include <algorithm>
#include <cstring>

#include "core/strings.h"

namespace wenku::detect {
namespace {

constexpr uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr uint32_t kFreeSect = 0xFFFFFFFF;
constexpr uint32_t kMaxRegSect = 0xFFFFFFFA;
constexpr char kMagic[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

uint32_t le32(const std::string& b, size_t off) {
  if (off + 4 > b.size()) return 0;
  return static_cast<uint32_t>(static_cast<unsigned char>(b[off])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[off + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[off + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[off + 3])) << 24;
}
uint16_t le16(const std::string& b, size_t off) {
  if (off + 2 > b.size()) return 0;
  return static_cast<uint16_t>(static_cast<unsigned char>(b[off]) |
                               static_cast<unsigned char>(b[off + 1]) << 8);
}

Error corrupt(const std::string& what) {
  return keyed_error(ErrorCode::kCorrupt, "detect.corrupt_ole2", {{"detail", what}});
}

}  // namespace

Result<Ole2Reader> Ole2Reader::open(const ByteSource& src) {
  Ole2Reader r(src);
  std::string h = src.read_string(0, 512);
  if (h.size() < 512 || h.compare(0, 8, kMagic, 8) != 0) return corrupt("header");
  r.sector_shift_ = le16(h, 0x1E);
  r.mini_shift_ = le16(h, 0x20);
  if (r.sector_shift_ != 9 && r.sector_shift_ != 12) return corrupt("sector size");
  if (r.mini_shift_ == 0 || r.mini_shift_ >= r.sector_shift_) r.mini_shift_ = 6;
  const uint64_t sector_size = 1ull << r.sector_shift_;
  r.sector_count_ = src.size() > sector_size ? (src.size() - sector_size + sector_size - 1) / sector_size : 0;
  if (r.sector_count_ == 0) return corrupt("no sectors");
  const uint32_t num_fat = le32(h, 0x2C);
  const uint32_t first_dir = le32(h, 0x30);
  r.mini_cutoff_ = le32(h, 0x38);
  if (r.mini_cutoff_ == 0 || r.mini_cutoff_ > (1u << 20)) r.mini_cutoff_ = 4096;
  const uint32_t first_minifat = le32(h, 0x3C);
  const uint32_t num_minifat = le32(h, 0x40);
  uint32_t difat_next = le32(h, 0x44);
  const uint32_t num_difat = le32(h, 0x48);
  if (num_fat > r.sector_count_) return corrupt("FAT size");

  // FAT sector numbers: 109 in the header, the rest in a DIFAT chain.
  std::vector<uint32_t> fat_sectors;
  for (size_t i = 0; i < 109 && fat_sectors.size() < num_fat; ++i) {
    uint32_t s = le32(h, 0x4C + 4 * i);
    if (s <= kMaxRegSect) fat_sectors.push_back(s);
  }
  const size_t per_sector = sector_size / 4;
  for (uint32_t n = 0; n < num_difat && fat_sectors.size() < num_fat && difat_next <= kMaxRegSect; ++n) {
    if (difat_next >= r.sector_count_) return corrupt("DIFAT");
    std::string d = src.read_string((uint64_t(difat_next) + 1) << r.sector_shift_, sector_size);
    for (size_t i = 0; i + 1 < per_sector && fat_sectors.size() < num_fat; ++i) {
      uint32_t s = le32(d, 4 * i);
      if (s <= kMaxRegSect) fat_sectors.push_back(s);
    }
    difat_next = le32(d, 4 * (per_sector - 1));
  }
  r.fat_.reserve(fat_sectors.size() * per_sector);
  for (uint32_t s : fat_sectors) {
    if (s >= r.sector_count_) continue;  // damaged entry: its part of the FAT stays unknown
    std::string d = src.read_string((uint64_t(s) + 1) << r.sector_shift_, sector_size);
    for (size_t i = 0; i < per_sector; ++i) r.fat_.push_back(le32(d, 4 * i));
  }
  if (r.fat_.empty()) return corrupt("FAT");

  // Directory: 128-byte entries along the directory chain.
  auto dir_chain = r.chain(first_dir, r.fat_, r.sector_count_);
  if (!dir_chain.ok()) return corrupt("directory chain");
  const size_t entries_per_sector = sector_size / 128;
  for (uint32_t s : *dir_chain) {
    std::string d = src.read_string((uint64_t(s) + 1) << r.sector_shift_, sector_size);
    for (size_t i = 0; i < entries_per_sector && r.entries_.size() < kMaxEntries; ++i) {
      const size_t o = i * 128;
      if (o + 128 > d.size()) break;
      Ole2Entry e;
      e.type = static_cast<unsigned char>(d[o + 66]);
      uint16_t name_len = std::min<uint16_t>(le16(d, o + 64), 64);
      std::u32string name;
      for (size_t k = 0; k + 1 < name_len; k += 2) {
        char16_t c = le16(d, o + k);
        if (c == 0) break;
        name.push_back(c >= 0xD800 && c <= 0xDFFF ? U'\uFFFD' : static_cast<char32_t>(c));
      }
      e.name = u32_to_utf8(name);
      e.left = le32(d, o + 68);
      e.right = le32(d, o + 72);
      e.child = le32(d, o + 76);
      e.start = le32(d, o + 116);
      e.size = le32(d, o + 120);
      if (r.sector_shift_ == 12) e.size |= uint64_t(le32(d, o + 124)) << 32;
      if (e.type == 5 && r.entries_.empty()) {
        r.mini_stream_start_ = e.start;
        r.mini_stream_size_ = e.size;
      }
      r.entries_.push_back(std::move(e));
    }
  }
  if (r.entries_.empty() || r.entries_[0].type != 5) return corrupt("root entry");
  // Mark the root's children: the red-black tree under root.child, walked with an explicit
  // stack and a visit bound so cycles in a hostile directory end.
  std::vector<uint32_t> stack{r.entries_[0].child};
  size_t visits = 0;
  while (!stack.empty() && visits++ < 3 * r.entries_.size()) {
    uint32_t i = stack.back();
    stack.pop_back();
    if (i >= r.entries_.size() || r.entries_[i].top_level) continue;
    r.entries_[i].top_level = true;
    stack.push_back(r.entries_[i].left);
    stack.push_back(r.entries_[i].right);
  }

  // Mini FAT, for streams smaller than the cutoff. A broken one only loses small streams.
  if (num_minifat > 0 && first_minifat <= kMaxRegSect) {
    auto mf = r.chain(first_minifat, r.fat_, std::min<uint64_t>(num_minifat, r.sector_count_));
    if (mf.ok()) {
      for (uint32_t s : *mf) {
        std::string d = src.read_string((uint64_t(s) + 1) << r.sector_shift_, sector_size);
        for (size_t i = 0; i < per_sector; ++i) r.mini_fat_.push_back(le32(d, 4 * i));
      }
    }
  }
  return r;
}

const Ole2Entry* Ole2Reader::find(std::string_view name) const {
  const std::string want = to_lower_ascii(name);
  for (const auto& e : entries_) {
    if ((e.type == 1 || e.type == 2) && e.top_level && to_lower_ascii(e.name) == want) return &e;
  }
  return nullptr;
}

Result<std::vector<uint32_t>> Ole2Reader::chain(uint32_t start, const std::vector<uint32_t>& fat,
                                                size_t max_len) const {
  std::vector<uint32_t> out;
  uint32_t s = start;
  while (s != kEndOfChain && s != kFreeSect) {
    if (s >= fat.size() || out.size() >= max_len) return corrupt("sector chain");
    out.push_back(s);
    s = fat[s];
  }
  return out;
}

Result<std::string> Ole2Reader::read_chain(uint32_t start, uint64_t size, size_t max_bytes) const {
  const size_t want = static_cast<size_t>(std::min<uint64_t>(size, max_bytes));
  std::string out;
  if (size < mini_cutoff_ && entries_.size() > 0) {
    // Small streams live in the mini stream, itself a regular chain from the root entry.
    const uint64_t mini_size = 1ull << mini_shift_;
    auto root_chain = chain(mini_stream_start_, fat_, sector_count_);
    if (!root_chain.ok()) return root_chain.take_error();
    const uint64_t per = (1ull << sector_shift_) / mini_size;
    uint32_t s = start;
    size_t steps = 0;
    while (out.size() < want && s != kEndOfChain && s != kFreeSect) {
      if (s >= mini_fat_.size() || ++steps > mini_fat_.size()) return corrupt("mini stream chain");
      uint64_t big = s / per;
      if (big >= root_chain->size()) return corrupt("mini stream");
      uint64_t off = ((uint64_t((*root_chain)[big]) + 1) << sector_shift_) + (s % per) * mini_size;
      out += src_->read_string(off, static_cast<size_t>(std::min<uint64_t>(mini_size, want - out.size())));
      s = mini_fat_[s];
    }
    return out;
  }
  const uint64_t sector_size = 1ull << sector_shift_;
  uint32_t s = start;
  size_t steps = 0;
  while (out.size() < want && s != kEndOfChain && s != kFreeSect) {
    if (s >= fat_.size() || ++steps > sector_count_) return corrupt("stream chain");
    out += src_->read_string((uint64_t(s) + 1) << sector_shift_,
                             static_cast<size_t>(std::min<uint64_t>(sector_size, want - out.size())));
    s = fat_[s];
  }
  return out;
}

Result<std::string> Ole2Reader::read_stream(const Ole2Entry& e, size_t max_bytes) const {
  return read_chain(e.start, e.size, max_bytes);
}

}  // namespace wenku::detect
