// The property "encrypt's answer is decrypt's" (issue 21), shared by
// tests/test_roundtrip_property.cpp and fuzz/fuzz_envelope.cc. For one stored value under one
// keyring and context:
//  - encrypt returns a value carrying "__enc" unchanged only if decrypt opens it or fails only on
//    the key (a valid kid the keyring lacks, the tag, the authentic plaintext); when decrypt fails
//    without needing the key, encrypt throws the same ErrorCode;
//  - needsRewrap is false exactly when rewrapCredentials returns its argument unchanged, and throws
//    exactly when it throws (same ErrorCode); when it is true, rewrap re-seals or fails on the key.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "connector_crypto/connector_crypto.hpp"
#include "roundtrip_oracle.hpp"

namespace verdict_oracle {

namespace cc = connector_crypto;

// What one call did: threw (with code and message), or returned (result: the call's bool, or for a
// call returning a value, whether it is the argument unchanged: identical, NaN included).
struct Verdict {
  std::optional<cc::ErrorCode> code;
  std::string what;
  bool result = false;
};

template <typename Fn>
Verdict verdictOf(Fn&& fn) {
  Verdict v;
  try {
    v.result = fn();
  } catch (const cc::Error& e) {
    v.code = e.code();
    v.what = e.what();
  }
  return v;
}

// Codes decrypt throws only once it looked for the key or used it (the tag, the plaintext).
inline bool keyOnly(cc::ErrorCode code) {
  return code == cc::ErrorCode::kAuthentication || code == cc::ErrorCode::kInvalidPlaintext;
}

// True when decrypt's failure d needed the key: keyOnly, or a valid kid the keyring lacks.
inline bool needsTheKey(const Verdict& d, const nlohmann::json& stored) {
  if (!d.code) return false;
  if (keyOnly(*d.code)) return true;
  if (*d.code != cc::ErrorCode::kUnknownKid) return false;
  const auto kid = stored.find("kid");
  return kid != stored.end() && kid->is_string() && cc::isValidKid(kid->get<std::string>());
}

inline std::string describe(const Verdict& v) {
  if (!v.code) return v.result ? "returned true/unchanged" : "returned false/changed";
  return std::string("threw ") + cc::errorCodeName(*v.code) + " (" + v.what + ")";
}

// The first violation of the property by stored (null context: none), or "" when it holds.
inline std::string check(const nlohmann::json& stored, const cc::Keyring& k,
                         const cc::EncryptionContext* context) {
  using nlohmann::json;
  const Verdict d = verdictOf([&] {
    json plain =
        context ? cc::decryptCredentials(stored, k, *context) : cc::decryptCredentials(stored, k);
    cc::wipeCredentials(plain);
    return true;
  });
  const Verdict e = verdictOf([&] {
    return roundtrip_oracle::identical(
        context ? cc::encryptCredentials(stored, k, *context) : cc::encryptCredentials(stored, k),
        stored);
  });
  const Verdict n = verdictOf(
      [&] { return context ? cc::needsRewrap(stored, k, *context) : cc::needsRewrap(stored, k); });
  const Verdict r = verdictOf([&] {
    return roundtrip_oracle::identical(
        context ? cc::rewrapCredentials(stored, k, *context) : cc::rewrapCredentials(stored, k),
        stored);
  });
  const std::string all = "; decrypt " + describe(d) + ", encrypt " + describe(e) +
                          ", needsRewrap " + describe(n) + ", rewrap " + describe(r);
  if (stored.is_object() && stored.contains("__enc")) {
    if (!e.code && !e.result) return "encrypt changed a value carrying __enc" + all;
    if (!e.code && d.code && !needsTheKey(d, stored)) {
      return "encrypt returned an envelope that decrypt refuses without the key" + all;
    }
    if (d.code && !needsTheKey(d, stored) && e.code != d.code) {
      return "encrypt did not refuse with decrypt's code" + all;
    }
  }
  if (n.code) {
    if (r.code != n.code) return "needsRewrap threw, rewrap did not throw the same" + all;
  } else if (!n.result) {
    if (r.code || !r.result)
      return "needsRewrap is false, rewrap did not return it unchanged" + all;
  } else if (r.code ? !keyOnly(*r.code) : r.result) {
    return "needsRewrap is true, rewrap neither re-sealed nor failed on the key" + all;
  }
  return {};
}

}  // namespace verdict_oracle
