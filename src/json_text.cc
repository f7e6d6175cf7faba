// JSON text checked through nlohmann's SAX parser (the same lexer as parseJsonReference, so the
// same verdicts), without building a value.
#include "json_text.hpp"

#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector_crypto/limits.hpp"

namespace connector_crypto {
namespace detail {
namespace {

using json = nlohmann::json;

class Scanner {
 public:
  Scanner(bool refuseDuplicates, JsonTextTop* top)
      : refuseDuplicates_(refuseDuplicates), top_(top) {}

  bool duplicate() const noexcept { return duplicate_; }

  bool null() { return scalar(Type::null); }
  bool boolean(bool) { return scalar(Type::other); }
  bool number_integer(json::number_integer_t v) {
    return scalar(isVersionOne(static_cast<std::int64_t>(v)) ? Type::one : Type::other);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return scalar(isVersionOne(static_cast<std::uint64_t>(v)) ? Type::one : Type::other);
  }
  bool number_float(json::number_float_t v, const json::string_t&) {
    return scalar(isVersionOne(static_cast<double>(v)) ? Type::one : Type::other);
  }
  bool string(json::string_t& s) {
    if (depth_ == 1 && topIsObject_ && top_ != nullptr) {
      if (std::string* owner = ownerOf(member_)) {
        *owner = std::move(s);
        memberState(member_) = EnvelopeMember::State::string;
        return true;
      }
    }
    return scalar(Type::other);
  }
  bool binary(json::binary_t&) { return false; }  // never produced by the JSON lexer

  bool start_object(std::size_t) { return open(true); }
  bool key(json::string_t& name) {
    if (refuseDuplicates_ && !keys_.back().insert(name).second) {
      duplicate_ = true;
      return false;
    }
    if (depth_ == 1) {
      member_ = name;
      if (name == "__enc" && top_ != nullptr) top_->carriesEnc = true;
    }
    return true;
  }
  bool end_object() { return close(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_array() { return close(false); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;  // the message quotes the input: never kept
  }

 private:
  enum class Type { null, one, other };

  // A value that is not a string: at the top level, or as a member of the top-level object.
  bool scalar(Type type) {
    if (depth_ == 0) {
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
    } else if (ownerOf(member_) != nullptr) {
      memberState(member_) = EnvelopeMember::State::other;
    }
  }

  std::string* ownerOf(const std::string& name) noexcept {
    if (name == "kid") return &top_->kid;
    if (name == "iv") return &top_->iv;
    if (name == "ct") return &top_->ct;
    return nullptr;
  }
  EnvelopeMember::State& memberState(const std::string& name) noexcept {
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
      member(false);
    }
    // The same limit as parseJson: kMaxJsonDepth containers may be open, not one more.
    if (++depth_ > kMaxJsonDepth) return false;
    if (refuseDuplicates_) keys_.emplace_back();  // one entry per open container
    return true;
  }

  bool close(bool) {
    --depth_;
    if (refuseDuplicates_) keys_.pop_back();
    return true;
  }

  const bool refuseDuplicates_;
  JsonTextTop* const top_;
  std::size_t depth_ = 0;
  bool topIsObject_ = false;
  bool duplicate_ = false;
  std::string member_;  // the member of the top-level object whose value comes next
  std::vector<std::unordered_set<std::string>> keys_;  // names seen in each open container
};

}  // namespace

JsonTextVerdict scanJsonText(std::string_view text, bool refuseDuplicates, JsonTextTop* top) {
  // nlohmann's lexer ends the input at a NUL byte; JSON text never holds one (RFC 8259).
  if (!text.empty() && std::memchr(text.data(), 0, text.size()) != nullptr) {
    return JsonTextVerdict::invalid;
  }
  Scanner scanner(refuseDuplicates, top);
  const bool ok =
      json::sax_parse(text.begin(), text.end(), &scanner, json::input_format_t::json, true, false);
  if (ok) {
    if (top != nullptr) {
      top->fields.kid.text = top->kid;
      top->fields.iv.text = top->iv;
      top->fields.ct.text = top->ct;
    }
    return JsonTextVerdict::ok;
  }
  return scanner.duplicate() ? JsonTextVerdict::duplicate : JsonTextVerdict::invalid;
}

SecretBuffer compactJsonText(std::string_view text) {
  SecretBuffer out;
  out.reserve(text.size());
  bool inString = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      out.push_back(c);
      if (c == '\\') {
        out.push_back(text[++i]);  // an accepted text never ends inside an escape
      } else if (c == '"') {
        inString = false;
      }
    } else if (c == '"') {
      inString = true;
      out.push_back(c);
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace detail
}  // namespace connector_crypto
