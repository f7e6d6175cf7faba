#include "shared_iv.hpp"

#include <algorithm>
#include <tuple>

namespace connector_crypto {
namespace cli {
namespace {

// Holders named in one message; the rest are counted.
constexpr std::size_t kMaxNamed = 20;

// The 6 bits of one standard base64 character, or -1.
int sextet(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<IvBytes> decodeIv(std::string_view base64) noexcept {
  // 12 bytes are exactly 16 characters: no padding, no spare bits.
  if (base64.size() != 16) return std::nullopt;
  IvBytes out{};
  for (std::size_t group = 0; group < 4; ++group) {
    std::uint32_t bits = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int v = sextet(base64[group * 4 + k]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
    }
    out[group * 3] = static_cast<std::uint8_t>(bits >> 16);
    out[group * 3 + 1] = static_cast<std::uint8_t>(bits >> 8);
    out[group * 3 + 2] = static_cast<std::uint8_t>(bits);
  }
  return out;
}

std::string describeHolders(const std::vector<IvHolder>& holders) {
  std::string out;
  for (std::size_t i = 0; i < holders.size() && i < kMaxNamed; ++i) {
    if (i > 0) out += ", ";
    out += "line " + std::to_string(holders[i].line);
    if (!holders[i].id.empty()) out += " (_id " + holders[i].id + ")";
  }
  if (holders.size() > kMaxNamed) {
    out += " and " + std::to_string(holders.size() - kMaxNamed) + " more";
  }
  return out;
}

void IvIndex::add(const IvBytes& iv, std::uint64_t line, std::string_view id) {
  entries_.push_back({iv, static_cast<std::uint32_t>(id.size()), line, ids_.size()});
  ids_.append(id);
}

void IvIndex::append(IvIndex&& other) {
  const std::uint64_t base = ids_.size();
  ids_.append(other.ids_);
  entries_.reserve(entries_.size() + other.entries_.size());
  for (Entry e : other.entries_) {
    e.idOffset += base;
    entries_.push_back(e);
  }
  other = IvIndex();
}

void IvIndex::finish() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.iv, a.line) < std::tie(b.iv, b.line);
  });
  for (std::size_t i = 0; i < entries_.size();) {
    std::size_t j = i + 1;
    while (j < entries_.size() && entries_[j].iv == entries_[i].iv) ++j;
    if (j - i > 1) {
      std::vector<IvHolder>& group = shared_[entries_[i].iv];
      for (std::size_t k = i; k < j; ++k) {
        group.push_back({entries_[k].line, ids_.substr(entries_[k].idOffset, entries_[k].idSize)});
      }
      sharedRecords_ += j - i;
    }
    i = j;
  }
  entries_ = {};
  ids_ = {};
}

const std::vector<IvHolder>* IvIndex::holders(const IvBytes& iv) const {
  const auto it = shared_.find(iv);
  return it == shared_.end() ? nullptr : &it->second;
}

std::vector<const std::vector<IvHolder>*> IvIndex::groups() const {
  std::vector<const std::vector<IvHolder>*> out;
  out.reserve(shared_.size());
  for (const auto& group : shared_) out.push_back(&group.second);
  std::sort(out.begin(), out.end(),
            [](const auto* a, const auto* b) { return a->front().line < b->front().line; });
  return out;
}

}  // namespace cli
}  // namespace connector_crypto
