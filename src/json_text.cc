// JSON text checked without building a value: simdjson's DOM walked when the build has it, else
// (and for the text it refuses) the library's reader (json_sax.hpp: parseJsonReference's verdicts,
// in wiping memory).
#include "json_text.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "connector_crypto/json_whitespace.hpp"
#include "connector_crypto/limits.hpp"
#include "json_codec.hpp"
#include "json_sax.hpp"
#include "simdjson_wipe.hpp"

namespace connector_crypto {
namespace detail {
namespace {

// A member name or a top-level member's name, in memory wiped when freed (plaintext names).
using WipingString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

struct NameHash {
  std::size_t operator()(const WipingString& s) const noexcept {
    return std::hash<std::string_view>{}(std::string_view(s.data(), s.size()));
  }
};
// The names of one open object; its nodes, in wiped memory, hold small names inline.
using NameSet = std::unordered_set<WipingString, NameHash, std::equal_to<WipingString>,
                                   WipingAllocator<WipingString>>;

class Scanner final : public JsonSax {
 public:
  Scanner(bool refuseDuplicates, JsonTextTop* top)
      : refuseDuplicates_(refuseDuplicates), top_(top) {}

  bool duplicate() const noexcept { return duplicate_; }

  ~Scanner() { secureWipe(member_.data(), member_.capacity()); }

  bool null() override { return scalar(Type::null); }
  bool boolean(bool) override { return scalar(Type::other); }
  bool number_integer(std::int64_t v) override {
    return scalar(isVersionOne(v) ? Type::one : Type::other);
  }
  bool number_unsigned(std::uint64_t v) override {
    return scalar(isVersionOne(v) ? Type::one : Type::other);
  }
  bool number_float(double v) override { return scalar(isVersionOne(v) ? Type::one : Type::other); }
  bool string(std::string_view s) override {
    if (inCtx_ && depth_ == 2) {
      top_->addCtxItem(true, s);
      return true;
    }
    if (depth_ == 1 && topIsObject_ && top_ != nullptr) {
      if (std::string* owner = ownerOf(member_)) {
        owner->assign(s);
        memberState(member_) = EnvelopeMember::State::string;
        return true;
      }
    }
    return scalar(Type::other);
  }
  bool start_object() override { return open(true); }
  bool key(std::string_view name) override {
    if (refuseDuplicates_ && !keys_.back().emplace(name.data(), name.size()).second) {
      duplicate_ = true;
      return false;
    }
    if (depth_ == 1) {
      member_.assign(name.data(), name.size());
      if (name == "__enc" && top_ != nullptr) top_->carriesEnc = true;
    }
    return true;
  }
  bool end_object() override { return close(true); }
  bool start_array() override { return open(false); }
  bool end_array() override { return close(false); }

 private:
  enum class Type { null, one, other };

  // A value that is not a string: at the top level, as a member of the top-level object, or as an
  // item of its "ctx" array.
  bool scalar(Type type) {
    if (inCtx_ && depth_ == 2) {
      top_->addCtxItem(false, {});
    } else if (depth_ == 0) {
      if (top_ != nullptr) {
        top_->kind = type == Type::null ? JsonTextTop::Kind::null : JsonTextTop::Kind::other;
      }
    } else if (depth_ == 1 && topIsObject_) {
      member(type == Type::one);
    }
    return true;
  }

  // Records the member named member_ of the top-level object as "a value other than a string".
  void member(bool isOne) {
    if (top_ == nullptr) return;
    if (member_ == "__enc") {
      top_->fields.encIsOne = isOne;
    } else if (member_ == "ctx") {
      top_->resetCtx(EnvelopeNames::State::other);
    } else if (ownerOf(member_) != nullptr) {
      memberState(member_) = EnvelopeMember::State::other;
    }
  }

  std::string* ownerOf(std::string_view name) noexcept {
    if (name == "kid") return &top_->kid;
    if (name == "iv") return &top_->iv;
    if (name == "ct") return &top_->ct;
    return nullptr;
  }
  EnvelopeMember::State& memberState(std::string_view name) noexcept {
    if (name == "kid") return top_->fields.kid.state;
    if (name == "iv") return top_->fields.iv.state;
    return top_->fields.ct.state;
  }

  bool open(bool object) {
    if (depth_ == 0) {
      topIsObject_ = object;
      if (top_ != nullptr) {
        top_->kind = object ? JsonTextTop::Kind::object : JsonTextTop::Kind::other;
      }
    } else if (depth_ == 1 && topIsObject_) {
      if (!object && member_ == "ctx" && top_ != nullptr) {
        top_->resetCtx(EnvelopeNames::State::strings);
        inCtx_ = true;
      } else {
        member(false);
      }
    } else if (inCtx_ && depth_ == 2) {
      top_->addCtxItem(false, {});
    }
    // The nesting rule of parseJson (opensTooDeep), in one place.
    if (opensTooDeep(depth_++)) return false;
    if (refuseDuplicates_) keys_.emplace_back();  // one entry per open container
    return true;
  }

  bool close(bool) {
    --depth_;
    if (depth_ == 1) inCtx_ = false;
    if (refuseDuplicates_) keys_.pop_back();
    return true;
  }

  const bool refuseDuplicates_;
  JsonTextTop* const top_;
  std::size_t depth_ = 0;
  bool topIsObject_ = false;
  bool duplicate_ = false;
  bool inCtx_ = false;         // inside the top-level object's "ctx" array
  WipingString member_;        // the member of the top-level object whose value comes next
  std::vector<NameSet> keys_;  // names seen in each open container
};

#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)

// Walks simdjson's DOM of an accepted text: depth, repeated names, the top-level members.
class DomScan {
 public:
  DomScan(bool refuseDuplicates, JsonTextTop* top, const std::uint8_t* strings) noexcept
      : refuseDuplicates_(refuseDuplicates), top_(top), stringsEnd_(strings) {}

  // False when the text nests deeper than kMaxJsonDepth (or, with refuseDuplicates, repeats a
  // name: duplicate() tells).
  bool walk(simdjson::dom::element e, std::size_t depth) {
    using simdjson::dom::element_type;
    switch (e.type()) {
      case element_type::OBJECT: {
        if (opensTooDeep(depth)) return false;
        simdjson::dom::object obj;
        if (e.get(obj) != simdjson::SUCCESS) return false;
        std::vector<std::string_view> names;
        if (refuseDuplicates_) names.reserve(obj.size());
        for (const simdjson::dom::key_value_pair kv : obj) {
          note(kv.key);
          if (refuseDuplicates_) names.push_back(kv.key);
          if (!walk(kv.value, depth + 1)) return false;
        }
        if (refuseDuplicates_ && names.size() > 1) {
          std::sort(names.begin(), names.end());
          if (std::adjacent_find(names.begin(), names.end()) != names.end()) {
            duplicate_ = true;
            return false;
          }
        }
        return true;
      }
      case element_type::ARRAY: {
        if (opensTooDeep(depth)) return false;
        simdjson::dom::array arr;
        if (e.get(arr) != simdjson::SUCCESS) return false;
        for (const simdjson::dom::element child : arr) {
          if (!walk(child, depth + 1)) return false;
        }
        return true;
      }
      case element_type::STRING: {
        std::string_view s;
        if (e.get(s) != simdjson::SUCCESS) return false;
        note(s);
        return true;
      }
      default:
        return true;
    }
  }

  // Fills top_ from the root (already walked).
  void describe(simdjson::dom::element root) {
    using simdjson::dom::element_type;
    if (root.type() == element_type::NULL_VALUE) {
      top_->kind = JsonTextTop::Kind::null;
      return;
    }
    if (root.type() != element_type::OBJECT) {
      top_->kind = JsonTextTop::Kind::other;
      return;
    }
    top_->kind = JsonTextTop::Kind::object;
    simdjson::dom::object obj;
    if (root.get(obj) != simdjson::SUCCESS) return;
    for (const simdjson::dom::key_value_pair kv : obj) {
      const std::string_view name = kv.key;
      const simdjson::dom::element v = kv.value;
      if (name == "__enc") {
        top_->carriesEnc = true;
        top_->fields.encIsOne = isOne(v);
        continue;
      }
      if (name == "ctx") {
        simdjson::dom::array items;
        if (v.get(items) != simdjson::SUCCESS) {
          top_->resetCtx(EnvelopeNames::State::other);
          continue;
        }
        top_->resetCtx(EnvelopeNames::State::strings);
        for (const simdjson::dom::element item : items) {
          std::string_view text;
          const bool isString = item.get(text) == simdjson::SUCCESS;
          top_->addCtxItem(isString, text);
        }
        continue;
      }
      std::string* owner = name == "kid"  ? &top_->kid
                           : name == "iv" ? &top_->iv
                           : name == "ct" ? &top_->ct
                                          : nullptr;
      if (owner == nullptr) continue;
      EnvelopeMember::State& state = name == "kid"  ? top_->fields.kid.state
                                     : name == "iv" ? top_->fields.iv.state
                                                    : top_->fields.ct.state;
      std::string_view text;
      if (v.get(text) == simdjson::SUCCESS) {
        owner->assign(text);
        state = EnvelopeMember::State::string;
      } else {
        state = EnvelopeMember::State::other;
      }
    }
  }

  bool duplicate() const noexcept { return duplicate_; }
  const std::uint8_t* stringsEnd() const noexcept { return stringsEnd_; }

 private:
  static bool isOne(simdjson::dom::element v) noexcept {
    using simdjson::dom::element_type;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    switch (v.type()) {
      case element_type::INT64:
        return v.get(i) == simdjson::SUCCESS && isVersionOne(i);
      case element_type::UINT64:
        return v.get(u) == simdjson::SUCCESS && isVersionOne(u);
      case element_type::DOUBLE:
        return v.get(d) == simdjson::SUCCESS && isVersionOne(d);
      default:
        return false;
    }
  }

  void note(std::string_view s) noexcept { noteString(stringsEnd_, s); }

  const bool refuseDuplicates_;
  JsonTextTop* const top_;
  const std::uint8_t* stringsEnd_;
  bool duplicate_ = false;
};

// simdjson's verdict on padded text (kJsonParsePadding readable bytes after it); nullopt where it
// refuses (invalid, or an integer beyond 64 bits, or deeper than its own limit): the SAX scanner
// decides those (the library's reader), since simdjson accepts only text nlohmann accepts
// (fuzz_json_parse_diff).
std::optional<JsonTextVerdict> scanFast(simdjson::dom::parser& parser, const char* padded,
                                        std::size_t size, bool refuseDuplicates, JsonTextTop* top) {
  simdjson::dom::element root;
  if (parser.parse(reinterpret_cast<const std::uint8_t*>(padded), size, false).get(root) !=
      simdjson::SUCCESS) {
    wipeParser(parser, size, 0, nullptr);
    return std::nullopt;
  }
  DomScan scan(refuseDuplicates, top, parser.doc.string_buf.get());
  JsonTextVerdict verdict = JsonTextVerdict::ok;
  if (!scan.walk(root, 0)) {
    verdict = scan.duplicate() ? JsonTextVerdict::duplicate : JsonTextVerdict::invalid;
  } else if (top != nullptr) {
    scan.describe(root);
  }
  // A walk that stopped early has not seen every string: wipe the bound then.
  wipeParser(parser, size, tapeUsed(parser),
             verdict == JsonTextVerdict::ok ? scan.stringsEnd() : nullptr);
  return verdict;
}

std::optional<JsonTextVerdict> scanFast(const char* padded, std::size_t size, bool refuseDuplicates,
                                        JsonTextTop* top) {
  if (size <= kReusedParserLimit) {
    thread_local simdjson::dom::parser parser;
    return scanFast(parser, padded, size, refuseDuplicates, top);
  }
  simdjson::dom::parser parser;
  return scanFast(parser, padded, size, refuseDuplicates, top);
}

#endif  // CONNECTOR_CRYPTO_HAVE_SIMDJSON

JsonTextVerdict scanWithReader(std::string_view text, bool refuseDuplicates, JsonTextTop* top) {
  Scanner scanner(refuseDuplicates, top);
  if (readJson(text, scanner)) return JsonTextVerdict::ok;
  return scanner.duplicate() ? JsonTextVerdict::duplicate : JsonTextVerdict::invalid;
}

// The verdict on text whose kJsonParsePadding following bytes are readable when padded is true.
JsonTextVerdict scan(std::string_view text, bool padded, bool refuseDuplicates, JsonTextTop* top) {
  // JSON text never holds a NUL byte (RFC 8259); nlohmann's lexer would end the input there.
  if (!text.empty() && std::memchr(text.data(), 0, text.size()) != nullptr) {
    return JsonTextVerdict::invalid;
  }
  JsonTextVerdict verdict;
#if defined(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  std::optional<JsonTextVerdict> fast;
  if (padded) {
    fast = scanFast(text.data(), text.size(), refuseDuplicates, top);
  } else if (text.size() <= SIZE_MAX / 2) {
    SecretBuffer copy(text.size() + kJsonParsePadding);
    std::copy(text.begin(), text.end(), copy.data());
    fast = scanFast(copy.data(), text.size(), refuseDuplicates, top);
  }
  if (fast) {
    verdict = *fast;
  } else {
    if (top != nullptr) top->reset();
    verdict = scanWithReader(text, refuseDuplicates, top);
  }
#else
  (void)padded;
  verdict = scanWithReader(text, refuseDuplicates, top);
#endif
  if (verdict == JsonTextVerdict::ok && top != nullptr) {
    top->fields.kid.text = top->kid;
    top->fields.iv.text = top->iv;
    top->fields.ct.text = top->ct;
    for (std::size_t i = 0; i < top->fields.ctx.count && i < top->ctxNames.size(); ++i) {
      top->fields.ctx.set(i, top->ctxNames[i]);
    }
  }
  return verdict;
}

}  // namespace

JsonTextVerdict scanJsonText(std::string_view text, bool refuseDuplicates, JsonTextTop* top) {
  return scan(text, false, refuseDuplicates, top);
}

JsonTextVerdict scanJsonTextPadded(std::string_view text, bool refuseDuplicates, JsonTextTop* top) {
  return scan(text, true, refuseDuplicates, top);
}

SecretBuffer compactJsonText(std::string_view text) {
  SecretBuffer out(text.size());
  char* o = out.data();
  const char* p = text.data();
  const char* const end = p + text.size();
  const auto copy = [&o](const char* from, const char* to) {
    std::memcpy(o, from, static_cast<std::size_t>(to - from));
    o += to - from;
  };
  while (p < end) {
    const char c = *p++;
    if (isJsonWhitespace(c)) continue;
    *o++ = c;
    if (c != '"') continue;
    // A string: copied as it is through its closing quote (an accepted text closes every string),
    // found with memchr: the bulk of a large credential is string bytes.
    for (;;) {
      const auto left = static_cast<std::size_t>(end - p);
      const auto* quote = static_cast<const char*>(std::memchr(p, '"', left));
      const char* const stop = quote != nullptr ? quote : end;
      const auto* escape =
          static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(stop - p)));
      if (escape == nullptr) {
        copy(p, stop == end ? end : stop + 1);
        p = stop == end ? end : stop + 1;
        break;
      }
      // The backslash and the character it escapes (an escaped quote does not end the string).
      const char* const next = escape + 2 <= end ? escape + 2 : end;
      copy(p, next);
      p = next;
    }
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return out;
}

}  // namespace detail
}  // namespace connector_crypto
