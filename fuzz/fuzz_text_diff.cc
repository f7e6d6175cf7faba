// Differential: the text API against the value API for nlohmann::json and nlohmann::ordered_json
// on the same input text. All three must give the same verdict (the same error class and message,
// or the same value) for decrypt and rewrap; for encrypt, the same class (the two adapters the same
// message too), and envelopes that decrypt to the same value. ordered_json keeps member order: each
// value it gives equals, order included, what nlohmann's ordered_json parser reads from the same
// bytes, and each envelope it writes has members __enc, kid, iv, ct over exactly dump()'s bytes.
// Text that is not JSON (by the value API's own parser) must be an Error from every text function.
// Input: the first byte picks plaintext sealed under v1 (odd) or the bytes as a stored value
// (even); the rest is the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "aead.hpp"

#include "fuzz_support.hpp"
#include "json_codec.hpp"
#include "json_text.hpp"

namespace cc = connector_crypto;
using nlohmann::json;
using nlohmann::ordered_json;
using namespace fuzz_support;

namespace {

const cc::Keyring& keyring() { return keyringV1V2(); }

// The outcome of one call: the error's class and message, or the value it gave.
template <typename Json>
struct Outcome {
  const std::type_info* error = nullptr;
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
    o.message = e.what();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    violation("an exception that is not connector_crypto::Error escaped");
  }
  return o;
}

// The envelope text of arbitrary plaintext bytes under v1 (fixed IV), sealed through the AEAD seam.
std::string sealedUnderV1(const std::string& plaintext) {
  std::string key;
  base64_oracle::base64Decode(kKeyA, key);
  const std::uint8_t iv[cc::kIvBytes] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  std::vector<std::uint8_t> sealed(plaintext.size() + cc::kTagBytes);
  cc::detail::Aes256Gcm aead({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()});
  aead.seal({iv, sizeof iv}, {},
            {reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()},
            sealed.data());
  return json{{"__enc", 1},
              {"kid", "v1"},
              {"iv", base64_oracle::base64Encode(iv, sizeof iv)},
              {"ct", base64_oracle::base64Encode(sealed.data(), sealed.size())}}
      .dump();
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
  const auto a = run([&] { return cc::decryptCredentials(fromValue, keyring()); });
  const auto b = run([&] { return cc::decryptCredentials(fromText, keyring()); });
  sameOutcome(a, b, what);
  if (a.error == nullptr) check(a.value == b.value, what, "results read back differently");
}

// The two adapters agree: the same verdict, and for an error the same class and message.
void sameAdapters(const Outcome<json>& j, const Outcome<ordered_json>& o, const char* what) {
  sameOutcome(j, o, what);
  if (j.error != nullptr) check(j.message == o.message, what, j.message + " | " + o.message);
}

// A result written for stored value `in`, read as ordered_json: a fresh envelope (anything but `in`
// returned unchanged) has the TypeScript writer's member order, and seals exactly dump()'s bytes of
// `sealed` when given (null where bytes are sealed as they were: the text API, a rewrap).
void orderedEnvelope(const ordered_json& out, const ordered_json& in, const ordered_json* sealed,
                     const char* what) {
  if (out == in) return;
  check(out.is_object() && out.size() == 4, what, "not an envelope");
  std::string names;
  for (const auto& member : out.items()) names += member.key() + ",";
  check(names == "__enc,kid,iv,ct,", what, "envelope members " + names);
  if (sealed == nullptr) return;
  const cc::SecretBuffer text = cc::decryptCredentialsText(out.dump(), keyring());
  check(std::string_view(text.data(), text.size()) == sealed->dump(), what, "not dump()'s bytes");
}

// The ordered_json adapter's reads of `stored` (its reference parse ov) against the json
// adapter's decrypt dv, and against nlohmann's ordered_json parser for member order.
void orderedReads(std::string_view stored, const ordered_json& ov, const Outcome<json>& dv) {
  // parseJsonText keeps order and resolves repeated names as nlohmann's parser does.
  const auto pt = run([&] { return cc::parseJsonText<ordered_json>(stored).value_or(nullptr); });
  check(pt.error == nullptr && pt.value == ov, "parseJsonText<ordered_json> differs from parse");

  const auto dor = run([&] { return cc::decryptCredentials(ov, keyring()); });
  sameAdapters(dv, dor, "ordered decrypt");
  if (dor.error != nullptr) return;
  check(json(dor.value) == dv.value, "ordered decrypt: another value than json's");
  const cc::SecretBuffer b = cc::decryptCredentialsText(stored, keyring());
  check(dor.value == parsed<ordered_json>({b.data(), b.size()}), "ordered decrypt: member order");
}

// The ordered_json adapter's encrypt and rewrap of ov against the json adapter's (ev, rv) and the
// text API's, where the text API's verdict is the json adapter's (the ...TextToo flags).
void orderedWrites(std::string_view stored, const ordered_json& ov, const Outcome<json>& ev,
                   const Outcome<json>& rv, bool encryptTextToo, bool rewrapTextToo) {
  const auto eo = run([&] { return cc::encryptCredentials(ov, keyring()); });
  sameAdapters(ev, eo, "ordered encrypt");
  if (eo.error == nullptr) {
    orderedEnvelope(eo.value, ov, &ov, "ordered encrypt");
    sameResult(eo.value, ov, "ordered encrypt: reads back");
    sameResult(json(eo.value), ev.value, "ordered encrypt: json reads back");
    if (encryptTextToo) {
      const ordered_json et = parsed<ordered_json>(cc::encryptCredentialsText(stored, keyring()));
      orderedEnvelope(et, ov, nullptr, "text encrypt");
      sameResult(eo.value, et, "ordered encrypt: the text API's reads back");
    }
  }

  const auto ro = run([&] { return cc::rewrapCredentials(ov, keyring()); });
  sameAdapters(rv, ro, "ordered rewrap");
  if (ro.error == nullptr) {
    const bool carriesEnc = ov.is_object() && ov.contains("__enc");
    orderedEnvelope(ro.value, ov, carriesEnc ? nullptr : &ov, "ordered rewrap");
    sameResult(ro.value, ov, "ordered rewrap: reads back");
    sameResult(json(ro.value), rv.value, "ordered rewrap: json reads back");
    if (rewrapTextToo) {
      const ordered_json rt = parsed<ordered_json>(cc::rewrapCredentialsText(stored, keyring()));
      orderedEnvelope(rt, ov, nullptr, "text rewrap");
      sameResult(ro.value, rt, "ordered rewrap: the text API's reads back");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool sealPlaintext = (data[0] & 1) != 0;
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string stored = sealPlaintext ? sealedUnderV1(body) : body;
  json v;
  ordered_json ov;
  const bool isJson = cc::detail::parseJsonReference(stored.data(), stored.size(), v);
  check(cc::detail::parseJsonReference(stored.data(), stored.size(), ov) == isJson,
        "the reference parser: json and ordered_json disagree");
  if (!isJson) {
    check(!cc::parseJsonText<ordered_json>(stored),
          "parseJsonText<ordered_json> accepted non-JSON");
    for (int which = 0; which < 3; ++which) {
      const auto o = run([&]() -> json {
        if (which == 0) return parsed(cc::encryptCredentialsText(stored, keyring()));
        if (which == 1) {
          const cc::SecretBuffer b = cc::decryptCredentialsText(stored, keyring());
          return parsed({b.data(), b.size()});
        }
        return parsed(cc::rewrapCredentialsText(stored, keyring()));
      });
      check(o.error != nullptr && *o.error == typeid(cc::Error), "text that is not JSON",
            o.message);
    }
    return 0;
  }
  // decrypt: the same verdict, the same value.
  const auto dv = run([&] { return cc::decryptCredentials(v, keyring()); });
  const auto dt = run([&] {
    const cc::SecretBuffer b = cc::decryptCredentialsText(stored, keyring());
    return parsed({b.data(), b.size()});
  });
  sameOutcome(dv, dt, "decrypt");
  if (dv.error == nullptr) check(dv.value == dt.value, "decrypt: different values");

  // encrypt: a duplicate member name is refused by the text API only (a value has none).
  const bool duplicates =
      cc::detail::scanJsonText(stored, true, nullptr) == cc::detail::JsonTextVerdict::duplicate;
  const auto ev = run([&] { return cc::encryptCredentials(v, keyring()); });
  const auto et = run([&] { return parsed(cc::encryptCredentialsText(stored, keyring())); });
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
  const auto rv = run([&] { return cc::rewrapCredentials(v, keyring()); });
  const auto rt = run([&] { return parsed(cc::rewrapCredentialsText(stored, keyring())); });
  const bool rewrapComparable = !duplicates || (v.is_object() && v.contains("__enc"));
  if (rewrapComparable) {
    sameOutcome(rv, rt, "rewrap");
    if (rv.error == nullptr) sameResult(rv.value, rt.value, "rewrap");
  }

  // ordered_json: the same verdicts and values, member order kept.
  orderedReads(stored, ov, dv);
  orderedWrites(stored, ov, ev, rv, !duplicates, rewrapComparable);
  return 0;
}
