// Differential: the text API against the value API for nlohmann::json and nlohmann::ordered_json
// on the same input text. All three must give the same verdict (the same error class and message,
// or the same value) for decrypt and rewrap; for encrypt, the same class (the two adapters the same
// message too), and envelopes that decrypt to the same value. ordered_json keeps member order: each
// value it gives equals, order included, what nlohmann's ordered_json parser reads from the same
// bytes, and each envelope it writes has members __enc, kid, iv, ct (then ctx when bound) over
// exactly dump()'s bytes. needsRewrap: the two adapters agree, and rewrap keeps its promise. Text
// that is not JSON (by the value API's own parser) must be an Error from every text function.
// Every call takes the input's encryption context (the overloads with a trailing
// EncryptionContext) or none; a context that breaks a rule must be refused by every constructor
// with Error kInvalidContext, and the calls then take none. No message shows a context value.
// Input: byte 0 holds flags. 0x01: the rest is plaintext sealed under v1 (else it is the stored
// text); 0x02: a context is given, byte 1 is the length of its spec (NAME=VALUE lines) that
// follows; 0x04: the plaintext is sealed as a bound envelope under sealingContext, with the ctx
// edit (0x38 >> 3) of ctxEdit; 0xC0 >> 6: the keyring's switches (keyringFor). Seeds of the first
// format (byte 0 is 0 or 1) keep their meaning: no context, no switches.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "aead.hpp"
#include "connector_crypto/json_whitespace.hpp"
#include "context_core.hpp"

#include "fuzz_support.hpp"
#include "json_codec.hpp"
#include "json_text.hpp"

namespace cc = connector_crypto;
using nlohmann::json;
using nlohmann::ordered_json;
using namespace fuzz_support;

namespace {

using Pairs = std::vector<cc::EncryptionContext::Pair>;

// The keyrings (v1 = key A, v2 = key B) by switches: none (v2 active), bindContext (v2 active),
// bindContext with requireContext (v2 active), bindContext with v1 active (what is sealed under v1
// needs no rewrap). Strict mode is not among them: it refuses the plaintext the checks read back.
const cc::Keyring& keyringFor(unsigned switches) {
  const auto make = [](bool requireContext, const char* active) {
    cc::KeyringOptions options;
    options.bindContext = true;
    options.requireContext = requireContext;
    return cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, active, options);
  };
  static const cc::Keyring bind = make(false, "v2");
  static const cc::Keyring require = make(true, "v2");
  static const cc::Keyring bindV1 = make(false, "v1");
  switch (switches & 3) {
    case 1:
      return bind;
    case 2:
      return require;
    case 3:
      return bindV1;
    default:
      return keyringV1V2();
  }
}

// This input's keyring, its context (nullptr: the overloads without one), the fuzzer's input and
// the stored text, and the context values no message may show.
const cc::Keyring* gKeyring = &keyringV1V2();
const cc::EncryptionContext* gContext = nullptr;
std::string_view gInput;
std::string_view gStored;
std::vector<std::string> gHidden;

const cc::Keyring& keyring() { return *gKeyring; }

// The outcome of one call: the error's class, code and message, or the value it gave.
template <typename Json>
struct Outcome {
  const std::type_info* error = nullptr;
  cc::ErrorCode code = cc::ErrorCode::kInternal;
  std::string message;
  Json value;
};

template <typename Fn>
auto run(Fn&& fn) {
  Outcome<decltype(fn())> o;
  try {
    o.value = fn();
  } catch (const cc::Error& e) {
    o.error = &typeid(e);
    o.code = e.code();
    o.message = e.what();
    for (const std::string& hidden : gHidden) {
      check(o.message.find(hidden) == std::string::npos, "a message shows a context value",
            o.message);
    }
    checkNoKeyInMessage(o.message, gInput, kKeyA);
    checkNoKeyInMessage(o.message, gInput, kKeyB);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    violation("an exception that is not connector_crypto::Error escaped");
  }
  return o;
}

// Each operation under this input's keyring and context.
template <typename Json>
Json decryptV(const Json& v) {
  return gContext ? cc::decryptCredentials(v, keyring(), *gContext)
                  : cc::decryptCredentials(v, keyring());
}
template <typename Json>
Json encryptV(const Json& v) {
  return gContext ? cc::encryptCredentials(v, keyring(), *gContext)
                  : cc::encryptCredentials(v, keyring());
}
template <typename Json>
Json rewrapV(const Json& v) {
  return gContext ? cc::rewrapCredentials(v, keyring(), *gContext)
                  : cc::rewrapCredentials(v, keyring());
}
template <typename Json>
bool needsRewrapV(const Json& v) {
  return gContext ? cc::needsRewrap(v, keyring(), *gContext) : cc::needsRewrap(v, keyring());
}
cc::SecretBuffer decryptT(std::string_view text) {
  return gContext ? cc::decryptCredentialsText(text, keyring(), *gContext)
                  : cc::decryptCredentialsText(text, keyring());
}
std::string encryptT(std::string_view text) {
  return gContext ? cc::encryptCredentialsText(text, keyring(), *gContext)
                  : cc::encryptCredentialsText(text, keyring());
}
std::string rewrapT(std::string_view text) {
  return gContext ? cc::rewrapCredentialsText(text, keyring(), *gContext)
                  : cc::rewrapCredentialsText(text, keyring());
}

// The context bound envelopes are sealed under (flag 0x04): docs/FORMAT.md's recommended one.
const cc::EncryptionContext& sealingContext() {
  static const cc::EncryptionContext context{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                             {"collection", "connectorinstances"},
                                             {"field", "credentials"},
                                             {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  return context;
}

// The ctx member of a bound envelope under sealingContext after edit: 0 none, 1 stripped, 2 [],
// 3 null, 4 reversed, 5 a repeated name, 6 a name fewer, 7 a name more.
std::optional<json> ctxEdit(unsigned edit) {
  std::vector<std::string> names = sealingContext().names();
  switch (edit & 7) {
    case 1:
      return std::nullopt;
    case 2:
      return json::array();
    case 3:
      return json(nullptr);
    case 4:
      std::reverse(names.begin(), names.end());
      break;
    case 5:
      names.push_back(names.back());
      break;
    case 6:
      names.pop_back();
      break;
    case 7:
      names.emplace_back("zz");
      break;
    default:
      break;
  }
  return json(names);
}

// The envelope text of arbitrary plaintext bytes under v1 (fixed IV), sealed through the AEAD seam;
// when bound, under sealingContext's AAD, with ctxEdit(edit) as its ctx.
std::string sealedUnderV1(const std::string& plaintext, bool bound, unsigned edit) {
  std::string key;
  base64_oracle::base64Decode(kKeyA, key);
  const std::uint8_t iv[cc::kIvBytes] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  const std::string aad = bound ? cc::detail::contextAad("v1", sealingContext()) : std::string();
  std::vector<std::uint8_t> sealed(plaintext.size() + cc::kTagBytes);
  cc::detail::Aes256Gcm aead({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()});
  aead.seal({iv, sizeof iv}, {reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size()},
            {reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()},
            sealed.data());
  json envelope = {{"__enc", 1},
                   {"kid", "v1"},
                   {"iv", base64_oracle::base64Encode(iv, sizeof iv)},
                   {"ct", base64_oracle::base64Encode(sealed.data(), sealed.size())}};
  if (bound) {
    if (const std::optional<json> ctx = ctxEdit(edit)) envelope["ctx"] = *ctx;
  }
  return envelope.dump();
}

// The pairs of a context spec: NAME=VALUE lines; a line without '=' is a name with an empty value.
Pairs specPairs(std::string_view spec) {
  Pairs pairs;
  while (!spec.empty()) {
    const std::size_t end = std::min(spec.find('\n'), spec.size());
    const std::string_view line = spec.substr(0, end);
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      pairs.emplace_back(std::string(line), std::string());
    } else {
      pairs.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    }
    spec.remove_prefix(std::min(end + 1, spec.size()));
  }
  return pairs;
}

// The context of pairs, or nullopt when a rule refuses it: the vector constructor, the same pairs
// reversed and (names unique) the std::map constructor agree, and refuse with exactly Error
// kInvalidContext. Values of 4 bytes or more that are not printable ASCII (no message text can
// hold them by chance) and are not in the stored text join gHidden.
std::optional<cc::EncryptionContext> contextOf(const Pairs& pairs) {
  for (const auto& pair : pairs) {
    const std::string& value = pair.second;
    const bool printable = std::all_of(value.begin(), value.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F;
    });
    if (value.size() >= 4 && !printable && gStored.find(value) == std::string_view::npos) {
      gHidden.push_back(value);
    }
  }
  using Built = std::optional<cc::EncryptionContext>;
  const auto built = run([&] { return Built(cc::EncryptionContext(pairs)); });
  std::vector<Outcome<Built>> others;
  others.push_back(
      run([&] { return Built(cc::EncryptionContext(Pairs(pairs.rbegin(), pairs.rend()))); }));
  const std::map<std::string, std::string> unique(pairs.begin(), pairs.end());
  if (unique.size() == pairs.size()) others.push_back(run([&] { return Built(unique); }));
  for (const Outcome<Built>& o : others) {
    check((o.error == nullptr) == (built.error == nullptr), "context constructors disagree",
          built.message + " | " + o.message);
    if (o.error == nullptr) check(*o.value == *built.value, "context constructors: two contexts");
    if (o.error != nullptr) {
      check(*o.error == typeid(cc::Error) && o.code == cc::ErrorCode::kInvalidContext,
            "an invalid context", o.message);
    }
  }
  if (built.error == nullptr) return built.value;
  check(*built.error == typeid(cc::Error) && built.code == cc::ErrorCode::kInvalidContext,
        "an invalid context", built.message);
  return std::nullopt;
}

template <typename Json = json>
Json parsed(std::string_view text) {
  Json v;
  if (!cc::detail::parseJsonReference(text.data(), text.size(), v)) {
    violation("the text API returned text the value API cannot parse");
  }
  return v;
}

template <typename A, typename B>
void sameOutcome(const Outcome<A>& value, const Outcome<B>& text, const char* what) {
  if ((value.error == nullptr) != (text.error == nullptr)) {
    violation(what, "one API threw, the other did not: " + value.message + " | " + text.message);
  }
  if (value.error != nullptr) {
    check(*value.error == *text.error, what, value.message + " | " + text.message);
    // Messages name the operation first ("decryptCredentials: …"); the rest must agree.
    const auto tail = [](const std::string& m) { return m.substr(m.find(':')); };
    check(tail(value.message) == tail(text.message), what, value.message + " | " + text.message);
  }
}

// Two stored results (envelopes, or values passed through) that must read back the same: the same
// value, and for ordered_json the same member order (its == compares in order).
template <typename Json>
void sameResult(const Json& fromValue, const Json& fromText, const char* what) {
  const auto a = run([&] { return decryptV(fromValue); });
  const auto b = run([&] { return decryptV(fromText); });
  sameOutcome(a, b, what);
  if (a.error == nullptr) check(a.value == b.value, what, "results read back differently");
}

// The two adapters agree: the same verdict, and for an error the same class and message.
template <typename A, typename B>
void sameAdapters(const Outcome<A>& j, const Outcome<B>& o, const char* what) {
  sameOutcome(j, o, what);
  if (j.error != nullptr) check(j.message == o.message, what, j.message + " | " + o.message);
}

// A result written for stored value `in`, read as ordered_json: a fresh envelope (anything but `in`
// returned unchanged) has the TypeScript writer's member order, and seals exactly dump()'s bytes of
// `sealed` when given (null where bytes are sealed as they were: the text API, a rewrap). It is
// bound, with the context's names as ctx, exactly when the keyring binds and a context is given or
// `in` was a bound envelope (never unbound).
void orderedEnvelope(const ordered_json& out, const ordered_json& in, const ordered_json* sealed,
                     const char* what) {
  if (out == in) return;
  const bool bound = (keyring().options().bindContext && gContext != nullptr) ||
                     (cc::isEncrypted(in) && in.contains("ctx"));
  check(out.is_object() && out.size() == (bound ? 5u : 4u), what, "not an envelope");
  std::string names;
  for (const auto& member : out.items()) names += member.key() + ",";
  check(names == (bound ? "__enc,kid,iv,ct,ctx," : "__enc,kid,iv,ct,"), what,
        "envelope members " + names);
  if (bound) {
    check(gContext != nullptr && out.at("ctx") == ordered_json(gContext->names()), what,
          "ctx is not the context's names");
  }
  if (sealed == nullptr) return;
  const cc::SecretBuffer text = decryptT(out.dump());
  check(std::string_view(text.data(), text.size()) == sealed->dump(), what, "not dump()'s bytes");
}

// The ordered_json adapter's reads of `stored` (its reference parse ov) against the json
// adapter's decrypt dv, and against nlohmann's ordered_json parser for member order.
void orderedReads(std::string_view stored, const ordered_json& ov, const Outcome<json>& dv) {
  // parseJsonText keeps order and resolves repeated names as nlohmann's parser does.
  const auto pt = run([&] { return cc::parseJsonText<ordered_json>(stored).value_or(nullptr); });
  check(pt.error == nullptr && pt.value == ov, "parseJsonText<ordered_json> differs from parse");

  const auto dor = run([&] { return decryptV(ov); });
  sameAdapters(dv, dor, "ordered decrypt");
  if (dor.error != nullptr) return;
  check(json(dor.value) == dv.value, "ordered decrypt: another value than json's");
  const cc::SecretBuffer b = decryptT(stored);
  check(dor.value == parsed<ordered_json>({b.data(), b.size()}), "ordered decrypt: member order");
}

// The ordered_json adapter's encrypt and rewrap of ov against the json adapter's (ev, rv) and the
// text API's, where the text API's verdict is the json adapter's (the ...TextToo flags).
void orderedWrites(std::string_view stored, const ordered_json& ov, const Outcome<json>& ev,
                   const Outcome<json>& rv, bool encryptTextToo, bool rewrapTextToo) {
  const auto eo = run([&] { return encryptV(ov); });
  sameAdapters(ev, eo, "ordered encrypt");
  if (eo.error == nullptr) {
    orderedEnvelope(eo.value, ov, &ov, "ordered encrypt");
    sameResult(eo.value, ov, "ordered encrypt: reads back");
    sameResult(json(eo.value), ev.value, "ordered encrypt: json reads back");
    if (encryptTextToo) {
      const ordered_json et = parsed<ordered_json>(encryptT(stored));
      orderedEnvelope(et, ov, nullptr, "text encrypt");
      sameResult(eo.value, et, "ordered encrypt: the text API's reads back");
    }
  }

  const auto ro = run([&] { return rewrapV(ov); });
  sameAdapters(rv, ro, "ordered rewrap");
  if (ro.error == nullptr) {
    const bool carriesEnc = ov.is_object() && ov.contains("__enc");
    orderedEnvelope(ro.value, ov, carriesEnc ? nullptr : &ov, "ordered rewrap");
    sameResult(ro.value, ov, "ordered rewrap: reads back");
    sameResult(json(ro.value), rv.value, "ordered rewrap: json reads back");
    if (rewrapTextToo) {
      const ordered_json rt = parsed<ordered_json>(rewrapT(stored));
      orderedEnvelope(rt, ov, nullptr, "text rewrap");
      sameResult(ro.value, rt, "ordered rewrap: the text API's reads back");
    }
  }
}

// needsRewrap through both adapters agrees, and keeps its promise about rewrap (the json
// adapter's verdict rv on v): false means rewrap returns v as it is, true that rewrap changes it
// or throws, and an error that rewrap throws the same class and code. Under bindContext with a
// context, whatever rewrap returns but null is a bound envelope (trust on first bind).
void needsRewrapPromise(const json& v, const ordered_json& ov, const Outcome<json>& rv) {
  if (keyring().options().bindContext && gContext != nullptr && rv.error == nullptr &&
      !rv.value.is_null()) {
    check(cc::isEncrypted(rv.value) && rv.value.contains("ctx"), "rewrap did not bind");
  }
  const auto nv = run([&] { return needsRewrapV(v); });
  const auto no = run([&] { return needsRewrapV(ov); });
  sameAdapters(nv, no, "needsRewrap");
  if (nv.error == nullptr) check(nv.value == no.value, "needsRewrap: the adapters disagree");
  if (nv.error != nullptr) {
    check(rv.error != nullptr && *rv.error == *nv.error && rv.code == nv.code,
          "needsRewrap threw, rewrap did not throw the same", nv.message + " | " + rv.message);
  } else if (!nv.value) {
    check(rv.error == nullptr && rv.value == v, "needsRewrap is false, rewrap changed the value",
          rv.message);
  } else {
    check(rv.error != nullptr || rv.value != v, "needsRewrap is true, rewrap changed nothing");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned flags = data[0];
  std::size_t at = 1;
  std::string spec;
  const bool withContext = (flags & 0x02) != 0;
  if (withContext && at < size) {
    const std::size_t length = std::min<std::size_t>(data[at], size - at - 1);
    ++at;
    spec.assign(reinterpret_cast<const char*>(data + at), length);
    at += length;
  }
  const std::string body(reinterpret_cast<const char*>(data + at), size - at);
  const std::string stored =
      (flags & 0x01) != 0 ? sealedUnderV1(body, (flags & 0x04) != 0, (flags >> 3) & 7) : body;
  gKeyring = &keyringFor(flags >> 6);
  gInput = std::string_view(reinterpret_cast<const char*>(data), size);
  gStored = stored;
  gHidden.clear();
  gContext = nullptr;
  std::optional<cc::EncryptionContext> context;
  if (withContext) context = contextOf(specPairs(spec));
  if (context) gContext = &*context;

  // The text API reads past a leading byte order mark (input text); the reference refuses one.
  const std::string_view text = cc::withoutByteOrderMark(stored);
  json v;
  ordered_json ov;
  const bool isJson = cc::detail::parseJsonReference(text.data(), text.size(), v);
  check(cc::detail::parseJsonReference(text.data(), text.size(), ov) == isJson,
        "the reference parser: json and ordered_json disagree");
  if (!isJson) {
    check(!cc::parseJsonText<ordered_json>(stored),
          "parseJsonText<ordered_json> accepted non-JSON");
    for (int which = 0; which < 3; ++which) {
      const auto o = run([&]() -> json {
        if (which == 0) return parsed(encryptT(stored));
        if (which == 1) {
          const cc::SecretBuffer b = decryptT(stored);
          return parsed({b.data(), b.size()});
        }
        return parsed(rewrapT(stored));
      });
      check(o.error != nullptr && *o.error == typeid(cc::Error), "text that is not JSON",
            o.message);
    }
    return 0;
  }
  // decrypt: the same verdict, the same value.
  const auto dv = run([&] { return decryptV(v); });
  const auto dt = run([&] {
    const cc::SecretBuffer b = decryptT(stored);
    return parsed({b.data(), b.size()});
  });
  sameOutcome(dv, dt, "decrypt");
  if (dv.error == nullptr) check(dv.value == dt.value, "decrypt: different values");

  // encrypt: a duplicate member name is refused by the text API only (a value has none).
  const bool duplicates =
      cc::detail::scanJsonText(text, true, nullptr) == cc::detail::JsonTextVerdict::duplicate;
  const auto ev = run([&] { return encryptV(v); });
  const auto et = run([&] { return parsed(encryptT(stored)); });
  if (duplicates) {
    check(et.error != nullptr && *et.error == typeid(cc::Error), "encrypt of duplicates");
  } else {
    check((ev.error == nullptr) == (et.error == nullptr), "encrypt: one threw",
          ev.message + " | " + et.message);
    if (ev.error != nullptr) {
      check(*ev.error == *et.error, "encrypt: classes", ev.message + " | " + et.message);
    } else {
      sameResult(ev.value, et.value, "encrypt");
    }
  }

  // rewrap: the same verdict; results decrypt to the same value.
  const auto rv = run([&] { return rewrapV(v); });
  const auto rt = run([&] { return parsed(rewrapT(stored)); });
  const bool rewrapComparable = !duplicates || (v.is_object() && v.contains("__enc"));
  if (rewrapComparable) {
    sameOutcome(rv, rt, "rewrap");
    if (rv.error == nullptr) sameResult(rv.value, rt.value, "rewrap");
  }

  // ordered_json: the same verdicts and values, member order kept; needsRewrap's promise.
  orderedReads(stored, ov, dv);
  orderedWrites(stored, ov, ev, rv, !duplicates, rewrapComparable);
  needsRewrapPromise(v, ov, rv);
  return 0;
}
