// Encryption contexts: their rules, the AAD of a bound envelope, and the "ctx" member's rules.
#include "context_core.hpp"

#include <algorithm>
#include <cstdint>

#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"

namespace connector_crypto {
namespace detail {
namespace {

constexpr std::string_view kAadLabel = "connector-crypto/ctx/1";

[[noreturn]] void throwInvalid(const std::string& why) {
  throw Error(ErrorCode::kInvalidContext, "encryption context: " + why);
}

bool isNameChar(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// The pairs checked (count, names, values, no repeated name) and sorted by name.
std::vector<EncryptionContext::Pair> validated(std::vector<EncryptionContext::Pair> pairs) {
  if (pairs.empty() || pairs.size() > kMaxContextPairs) {
    throwInvalid(std::to_string(pairs.size()) + " pairs; 1 to " +
                 std::to_string(kMaxContextPairs) + " are allowed");
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& [name, value] = pairs[i];
    if (!isContextName(name)) {
      // An invalid name is never echoed: it may be a value or a key pasted in the wrong place.
      throwInvalid("the name of pair " + std::to_string(i + 1) + " is not 1 to " +
                   std::to_string(kMaxContextNameLength) + " characters of [A-Za-z0-9_.-]");
    }
    const std::string where = "the value of \"" + name + "\" ";
    if (value.empty() || value.size() > kMaxContextValueBytes) {
      throwInvalid(where + "is " + std::to_string(value.size()) + " bytes; 1 to " +
                   std::to_string(kMaxContextValueBytes) + " are allowed");
    }
    if (value.find('\0') != std::string::npos) throwInvalid(where + "holds a NUL byte");
    std::size_t ignored = 0;
    if (!core::measureString(value, ignored)) throwInvalid(where + "is not valid UTF-8");
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const auto repeated = std::adjacent_find(
      pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first == b.first; });
  if (repeated != pairs.end()) throwInvalid("the name \"" + repeated->first + "\" is given twice");
  return pairs;
}

void appendU32(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);  // every length here is at most 4096
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void appendSized(std::string& out, std::string_view bytes) {
  appendU32(out, bytes.size());
  out.append(bytes);
}

}  // namespace

std::string contextAad(std::string_view kid, const EncryptionContext& context) {
  std::string aad;
  aad.reserve(64 + kid.size() + context.pairs().size() * 80);
  aad.append(kAadLabel);
  aad.push_back('\0');
  appendSized(aad, kid);
  appendU32(aad, context.pairs().size());
  for (const auto& [name, value] : context.pairs()) {
    appendSized(aad, name);
    appendSized(aad, value);
  }
  return aad;
}

bool isContextName(std::string_view name) noexcept {
  return !name.empty() && name.size() <= kMaxContextNameLength &&
         std::all_of(name.begin(), name.end(), isNameChar);
}

const char* storedNamesProblem(const core::EnvelopeNames& names) noexcept {
  using State = core::EnvelopeNames::State;
  if (names.state != State::strings) return "must be an array of names";
  if (names.count < 1 || names.count > kMaxContextPairs) return "must hold 1 to 16 names";
  for (std::size_t i = 0; i < names.count; ++i) {
    if (!isContextName(names.name(i))) {
      return "holds a name that is not 1 to 64 characters of [A-Za-z0-9_.-]";
    }
    // std::string_view compares as unsigned bytes (char_traits<char>::compare is memcmp).
    if (i > 0 && !(names.name(i - 1) < names.name(i))) {
      return "must be sorted ascending, without a repeated name";
    }
  }
  return nullptr;
}

bool sameNames(const core::EnvelopeNames& stored, const EncryptionContext& context) noexcept {
  const auto& pairs = context.pairs();
  if (stored.count != pairs.size()) return false;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (stored.name(i) != pairs[i].first) return false;
  }
  return true;
}

std::string nameList(const core::EnvelopeNames& stored) {
  std::string out = "[";
  for (std::size_t i = 0; i < stored.count; ++i) {
    if (i > 0) out += ", ";
    out.append(stored.name(i));
  }
  return out + "]";
}

std::string nameList(const EncryptionContext& context) {
  std::string out = "[";
  for (const auto& pair : context.pairs()) {
    if (out.size() > 1) out += ", ";
    out += pair.first;
  }
  return out + "]";
}

}  // namespace detail

EncryptionContext::EncryptionContext(std::initializer_list<Pair> pairs)
    : EncryptionContext(std::vector<Pair>(pairs)) {}

EncryptionContext::EncryptionContext(const std::map<std::string, std::string>& pairs)
    : EncryptionContext(std::vector<Pair>(pairs.begin(), pairs.end())) {}

EncryptionContext::EncryptionContext(std::vector<Pair> pairs)
    : pairs_(detail::validated(std::move(pairs))) {}

std::vector<std::string> EncryptionContext::names() const {
  std::vector<std::string> out;
  out.reserve(pairs_.size());
  for (const auto& pair : pairs_) out.push_back(pair.first);
  return out;
}

std::string typedObjectId(std::string_view hex) {
  std::string out = "oid:";
  for (const char c : hex) {
    if (c >= 'A' && c <= 'F') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      out.push_back(c);
    } else {
      break;
    }
  }
  if (hex.size() != 24 || out.size() != 4 + 24) {
    throw Error(ErrorCode::kInvalidContext,
                "typedObjectId: an ObjectId is 24 hexadecimal digits");
  }
  return out;
}

std::string typedString(std::string_view value) { return "str:" + std::string(value); }

}  // namespace connector_crypto
