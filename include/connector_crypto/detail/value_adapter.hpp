// Internal: the header half of the value API, for nlohmann::json and nlohmann::ordered_json. It
// only walks and builds values: every decision is the compiled core's (detail/core.hpp), which it
// hands member views, serialized bytes and parser events. Instantiated in the caller, so the
// caller's nlohmann configuration (JSON_DIAGNOSTICS, implicit conversions) is the one used.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector_crypto/config.hpp"
#include "connector_crypto/detail/core.hpp"
#include "connector_crypto/detail/json_types.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {
namespace adapter {

using core::opensTooDeep;

// True for ordered_json, whose objects keep their members' order (an ordered_map, a vector);
// nlohmann::json's std::map sorts them.
template <typename BasicJson>
inline constexpr bool kKeepsOrder = !std::is_same_v<BasicJson, nlohmann::json>;

// The T that v holds, its type checked by the caller (get_ptr inlines; get_ref adds a throwing
// check the optimizer keeps out of line).
template <typename T, typename BasicJson>
T& held(BasicJson& v) noexcept {
  return *v.template get_ptr<T*>();
}

template <typename BasicJson>
bool carriesEnc(const BasicJson& v) noexcept {
  return v.is_object() && v.contains(core::kEncName);
}

// The members of an object carrying "__enc" as the core reads them, found in one pass.
template <typename BasicJson>
core::EnvelopeFields fieldsOf(const BasicJson& envelope) noexcept {
  core::EnvelopeFields f;
  const auto member = [](const BasicJson& value) {
    core::EnvelopeMember m;
    if (value.is_string()) {
      m.state = core::EnvelopeMember::State::string;
      m.text = held<const typename BasicJson::string_t>(value);
    } else {
      m.state = core::EnvelopeMember::State::other;
    }
    return m;
  };
  for (const auto& kv : held<const typename BasicJson::object_t>(envelope)) {
    const std::string_view k = kv.first;
    const BasicJson& value = kv.second;
    if (k == core::kEncName) {
      if (value.is_number_unsigned()) {
        f.encIsOne = core::isVersionOne(value.template get<std::uint64_t>());
      } else if (value.is_number_integer()) {
        f.encIsOne = core::isVersionOne(value.template get<std::int64_t>());
      } else if (value.is_number_float()) {
        f.encIsOne = core::isVersionOne(value.template get<double>());
      } else {
        f.encIsOne = false;
      }
    } else if (k == core::kKidName) {
      f.kid = member(value);
    } else if (k == core::kIvName) {
      f.iv = member(value);
    } else if (k == core::kCtName) {
      f.ct = member(value);
    } else if (k == core::kCtxName) {
      if (!value.is_array()) {
        f.ctx.reset(core::EnvelopeNames::State::other);
        continue;
      }
      f.ctx.reset(core::EnvelopeNames::State::strings);
      for (const BasicJson& item : held<const typename BasicJson::array_t>(value)) {
        f.ctx.add(item.is_string(), item.is_string() ? member(item).text : std::string_view());
      }
    }
  }
  return f;
}

// True when value nests no deeper than opensTooDeep allows (recursion bounded by the limit).
template <typename BasicJson>
bool nestsWithin(const BasicJson& v, std::size_t enclosing) noexcept {
  if (v.is_array()) {
    if (opensTooDeep(enclosing)) return false;
    for (const auto& e : held<const typename BasicJson::array_t>(v)) {
      if (!nestsWithin(e, enclosing + 1)) return false;
    }
  } else if (v.is_object()) {
    if (opensTooDeep(enclosing)) return false;
    for (const auto& kv : held<const typename BasicJson::object_t>(v)) {
      if (!nestsWithin(kv.second, enclosing + 1)) return false;
    }
  }
  return true;
}

// stored, returned as it is: copied, which nlohmann does by recursion, so refused (with the Error
// of the serializer) when it nests deeper than kMaxJsonDepth.
template <typename BasicJson>
const BasicJson& unchanged(const BasicJson& stored) {
  if (!nestsWithin(stored, 0)) core::throwUnserializable(core::Unserializable::tooDeep);
  return stored;
}

// Overwrites every string (over its capacity) and number (and boolean) inside value, in place; the
// structure and object keys stay.
template <typename BasicJson>
void wipeValues(BasicJson& value) noexcept {
  std::vector<BasicJson*> pending{&value};
  while (!pending.empty()) {
    BasicJson* v = pending.back();
    pending.pop_back();
    switch (v->type()) {
      case nlohmann::json::value_t::string: {
        auto& s = held<typename BasicJson::string_t>(*v);
        secureWipe(s.data(), s.capacity());
        break;
      }
      case nlohmann::json::value_t::object:
      case nlohmann::json::value_t::array:
        for (auto& child : *v) pending.push_back(&child);
        break;
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float:
      case nlohmann::json::value_t::boolean:
        *v = false;
        break;
      default:
        break;
    }
  }
}

// Points the children of a container filled through held() (which bypasses nlohmann) back at
// it: the parent pointers JSON_DIAGNOSTICS keeps and asserts on every copy. A move through
// nlohmann's own constructor and assignment resets them: O(children).
// Without JSON_DIAGNOSTICS (always defined by nlohmann, 0 or 1) there are no parent pointers.
template <typename BasicJson>
void adoptChildren(BasicJson& container) noexcept {
#if JSON_DIAGNOSTICS
  container = BasicJson(std::move(container));
#else
  static_cast<void>(container);
#endif
}

// The members of object, as the container they are kept in (an ordered_json object's vector).
template <typename BasicJson>
auto& objectMembers(BasicJson& object) {
  using object_t = typename BasicJson::object_t;
  if constexpr (kKeepsOrder<BasicJson>) {
    return static_cast<typename object_t::Container&>(held<object_t>(object));
  } else {
    return held<object_t>(object);
  }
}

// The value of object's member named name, null, appended: at the end of an ordered_json object
// (which checks for repeated names itself, see Builder), at the end hint of a std::map (one
// comparison when names come sorted). For a name the map already holds, that member's value, wiped
// and reset: the last value wins. Flattened: libstdc++'s string comparisons are otherwise kept out
// of line in the caller's translation unit, once per member on decrypt.
template <typename BasicJson>
CONNECTOR_CRYPTO_FLATTEN BasicJson& appendMember(BasicJson& object, std::string_view name) {
  auto& m = objectMembers(object);
  if constexpr (kKeepsOrder<BasicJson>) {
    if (m.size() == m.capacity()) {
      // The vector's own growth copies each member (a pair with a const name has no noexcept
      // move) and frees the old values' strings unwiped: grown here by moving the values.
      std::remove_reference_t<decltype(m)> grown;
      grown.reserve(m.empty() ? 4 : 2 * m.size());
      for (auto& kv : m) grown.emplace_back(kv.first, std::move(kv.second));
      m.swap(grown);
    }
    m.emplace_back(std::piecewise_construct, std::forward_as_tuple(name.data(), name.size()),
                   std::forward_as_tuple());
    return m.back().second;
  } else {
    const std::size_t before = m.size();
    auto it =
        m.emplace_hint(m.end(), std::piecewise_construct,
                       std::forward_as_tuple(name.data(), name.size()), std::forward_as_tuple());
    if (m.size() == before) {
      wipeValues(it->second);
      it->second = BasicJson();
    }
    return it->second;
  }
}

// Objects up to this many members are checked for a repeated name pair by pair, without
// allocating; larger ones through their sorted names.
inline constexpr std::size_t kSmallObject = 16;

// True when two of an ordered_json object's members have the same name (members: its container).
template <typename Members>
bool repeatsName(const Members& members) {
  const std::size_t n = members.size();
  if (n < 2) return false;
  const auto begin = members.begin();
  if (n <= kSmallObject) {
    for (auto i = begin + 1; i != members.end(); ++i) {
      for (auto j = begin; j != i; ++j) {
        if (i->first == j->first) return true;
      }
    }
    return false;
  }
  std::vector<std::string_view> names;
  names.reserve(n);
  for (const auto& kv : members) names.emplace_back(kv.first);
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) != names.end();
}

// ---- serializer: compact text byte-identical to dump() ---------------------------------------

template <typename BasicJson>
class Serializer {
 public:
  // The size of value's compact text; throws the core's Error for what is not JSON or what the
  // parser would refuse (nesting past the limit, invalid UTF-8, a discarded or binary value, NaN
  // or infinity) and, for ordered_json, for an object that repeats a member name (never written).
  // Recursion is bounded by the limit.
  static std::size_t measured(const BasicJson& value) {
    std::size_t size = 0;
    const Fit fit = measure(value, size, 0);
    if (fit != Fit::ok) core::throwUnserializable(static_cast<core::Unserializable>(fit));
    return size;
  }

  // The compact text of value in a buffer that wipes itself; throws as measured.
  static SecretBuffer serialize(const BasicJson& value) {
    const std::size_t size = measured(value);
    SecretBuffer out(size);
    char* end = write(value, out.data());
    if (static_cast<std::size_t>(end - out.data()) != size) core::throwInternal("serializer");
    return out;
  }

 private:
  // ok, or why measure() refused (the values of core::Unserializable, shifted by one).
  enum class Fit { tooDeep, badUtf8, discarded, binary, nonFinite, repeatedName, ok };
  static_assert(static_cast<int>(core::Unserializable::repeatedName) == 5, "Fit mirrors it");

  using value_t = nlohmann::json::value_t;

  static char* formatNumber(const BasicJson& v, char* buf) noexcept {
    switch (v.type()) {
      case value_t::number_integer:
        return std::to_chars(buf, buf + core::kNumberChars,
                             held<const typename BasicJson::number_integer_t>(v))
            .ptr;
      case value_t::number_unsigned:
        return std::to_chars(buf, buf + core::kNumberChars,
                             held<const typename BasicJson::number_unsigned_t>(v))
            .ptr;
      default:
        return core::formatDouble(held<const typename BasicJson::number_float_t>(v), buf);
    }
  }

  // Not noexcept: checking a large ordered_json object for a repeated name allocates.
  static Fit measure(const BasicJson& v, std::size_t& n, std::size_t enclosing) {
    switch (v.type()) {
      case value_t::null: n += 4; return Fit::ok;
      case value_t::boolean:
        n += held<const bool>(v) ? 4 : 5;
        return Fit::ok;
      case value_t::string:
        return core::measureString(held<const typename BasicJson::string_t>(v), n) ? Fit::ok
                                                                                   : Fit::badUtf8;
      case value_t::number_float:
        if (!std::isfinite(held<const typename BasicJson::number_float_t>(v))) {
          return Fit::nonFinite;
        }
        [[fallthrough]];
      case value_t::number_integer:
      case value_t::number_unsigned: {
        char buf[core::kNumberChars];
        n += static_cast<std::size_t>(formatNumber(v, buf) - buf);
        return Fit::ok;
      }
      case value_t::array: {
        if (opensTooDeep(enclosing)) return Fit::tooDeep;
        const auto& a = held<const typename BasicJson::array_t>(v);
        n += 2 + (a.empty() ? 0 : a.size() - 1);
        for (const auto& e : a) {
          const Fit f = measure(e, n, enclosing + 1);
          if (f != Fit::ok) return f;
        }
        return Fit::ok;
      }
      case value_t::object: {
        if (opensTooDeep(enclosing)) return Fit::tooDeep;
        const auto& o = held<const typename BasicJson::object_t>(v);
        if constexpr (kKeepsOrder<BasicJson>) {
          if (repeatsName(o)) return Fit::repeatedName;
        }
        n += 2 + (o.empty() ? 0 : o.size() - 1) + o.size();  // commas and colons
        for (const auto& kv : o) {
          if (!core::measureString(kv.first, n)) return Fit::badUtf8;
          const Fit f = measure(kv.second, n, enclosing + 1);
          if (f != Fit::ok) return f;
        }
        return Fit::ok;
      }
      case value_t::binary: return Fit::binary;
      case value_t::discarded: return Fit::discarded;
    }
    return Fit::discarded;  // not reached: every value_t is handled above
  }

  static char* write(const BasicJson& v, char* o) noexcept {
    switch (v.type()) {
      case value_t::null: std::memcpy(o, "null", 4); return o + 4;
      case value_t::boolean:
        if (held<const bool>(v)) {
          std::memcpy(o, "true", 4);
          return o + 4;
        }
        std::memcpy(o, "false", 5);
        return o + 5;
      case value_t::string:
        return core::writeString(held<const typename BasicJson::string_t>(v), o);
      case value_t::array: {
        *o++ = '[';
        bool first = true;
        for (const auto& e : held<const typename BasicJson::array_t>(v)) {
          if (!first) *o++ = ',';
          first = false;
          o = write(e, o);
        }
        *o++ = ']';
        return o;
      }
      case value_t::object: {
        *o++ = '{';
        bool first = true;
        for (const auto& kv : held<const typename BasicJson::object_t>(v)) {
          if (!first) *o++ = ',';
          first = false;
          o = core::writeString(kv.first, o);
          *o++ = ':';
          o = write(kv.second, o);
        }
        *o++ = '}';
        return o;
      }
      default: {  // numbers (measure() refused every other type)
        char buf[core::kNumberChars];
        const char* end = formatNumber(v, buf);
        std::memcpy(o, buf, static_cast<std::size_t>(end - buf));
        return o + (end - buf);
      }
    }
  }
};

// ---- builder: the parser's events into a value -----------------------------------------------

// Builds the value the parser reports. Each container is its own JsonEvents::Container. A
// std::map object (nlohmann::json) sorts members itself; an ordered_json object is appended to
// directly (its own insert searches linearly, quadratic over an object) and checked for repeated
// names once complete. A repeated name keeps its first position and its last value, as nlohmann's
// parser does. What is built is wiped unless take() hands it over.
template <typename BasicJson>
class Builder final : public core::JsonEvents {
 public:
  Builder() = default;
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;
  ~Builder() {
    if (!taken_) wipeValues(root_);
  }

  BasicJson take() noexcept {
    taken_ = true;
    return std::move(root_);
  }

  void onNull(Container in, std::string_view key) override {
    place(in, key, [&] { return BasicJson(nullptr); });
  }
  void onBool(Container in, std::string_view key, bool v) override {
    place(in, key, [&] { return BasicJson(v); });
  }
  void onInt(Container in, std::string_view key, std::int64_t v) override {
    place(in, key, [&] { return BasicJson(static_cast<typename BasicJson::number_integer_t>(v)); });
  }
  void onUint(Container in, std::string_view key, std::uint64_t v) override {
    place(in, key,
          [&] { return BasicJson(static_cast<typename BasicJson::number_unsigned_t>(v)); });
  }
  void onDouble(Container in, std::string_view key, double v) override {
    place(in, key, [&] { return BasicJson(static_cast<typename BasicJson::number_float_t>(v)); });
  }
  void onString(Container in, std::string_view key, std::string_view v) override {
    place(in, key, [&] { return BasicJson(typename BasicJson::string_t(v)); });
  }
  Container onBeginObject(Container in, std::string_view key, std::size_t sizeHint) override {
    BasicJson& o = place(in, key, [&] { return BasicJson(nlohmann::json::value_t::object); });
    if constexpr (kKeepsOrder<BasicJson>) {
      objectMembers(o).reserve(sizeHint);
    }
    return &o;
  }
  void onEndObject(Container object) override {
    BasicJson& o = opened(object);
    if constexpr (kKeepsOrder<BasicJson>) resolveRepeats(objectMembers(o));
    adoptChildren(o);
  }
  Container onBeginArray(Container in, std::string_view key, std::size_t sizeHint) override {
    BasicJson& a = place(in, key, [&] { return BasicJson(nlohmann::json::value_t::array); });
    held<typename BasicJson::array_t>(a).reserve(sizeHint);
    return &a;
  }
  void onEndArray(Container array) override { adoptChildren(opened(array)); }
  void onRestart() override {
    wipeValues(root_);
    root_ = BasicJson();
  }

 private:
  static BasicJson& opened(Container c) noexcept { return *static_cast<BasicJson*>(c); }

  // Puts the value make() returns at its place (JsonEvents): the root, the next item of an array,
  // or an object's member, inserted first (so its node is allocated before the value's storage).
  template <typename Make>
  BasicJson& place(Container in, std::string_view key, Make&& make) {
    if (in == nullptr) {
      root_ = make();
      return root_;
    }
    BasicJson& container = opened(in);
    if (container.is_array()) {
      auto& items = held<typename BasicJson::array_t>(container);
      items.push_back(make());
      return items.back();
    }
    BasicJson& slot = appendMember(container, key);
    slot = make();
    return slot;
  }

  // An ordered object with a repeated name, rebuilt: first position, last value.
  template <typename Members>
  static void resolveRepeats(Members& m) {
    if (!repeatsName(m)) return;  // the common case
    const std::size_t n = m.size();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return m[a].first < m[b].first; });
    // For the first member of each name, the index of its last one; n for the members dropped.
    std::vector<std::size_t> last(n, n);
    for (std::size_t i = 0; i < n;) {
      std::size_t j = i;
      while (j + 1 < n && m[order[j + 1]].first == m[order[i]].first) ++j;
      last[order[i]] = order[j];  // order is stable: order[i] is the first, order[j] the last
      i = j + 1;
    }
    Members fresh;
    fresh.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (last[i] != n) fresh.emplace_back(m[i].first, std::move(m[last[i]].second));
    }
    for (auto& kv : m) wipeValues(kv.second);
    m.swap(fresh);
  }

  BasicJson root_;
  bool taken_ = false;
};

// The value of JSON text read by the core's parser (the plaintext rules); false for text that is
// not JSON, with out untouched.
template <typename BasicJson>
bool parseText(std::string_view text, bool padded, BasicJson& out) {
  Builder<BasicJson> builder;
  if (!core::parse(text, padded, builder)) return false;
  out = builder.take();
  return true;
}

// The envelope value of sealed: members __enc, kid, iv, ct (the TypeScript writer's order, which an
// ordered_json keeps), then ctx for a bound envelope.
template <typename BasicJson>
BasicJson envelopeValue(core::SealedMembers&& sealed) {
  using string_t = typename BasicJson::string_t;
  BasicJson out(nlohmann::json::value_t::object);
  BasicJson enc(kEnvelopeVersion), kid(string_t(sealed.kid)), iv(std::move(sealed.iv)),
      ct(std::move(sealed.ct)), ctx;
  const bool bound = sealed.context != nullptr;
  if (bound) {
    ctx = BasicJson(nlohmann::json::value_t::array);  // push_back keeps parent pointers itself
    for (const auto& pair : sealed.context->pairs()) ctx.push_back(string_t(pair.first));
  }
  const auto put = [&out](std::string_view name, BasicJson& value) {
    appendMember(out, name).swap(value);
  };
  if constexpr (kKeepsOrder<BasicJson>) {
    put(core::kEncName, enc);
    put(core::kKidName, kid);
    put(core::kIvName, iv);
    put(core::kCtName, ct);
    if (bound) put(core::kCtxName, ctx);
  } else {  // in the names' order, so that each lands at the map's end hint
    static_assert(core::kEncName < core::kCtName && core::kCtName < core::kCtxName &&
                      core::kCtxName < core::kIvName && core::kIvName < core::kKidName,
                  "put in the names' order");
    put(core::kEncName, enc);
    put(core::kCtName, ct);
    if (bound) put(core::kCtxName, ctx);
    put(core::kIvName, iv);
    put(core::kKidName, kid);
  }
  adoptChildren(out);  // after the last member
  return out;
}

// plain serialized and sealed under the active key (bound to context under bindContext).
template <typename BasicJson>
BasicJson sealValue(const char* operation, const BasicJson& plain, const Keyring& keyring,
                    const EncryptionContext* context) {
  const SecretBuffer text = Serializer<BasicJson>::serialize(plain);
  return envelopeValue<BasicJson>(
      core::seal(operation, {text.data(), text.size()}, keyring, context));
}

// ---- the value API's operations (envelope.hpp); context: the caller's, or nullptr ------------

template <typename BasicJson>
BasicJson encrypt(const BasicJson& plain, const Keyring& keyring,
                  const EncryptionContext* context) {
  constexpr const char* kOperation = "encryptCredentials";
  return guarded(kOperation, [&]() -> BasicJson {
    if (plain.is_null()) return plain;
    if (!carriesEnc(plain)) return sealValue(kOperation, plain, keyring, context);
    core::admitEnvelope(kOperation, fieldsOf(plain), keyring, context);
    // What encrypt returns is written: only JSON a reader reads back, never a repeated name.
    Serializer<BasicJson>::measured(plain);
    return plain;
  });
}

template <typename BasicJson>
BasicJson encryptPlain(const BasicJson& plain, const Keyring& keyring,
                       const EncryptionContext* context) {
  constexpr const char* kOperation = "encryptPlainCredentials";
  return guarded(kOperation, [&]() -> BasicJson {
    if (carriesEnc(plain)) core::throwEnvelopeRefused(kOperation);
    if (plain.is_null()) return plain;
    return sealValue(kOperation, plain, keyring, context);
  });
}

template <typename BasicJson>
BasicJson decrypt(const BasicJson& stored, const Keyring& keyring,
                  const EncryptionContext* context) {
  constexpr const char* kOperation = "decryptCredentials";
  return guarded(kOperation, [&]() -> BasicJson {
    if (carriesEnc(stored)) {
      Builder<BasicJson> plaintext;
      core::open(fieldsOf(stored), keyring, context, plaintext);
      return plaintext.take();
    }
    if (stored.is_null()) return stored;
    core::admitPlaintext(kOperation, keyring);
    const BasicJson& plaintext = unchanged(stored);
    core::countPassthrough(keyring);
    return plaintext;
  });
}

template <typename BasicJson>
bool needsRewrap(const BasicJson& stored, const Keyring& keyring,
                 const EncryptionContext* context) {
  constexpr const char* kOperation = "needsRewrap";
  return guarded(kOperation, [&]() -> bool {
    // What rewrapCredentials would refuse is refused now, in its order, rather than promised a
    // rewrap; decrypting is all that is left out.
    if (stored.is_null()) return false;
    if (carriesEnc(stored)) {
      const bool reseals = core::needsRewrap(fieldsOf(stored), keyring, context);
      if (!reseals) unchanged(stored);  // rewrap returns a copy of it
      return reseals;
    }
    const std::size_t size = Serializer<BasicJson>::measured(stored);
    core::admitWrite(kOperation, keyring, context, size);
    return true;
  });
}

template <typename BasicJson>
BasicJson rewrap(const BasicJson& stored, const Keyring& keyring,
                 const EncryptionContext* context) {
  constexpr const char* kOperation = "rewrapCredentials";
  return guarded(kOperation, [&]() -> BasicJson {
    if (stored.is_null()) return stored;
    if (!carriesEnc(stored)) return sealValue(kOperation, stored, keyring, context);
    core::SealedMembers sealed;
    if (!core::reseal(fieldsOf(stored), keyring, context, sealed)) return unchanged(stored);
    return envelopeValue<BasicJson>(std::move(sealed));
  });
}

}  // namespace adapter
}  // namespace detail
}  // namespace connector_crypto
