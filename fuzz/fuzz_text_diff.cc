// Differential: the text API against the value API on the same input text. Both must give the
// same verdict (the same error class and message, or the same value) for decrypt and rewrap; for
// encrypt, the same class, and envelopes that decrypt to the same value. Text that is not JSON
// (by the value API's own parser) must be an Error from every text function. Input: the first
// byte picks plaintext sealed under v1 (odd) or the bytes as a stored value (even); the rest is the
// text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <typeinfo>
#include <vector>

#include "aead.hpp"

#include "fuzz_support.hpp"
#include "json_codec.hpp"
#include "json_text.hpp"

namespace cc = connector_crypto;
using nlohmann::json;
using namespace fuzz_support;

namespace {

const cc::Keyring& keyring() { return keyringV1V2(); }

// The outcome of one call: the error's class and message, or the value it gave.
struct Outcome {
  const std::type_info* error = nullptr;
  std::string message;
  json value;
};

template <typename Fn>
Outcome run(Fn&& fn) {
  Outcome o;
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

json parsed(std::string_view text) {
  json v;
  if (!cc::detail::parseJsonReference(text.data(), text.size(), v)) {
    violation("the text API returned text the value API cannot parse");
  }
  return v;
}

void sameOutcome(const Outcome& value, const Outcome& text, const char* what) {
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

// Two stored results (envelopes, or values passed through) that must read back the same.
void sameResult(const json& fromValue, const json& fromText, const char* what) {
  const Outcome a = run([&] { return cc::decryptCredentials(fromValue, keyring()); });
  const Outcome b = run([&] { return cc::decryptCredentials(fromText, keyring()); });
  sameOutcome(a, b, what);
  if (a.error == nullptr) check(a.value == b.value, what, "results read back differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool sealPlaintext = (data[0] & 1) != 0;
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string stored = sealPlaintext ? sealedUnderV1(body) : body;
  json v;
  const bool isJson = cc::detail::parseJsonReference(stored.data(), stored.size(), v);
  if (!isJson) {
    for (int which = 0; which < 3; ++which) {
      const Outcome o = run([&]() -> json {
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
  const Outcome dv = run([&] { return cc::decryptCredentials(v, keyring()); });
  const Outcome dt = run([&] {
    const cc::SecretBuffer b = cc::decryptCredentialsText(stored, keyring());
    return parsed({b.data(), b.size()});
  });
  sameOutcome(dv, dt, "decrypt");
  if (dv.error == nullptr) check(dv.value == dt.value, "decrypt: different values");

  // encrypt: a duplicate member name is refused by the text API only (a value has none).
  const bool duplicates =
      cc::detail::scanJsonText(stored, true, nullptr) == cc::detail::JsonTextVerdict::duplicate;
  const Outcome ev = run([&] { return cc::encryptCredentials(v, keyring()); });
  const Outcome et = run([&] { return parsed(cc::encryptCredentialsText(stored, keyring())); });
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
  const Outcome rv = run([&] { return cc::rewrapCredentials(v, keyring()); });
  const Outcome rt = run([&] { return parsed(cc::rewrapCredentialsText(stored, keyring())); });
  if (!duplicates || (v.is_object() && v.contains("__enc"))) {
    sameOutcome(rv, rt, "rewrap");
    if (rv.error == nullptr) sameResult(rv.value, rt.value, "rewrap");
  }
  return 0;
}
