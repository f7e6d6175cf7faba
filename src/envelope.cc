// encryptCredentials / decryptCredentials and friends: the envelope format of docs/FORMAT.md.
#include "connector_crypto/envelope.hpp"

#include <array>
#include <string_view>
#include <vector>

#include <openssl/crypto.h>

#include "connector_crypto/detail/base64.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"
#include "base64_fast.hpp"
#include "json_codec.hpp"
#include "keyring_state.hpp"
#include "random.hpp"

namespace connector_crypto {
namespace {

using detail::ByteView;
using detail::KeyEntry;
using detail::KeyringAccess;
using detail::KeyringState;

constexpr std::string_view kEnc = "__enc";  // a string_view: map look-ups without strlen

bool carriesEnc(const nlohmann::json& v) noexcept { return v.is_object() && v.contains(kEnc); }

// "__enc" equal to 1, as the TypeScript check `=== 1` sees it (a stored double 1.0 counts).
bool isVersionOne(const nlohmann::json& enc) noexcept {
  if (enc.is_number_unsigned()) return enc.get<std::uint64_t>() == 1;
  if (enc.is_number_integer()) return enc.get<std::int64_t>() == 1;
  if (enc.is_number_float()) return enc.get<double>() == 1.0;
  return false;
}

// A validated, decoded version-1 envelope.
struct ParsedEnvelope {
  const std::string* kid = nullptr;
  std::array<std::uint8_t, kIvBytes> iv{};
  // ciphertext || tag (sealedSize bytes), then kJsonParsePadding zero bytes; decrypted in place,
  // so the buffer wipes itself.
  SecretData sealed;
  std::size_t sealedSize = 0;
};

// The members of an envelope object, found in one pass (nullptr when absent).
struct EnvelopeMembers {
  const nlohmann::json* enc = nullptr;
  const nlohmann::json* kid = nullptr;
  const nlohmann::json* iv = nullptr;
  const nlohmann::json* ct = nullptr;
};

EnvelopeMembers membersOf(const nlohmann::json& envelope) noexcept {
  EnvelopeMembers m;
  for (const auto& [key, value] : envelope.get_ref<const nlohmann::json::object_t&>()) {
    const std::string_view k = key;
    if (k == "__enc") {
      m.enc = &value;
    } else if (k == "kid") {
      m.kid = &value;
    } else if (k == "iv") {
      m.iv = &value;
    } else if (k == "ct") {
      m.ct = &value;
    }
  }
  return m;
}

const std::string& stringMember(const nlohmann::json* member, const char* name) {
  if (member == nullptr) {
    throw EnvelopeError(std::string("envelope: \"") + name + "\" is missing");
  }
  if (!member->is_string()) {
    throw EnvelopeError(std::string("envelope: \"") + name + "\" must be a string");
  }
  return member->get_ref<const std::string&>();
}

// Checks every member and decodes iv and ct; throws EnvelopeError naming the member at fault.
ParsedEnvelope parseEnvelope(const nlohmann::json& envelope) {
  const EnvelopeMembers members = membersOf(envelope);
  if (members.enc == nullptr || !isVersionOne(*members.enc)) {
    throw EnvelopeError(
        "envelope: \"__enc\" must be the number 1 (the only format version this library reads)");
  }
  ParsedEnvelope out;
  out.kid = &stringMember(members.kid, "kid");
  const std::string& iv = stringMember(members.iv, "iv");
  const std::string& ct = stringMember(members.ct, "ct");
  if (ct.size() > kMaxEnvelopeBytes) {
    throw EnvelopeError("envelope: \"ct\" is larger than the 16 MiB limit");
  }
  if (detail::base64DecodedLength(iv) != kIvBytes) {
    throw EnvelopeError("envelope: \"iv\" must be standard base64 of 12 bytes (16 characters)");
  }
  if (!detail::base64DecodeTo(iv, out.iv.data())) {
    throw EnvelopeError("envelope: \"iv\" is not valid standard base64");
  }
  const std::size_t sealedSize = detail::base64DecodedLength(ct);
  if (sealedSize == SIZE_MAX) {
    throw EnvelopeError("envelope: \"ct\" is not valid standard base64 (length or padding)");
  }
  if (sealedSize < kTagBytes) {
    throw EnvelopeError("envelope: \"ct\" must hold at least the 16-byte tag");
  }
  out.sealed.resize(sealedSize + detail::kJsonParsePadding);
  out.sealedSize = sealedSize;
  if (!detail::base64DecodeFastTo(ct, out.sealed.data())) {
    throw EnvelopeError("envelope: \"ct\" is not valid standard base64");
  }
  return out;
}

const KeyEntry& entryFor(const KeyringState& state, const std::string& kid) {
  const KeyEntry* entry = state.find(kid);
  if (entry == nullptr) {
    // A kid from the database is echoed only when it is a well-formed kid.
    throw UnknownKidError(detail::echoableKid(kid)
                              ? "envelope: \"kid\" \"" + kid + "\" is not in the keyring"
                              : std::string("envelope: \"kid\" is not a kid in the keyring"));
  }
  return *entry;
}

nlohmann::json openEnvelope(const nlohmann::json& stored, const KeyringState& state) {
  ParsedEnvelope envelope = parseEnvelope(stored);
  const KeyEntry& entry = entryFor(state, *envelope.kid);
  // Decrypted in place: the plaintext is followed by the tag and the padding the parser may read.
  const std::size_t plainSize = envelope.sealedSize - kTagBytes;
  std::uint8_t* plaintext = envelope.sealed.data();
  const bool authentic = entry.withCipher([&](detail::Aes256Gcm& cipher) {
    return cipher.open({envelope.iv.data(), envelope.iv.size()}, {},
                       {envelope.sealed.data(), envelope.sealedSize}, plaintext);
  });
  if (!authentic) {
    throw DecryptError("envelope: authentication failed under " +
                       detail::kidInMessage(entry.kid()) +
                       " (wrong key, or \"iv\"/\"ct\" was modified)");
  }
  nlohmann::json value;
  if (!detail::parseJsonPadded(reinterpret_cast<const char*>(plaintext), plainSize, value)) {
    throw DecryptError(
        "envelope: the decrypted plaintext is not valid UTF-8 JSON (or nests deeper than 512 "
        "levels)");
  }
  entry.countDecryption();
  return value;
}

nlohmann::json sealValue(const nlohmann::json& plain, const KeyringState& state) {
  const KeyEntry& entry = *state.active;
  const SecretBuffer text = detail::serializeJson(plain);
  if (text.size() > kMaxEnvelopeBytes / 4 * 3 - kTagBytes) {
    throw Error("credentials: the serialized value is larger than the 16 MiB envelope limit");
  }
  std::array<std::uint8_t, kIvBytes> iv{};
  detail::fillRandom(iv.data(), iv.size());
  std::vector<std::uint8_t> sealed(text.size() + kTagBytes);
  entry.withCipher([&](detail::Aes256Gcm& cipher) {
    cipher.seal({iv.data(), iv.size()}, {},
                {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, sealed.data());
  });
  // Members inserted in key order ("__enc" < "ct" < "iv" < "kid"), each at the end of the map.
  nlohmann::json out = nlohmann::json::object();
  auto& members = out.get_ref<nlohmann::json::object_t&>();
  members.emplace_hint(members.end(), kEnc, kEnvelopeVersion);
  members.emplace_hint(members.end(), "ct", detail::base64EncodeFast(sealed.data(), sealed.size()));
  members.emplace_hint(members.end(), "iv", detail::base64EncodeFast(iv.data(), iv.size()));
  members.emplace_hint(members.end(), "kid", entry.kid());
  entry.countEncryption();
  return out;
}

// stored, returned as it is: copied, which nlohmann does by recursion, so refused (with the Error
// of the serializer) when it nests deeper than kMaxJsonDepth.
const nlohmann::json& unchanged(const nlohmann::json& stored) {
  if (!detail::nestsWithinLimit(stored)) detail::throwTooDeep();
  return stored;
}

// Runs body, turning any nlohmann or std exception into an Error (bad_alloc excepted); a nlohmann
// what() is never forwarded, since it may quote key or plaintext bytes.
template <typename Body>
auto guarded(const char* operation, Body&& body) {
  try {
    return body();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    throw Error(std::string(operation) + ": internal error");
  }
}

}  // namespace

bool isEncrypted(const nlohmann::json& v) noexcept {
  if (!v.is_object()) return false;
  const auto enc = v.find(kEnc);
  if (enc == v.end() || !isVersionOne(*enc)) return false;
  for (const std::string_view name : {std::string_view("kid"), std::string_view("iv"),
                                      std::string_view("ct")}) {
    const auto it = v.find(name);
    if (it == v.end() || !it->is_string()) return false;
  }
  return true;
}

nlohmann::json encryptCredentials(const nlohmann::json& plain, const Keyring& keyring) {
  return guarded("encryptCredentials", [&]() -> nlohmann::json {
    if (plain.is_null()) return plain;
    if (isEncrypted(plain)) return unchanged(plain);
    if (carriesEnc(plain)) {
      throw EnvelopeError(
          "encryptCredentials: the value carries \"__enc\" but is not a valid envelope; refusing "
          "to wrap it");
    }
    return sealValue(plain, KeyringAccess::state(keyring));
  });
}

nlohmann::json encryptPlainCredentials(const nlohmann::json& plain, const Keyring& keyring) {
  return guarded("encryptPlainCredentials", [&]() -> nlohmann::json {
    if (carriesEnc(plain)) {
      throw EnvelopeError(
          "encryptPlainCredentials: the value carries \"__enc\"; only plaintext is accepted here");
    }
    if (plain.is_null()) return plain;
    return sealValue(plain, KeyringAccess::state(keyring));
  });
}

nlohmann::json decryptCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return guarded("decryptCredentials", [&]() -> nlohmann::json {
    const KeyringState& state = KeyringAccess::state(keyring);
    if (carriesEnc(stored)) return openEnvelope(stored, state);
    if (stored.is_null()) return stored;
    if (state.options.requireEncrypted) {
      state.plaintextRejected.fetch_add(1, std::memory_order_relaxed);
      throw PlaintextRejectedError(
          "decryptCredentials: the stored value is plaintext, and this keyring requires "
          "encryption (requireEncrypted / CONNECTOR_CRED_REQUIRE_ENCRYPTED=1)");
    }
    const nlohmann::json& plaintext = unchanged(stored);
    state.plaintextPassthroughs.fetch_add(1, std::memory_order_relaxed);
    return plaintext;
  });
}

bool needsRewrap(const nlohmann::json& stored, const Keyring& keyring) {
  return guarded("needsRewrap", [&]() -> bool {
    if (stored.is_null()) return false;
    if (!carriesEnc(stored)) {
      // rewrapCredentials would refuse it: say so now rather than promise a rewrap.
      if (!detail::nestsWithinLimit(stored)) detail::throwTooDeep();
      return true;
    }
    const ParsedEnvelope envelope = parseEnvelope(stored);
    return *envelope.kid != keyring.activeKid();
  });
}

nlohmann::json rewrapCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return guarded("rewrapCredentials", [&]() -> nlohmann::json {
    const KeyringState& state = KeyringAccess::state(keyring);
    if (stored.is_null()) return stored;
    if (!carriesEnc(stored)) return sealValue(stored, state);
    const ParsedEnvelope envelope = parseEnvelope(stored);
    if (*envelope.kid == keyring.activeKid()) return unchanged(stored);
    nlohmann::json plain = openEnvelope(stored, state);
    nlohmann::json out = sealValue(plain, state);
    wipeCredentials(plain);
    return out;
  });
}

void wipeCredentials(nlohmann::json& value) noexcept {
  detail::wipeJsonValues(value);
  value = nullptr;
}

}  // namespace connector_crypto
