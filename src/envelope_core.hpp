// Internal: the envelope format over bytes, shared by the core's exported entry points
// (connector_crypto/detail/core.hpp, which the value adapters call) and the text API (text.cc).
// Every rule of docs/FORMAT.md "What a reader must reject" lives here, once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connector_crypto/credentials_info.hpp"
#include "connector_crypto/detail/core.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace detail {

using core::EnvelopeFields;
using core::EnvelopeMember;
using core::hasEnvelopeShape;
using core::isVersionOne;
using core::kJsonParsePadding;
using core::SealedMembers;

// A validated, decoded version-1 envelope.
struct ParsedEnvelope {
  std::string_view kid;
  std::array<std::uint8_t, kIvBytes> iv{};
  // ciphertext || tag (sealedSize bytes), then padding zero bytes; decrypted in place, so the
  // plaintext lives in a buffer that wipes itself.
  SecretData sealed;
  std::size_t sealedSize = 0;
};

// Checks every member and decodes iv and ct; throws EnvelopeError naming the member at fault.
// `padding` zero bytes follow the sealed bytes (what the plaintext parser may read).
ParsedEnvelope parseEnvelope(const EnvelopeFields& fields, std::size_t padding);

// The keyring's entry for the envelope's kid; throws UnknownKidError.
const KeyEntry& entryFor(const KeyringState& state, std::string_view kid);

// Authenticates and decrypts envelope in place: returns the plaintext size (the plaintext starts
// at envelope.sealed.data()). Throws DecryptError on a tag failure. Does not count the decryption:
// the caller does once the plaintext is accepted (countDecryption).
std::size_t openInPlace(ParsedEnvelope& envelope, const KeyEntry& entry);

// Opens envelope in place and checks that its plaintext is JSON text (throwPlaintextNotJson
// otherwise), counting the decryption; returns the plaintext's size.
std::size_t openText(ParsedEnvelope& envelope, const KeyringState& state);

// Seals plaintext bytes under the active key with a fresh random IV (counted as an encryption);
// throws Error when they exceed the 16 MiB envelope limit.
SealedMembers sealBytes(const std::uint8_t* plaintext, std::size_t size, const KeyringState& state);

// The envelope's JSON text, members in the TypeScript writer's order:
// {"__enc":1,"kid":…,"iv":…,"ct":…}.
std::string envelopeText(const SealedMembers& members);

// The classification of a value that carries "__enc" (inspectCredentials): an envelope, or
// malformed with the code decrypt throws.
CredentialsInfo inspectEnvelope(const EnvelopeFields& fields);

// The message of the DecryptError for an authentic plaintext that is not valid JSON.
[[noreturn]] void throwPlaintextNotJson();

}  // namespace detail
}  // namespace connector_crypto
