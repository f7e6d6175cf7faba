// Target (a): envelope JSON text -> decryptCredentials, against an independent oracle.
// Contract: only connector_crypto::Error escapes; a value carrying "__enc" comes back only as its
// true plaintext (checked by opening it through the AEAD seam and parsing it here); anything else
// passes through unchanged (or PlaintextRejectedError in strict mode); encrypt -> decrypt is the
// identity; messages hold no key. The same input bytes, sealed as plaintext, must decrypt exactly
// when they are JSON of at most kMaxJsonDepth levels. And encrypt's answer is decrypt's
// (tests/verdict_oracle.hpp) under each keyring switch, with and without a context.
#include <cstddef>
#include <cstdint>
#include <typeinfo>
#include <vector>

#include "aead.hpp"
#include "fuzz_support.hpp"
#include "verdict_oracle.hpp"

namespace cc = connector_crypto;
using nlohmann::json;
using namespace fuzz_support;

namespace {

const cc::Keyring& keyring() { return keyringV1V2(); }
const cc::Keyring& strictKeyring() {
  static const cc::Keyring k = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", {true});
  return k;
}

const cc::Keyring& bindingKeyring(bool requireContext) {
  static const auto make = [](bool require) {
    cc::KeyringOptions options;
    options.bindContext = true;
    options.requireContext = require;
    return cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v1", options);
  };
  static const cc::Keyring bind = make(false), require = make(true);
  return requireContext ? require : bind;
}

// The context of the corpus's bound seeds (fuzz/make_seeds.js, `record`).
const cc::EncryptionContext& recordContext() {
  static const cc::EncryptionContext c{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                       {"collection", "connectorinstances"},
                                       {"field", "credentials"},
                                       {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  return c;
}

// Parses like the library must: UTF-8 JSON, at most kMaxJsonDepth levels, nothing after it.
bool oracleParse(std::string_view text, json& out) {
  // nlohmann stops at a NUL and accepts what came before it; JSON.parse (and the library) refuse.
  if (text.find('\0') != std::string_view::npos) return false;
  const auto depthLimit = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        static_cast<std::size_t>(depth) >= cc::kMaxJsonDepth) {
      throw std::length_error("too deep");
    }
    return true;
  };
  try {
    out = json::parse(text.begin(), text.end(), depthLimit, true, false);
    return true;
  } catch (...) {
    return false;
  }
}

// The plaintext that the envelope truly holds, or false when it does not decrypt to JSON.
bool oracleOpen(const json& v, json& plain) {
  const auto str = [&](const char* name) -> const std::string* {
    const auto it = v.find(name);
    return it != v.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string *kid = str("kid"), *iv = str("iv"), *ct = str("ct");
  if (!kid || !iv || !ct) return false;
  const std::string* key = *kid == "v1" ? &kKeyA : *kid == "v2" ? &kKeyB : nullptr;
  if (!key) return false;
  std::vector<std::uint8_t> k, ivBytes, sealed;
  if (!base64_oracle::base64Decode(*key, k) || !base64_oracle::base64Decode(*iv, ivBytes) ||
      !base64_oracle::base64Decode(*ct, sealed) || ivBytes.size() != cc::kIvBytes ||
      sealed.size() < cc::kTagBytes) {
    return false;
  }
  cc::detail::Aes256Gcm aead({k.data(), k.size()});
  std::vector<std::uint8_t> out(sealed.size() - cc::kTagBytes);
  if (!aead.open({ivBytes.data(), ivBytes.size()}, {}, {sealed.data(), sealed.size()},
                 out.data())) {
    return false;
  }
  return oracleParse({reinterpret_cast<const char*>(out.data()), out.size()}, plain);
}

void checkMessage(const cc::Error& e, std::string_view input) {
  checkNoKeyInMessage(e.what(), input, kKeyA);
  checkNoKeyInMessage(e.what(), input, kKeyB);
}

// decryptCredentials on a parsed value.
void checkDecrypt(const json& v, std::string_view input) {
  const bool carriesEnc = v.is_object() && v.contains("__enc");
  check(!cc::isEncrypted(v) || carriesEnc, "isEncrypted without __enc");
  json truth;
  const bool opens = carriesEnc && cc::isEncrypted(v) && oracleOpen(v, truth);
  try {
    const json got = cc::decryptCredentials(v, keyring());
    if (carriesEnc) {
      check(opens, "an envelope decrypted although the oracle cannot open it");
      check(got == truth, "an envelope decrypted to something other than its plaintext");
    } else {
      check(got == v, "plaintext did not pass through unchanged");
    }
  } catch (const cc::Error& e) {
    checkMessage(e, input);
    // __enc 1.0 and integer 1 both count; an opening envelope can still fail only on "__enc".
    check(!opens, "an authentic envelope was refused:", e.what());
  } catch (...) {
    violation("a non-connector_crypto exception escaped decryptCredentials");
  }

  // Strict mode: non-null plaintext is refused with exactly PlaintextRejectedError.
  if (!carriesEnc && !v.is_null()) {
    try {
      cc::decryptCredentials(v, strictKeyring());
      violation("strict mode passed plaintext through");
    } catch (const cc::PlaintextRejectedError&) {
    } catch (...) {
      violation("strict mode threw something other than PlaintextRejectedError");
    }
  }

  // encrypt -> decrypt is the identity for plaintext; an envelope comes back unchanged.
  try {
    const json e = cc::encryptCredentials(v, keyring());
    if (v.is_null() || cc::isEncrypted(v)) {
      check(e == v, "encryptCredentials changed null or an envelope");
    } else {
      check(cc::isEncrypted(e), "encryptCredentials did not produce an envelope");
      check(cc::decryptCredentials(e, keyring()) == v, "encrypt -> decrypt is not the identity");
      check(!cc::needsRewrap(e, keyring()), "a fresh envelope needs a rewrap");
    }
  } catch (const cc::Error& e) {
    checkMessage(e, input);
    check(carriesEnc, "encryptCredentials refused plaintext:", e.what());
  } catch (...) {
    violation("a non-connector_crypto exception escaped encryptCredentials");
  }

  // Encrypt's answer is decrypt's; needsRewrap agrees with rewrapCredentials.
  for (const cc::Keyring* k : {&keyring(), &bindingKeyring(false), &bindingKeyring(true)}) {
    for (const cc::EncryptionContext* context :
         {static_cast<const cc::EncryptionContext*>(nullptr), &recordContext()}) {
      try {
        const std::string problem = verdict_oracle::check(v, *k, context);
        check(problem.empty(), "encrypt's answer is not decrypt's:", problem);
      } catch (...) {
        violation("a non-connector_crypto exception escaped the verdict property");
      }
    }
  }
}

// The input as plaintext bytes, sealed by the seam: decrypts exactly when the oracle parses it.
void checkSealedPlaintext(std::string_view bytes) {
  std::vector<std::uint8_t> key;
  base64_oracle::base64Decode(kKeyA, key);
  cc::detail::Aes256Gcm aead({key.data(), key.size()});
  const std::uint8_t iv[cc::kIvBytes] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  std::vector<std::uint8_t> sealed(bytes.size() + cc::kTagBytes);
  aead.seal({iv, sizeof iv}, {},
            {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, sealed.data());
  const json envelope = {{"__enc", 1},
                         {"kid", "v1"},
                         {"iv", base64_oracle::base64Encode(iv, sizeof iv)},
                         {"ct", base64_oracle::base64Encode(sealed.data(), sealed.size())}};
  json truth;
  const bool parses = oracleParse(bytes, truth);
  try {
    const json got = cc::decryptCredentials(envelope, keyring());
    check(parses, "decrypted plaintext the oracle rejects");
    check(got == truth, "decrypted plaintext differs from the oracle's parse");
  } catch (const cc::DecryptError& e) {
    check(!parses, "authentic JSON plaintext was refused:", e.what());
  } catch (...) {
    violation("decrypting authentic plaintext threw something other than DecryptError");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  checkSealedPlaintext(input);
  json v;
  if (oracleParse(input, v)) checkDecrypt(v, input);
  return 0;
}
