// encryptCredentials / decryptCredentials and friends: the envelope format of docs/FORMAT.md.
#include "connector_crypto/envelope.hpp"

#include <array>
#include <string_view>
#include <vector>

#include <openssl/crypto.h>

#include "connector_crypto/error.hpp"
#include "connector_crypto/inspect.hpp"
#include "connector_crypto/limits.hpp"
#include "envelope_core.hpp"
#include "json_codec.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace {

using detail::KeyEntry;
using detail::KeyringAccess;
using detail::KeyringState;

constexpr std::string_view kEnc = "__enc";  // a string_view: map look-ups without strlen

bool carriesEnc(const nlohmann::json& v) noexcept { return v.is_object() && v.contains(kEnc); }

// "__enc" equal to 1 (detail::isVersionOne), for any JSON type.
bool isVersionOne(const nlohmann::json& enc) noexcept {
  if (enc.is_number_unsigned()) return detail::isVersionOne(enc.get<std::uint64_t>());
  if (enc.is_number_integer()) return detail::isVersionOne(enc.get<std::int64_t>());
  if (enc.is_number_float()) return detail::isVersionOne(enc.get<double>());
  return false;
}

// The members of an envelope object as the core reads them, found in one pass.
detail::EnvelopeFields fieldsOf(const nlohmann::json& envelope) noexcept {
  detail::EnvelopeFields f;
  const auto member = [](const nlohmann::json& value) {
    detail::EnvelopeMember m;
    if (value.is_string()) {
      m.state = detail::EnvelopeMember::State::string;
      m.text = value.get_ref<const std::string&>();
    } else {
      m.state = detail::EnvelopeMember::State::other;
    }
    return m;
  };
  for (const auto& [key, value] : envelope.get_ref<const nlohmann::json::object_t&>()) {
    const std::string_view k = key;
    if (k == kEnc) {
      f.encIsOne = isVersionOne(value);
    } else if (k == "kid") {
      f.kid = member(value);
    } else if (k == "iv") {
      f.iv = member(value);
    } else if (k == "ct") {
      f.ct = member(value);
    }
  }
  return f;
}

// Checks every member of stored and decodes iv and ct (followed by the parser's padding).
detail::ParsedEnvelope parseStored(const nlohmann::json& stored) {
  return detail::parseEnvelope(fieldsOf(stored), detail::kJsonParsePadding);
}

nlohmann::json openEnvelope(detail::ParsedEnvelope& envelope, const KeyringState& state) {
  const KeyEntry& entry = detail::entryFor(state, envelope.kid);
  // Decrypted in place: the plaintext is followed by the tag and the padding the parser may read.
  const std::size_t plainSize = detail::openInPlace(envelope, entry);
  const std::uint8_t* plaintext = envelope.sealed.data();
  nlohmann::json value;
  if (!detail::parseJsonPadded(reinterpret_cast<const char*>(plaintext), plainSize, value)) {
    detail::throwPlaintextNotJson();
  }
  entry.countDecryption();
  return value;
}

nlohmann::json sealValue(const nlohmann::json& plain, const KeyringState& state) {
  const SecretBuffer text = detail::serializeJson(plain);
  detail::SealedMembers sealed =
      detail::sealBytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), state);
  // Members inserted in key order ("__enc" < "ct" < "iv" < "kid"), each at the end of the map.
  nlohmann::json out = nlohmann::json::object();
  auto& members = out.get_ref<nlohmann::json::object_t&>();
  members.emplace_hint(members.end(), kEnc, kEnvelopeVersion);
  members.emplace_hint(members.end(), "ct", std::move(sealed.ct));
  members.emplace_hint(members.end(), "iv", std::move(sealed.iv));
  members.emplace_hint(members.end(), "kid", *sealed.kid);
  return out;
}

// stored, returned as it is: copied, which nlohmann does by recursion, so refused (with the Error
// of the serializer) when it nests deeper than kMaxJsonDepth.
const nlohmann::json& unchanged(const nlohmann::json& stored) {
  if (!detail::nestsWithinLimit(stored)) detail::throwTooDeep();
  return stored;
}

}  // namespace

bool isEncrypted(const nlohmann::json& v) noexcept {
  return carriesEnc(v) && detail::hasEnvelopeShape(fieldsOf(v));
}

nlohmann::json encryptCredentials(const nlohmann::json& plain, const Keyring& keyring) {
  return detail::guarded("encryptCredentials", [&]() -> nlohmann::json {
    if (plain.is_null()) return plain;
    if (isEncrypted(plain)) return unchanged(plain);
    if (carriesEnc(plain)) {
      throw EnvelopeError(
          ErrorCode::kEnvelopeRefused,
          "encryptCredentials: the value carries \"__enc\" but is not a valid envelope; refusing "
          "to wrap it");
    }
    return sealValue(plain, KeyringAccess::state(keyring));
  });
}

nlohmann::json encryptPlainCredentials(const nlohmann::json& plain, const Keyring& keyring) {
  return detail::guarded("encryptPlainCredentials", [&]() -> nlohmann::json {
    if (carriesEnc(plain)) {
      throw EnvelopeError(
          ErrorCode::kEnvelopeRefused,
          "encryptPlainCredentials: the value carries \"__enc\"; only plaintext is accepted here");
    }
    if (plain.is_null()) return plain;
    return sealValue(plain, KeyringAccess::state(keyring));
  });
}

nlohmann::json decryptCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return detail::guarded("decryptCredentials", [&]() -> nlohmann::json {
    const KeyringState& state = KeyringAccess::state(keyring);
    if (carriesEnc(stored)) {
      detail::ParsedEnvelope envelope = parseStored(stored);
      return openEnvelope(envelope, state);
    }
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
  return detail::guarded("needsRewrap", [&]() -> bool {
    if (stored.is_null()) return false;
    if (!carriesEnc(stored)) {
      // rewrapCredentials would refuse it: say so now rather than promise a rewrap.
      if (!detail::nestsWithinLimit(stored)) detail::throwTooDeep();
      return true;
    }
    const detail::ParsedEnvelope envelope = detail::parseEnvelope(fieldsOf(stored), 0);
    return envelope.kid != keyring.activeKid();
  });
}

nlohmann::json rewrapCredentials(const nlohmann::json& stored, const Keyring& keyring) {
  return detail::guarded("rewrapCredentials", [&]() -> nlohmann::json {
    const KeyringState& state = KeyringAccess::state(keyring);
    if (stored.is_null()) return stored;
    if (!carriesEnc(stored)) return sealValue(stored, state);
    detail::ParsedEnvelope envelope = parseStored(stored);
    if (envelope.kid == keyring.activeKid()) return unchanged(stored);
    nlohmann::json plain = openEnvelope(envelope, state);
    nlohmann::json out = sealValue(plain, state);
    wipeCredentials(plain);
    return out;
  });
}

CredentialsInfo inspectCredentials(const nlohmann::json& stored) {
  return detail::guarded("inspectCredentials", [&]() -> CredentialsInfo {
    CredentialsInfo info;
    if (stored.is_null()) return info;
    if (!carriesEnc(stored)) {
      info.kind = CredentialsInfo::Kind::kPlaintext;
      return info;
    }
    return detail::inspectEnvelope(fieldsOf(stored));
  });
}

void wipeCredentials(nlohmann::json& value) noexcept {
  detail::wipeJsonValues(value);
  value = nullptr;
}

}  // namespace connector_crypto
