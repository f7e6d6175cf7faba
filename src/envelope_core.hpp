// Internal: the envelope format over bytes, shared by the core's exported entry points
// (connector_crypto/detail/core.hpp, which the value adapters call) and the text API (text.cc).
// Every rule of docs/FORMAT.md "What a reader must reject" lives here, once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connector_crypto/context.hpp"
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
using core::EnvelopeNames;
using core::hasEnvelopeShape;
using core::isVersionOne;
using core::kJsonParsePadding;
using core::SealedMembers;

// A validated, decoded version-1 envelope.
struct ParsedEnvelope {
  std::string_view kid;
  // A bound envelope: "ctx" was present (and valid); names is the fields' own (their views, like
  // kid's, are valid while the reader's value lives).
  bool bound = false;
  const EnvelopeNames* names = nullptr;
  std::array<std::uint8_t, kIvBytes> iv{};
  // ciphertext || tag (sealedSize bytes), then padding zero bytes; decrypted in place, so the
  // plaintext lives in a buffer that wipes itself.
  SecretData sealed;
  std::size_t sealedSize = 0;
};

// Checks every member (a present "ctx" included) and decodes iv and ct; throws EnvelopeError naming
// the member at fault, UnknownKidError for a kid that breaks the kid rule (no keyring holds it).
// `padding` zero bytes follow the sealed bytes (what the plaintext parser may read).
ParsedEnvelope parseEnvelope(const EnvelopeFields& fields, std::size_t padding);

// The decrypt table of docs/FORMAT.md ("Reading a bound envelope") after the member checks: the
// context rules, the kid lookup, the names. Returns the entry of the envelope's kid; throws Error
// kContextRequired, EnvelopeError, UnknownKidError. context: the caller's, or nullptr.
const KeyEntry& admitOpening(const ParsedEnvelope& envelope, const KeyringState& state,
                             const EncryptionContext* context);

// Authenticates and decrypts envelope in place (admitOpening passed; a bound envelope under the AAD
// of context): returns the plaintext size (the plaintext starts at envelope.sealed.data()). Throws
// DecryptError on a tag failure. Does not count the decryption: the caller does once the
// plaintext is accepted (KeyEntry::countDecryption).
std::size_t openInPlace(ParsedEnvelope& envelope, const KeyEntry& entry,
                        const EncryptionContext* context);

// admitOpening, openInPlace, and a check that the plaintext is JSON text (throwPlaintextNotJson
// otherwise), counting the decryption; returns the plaintext's size.
std::size_t openText(ParsedEnvelope& envelope, const KeyringState& state,
                     const EncryptionContext* context);

// Whether rewrap re-seals envelope: its kid is not the active one, or it is unbound and a context
// is given under bindContext. Applies admitOpening first (its errors are rewrap's without a key).
bool needsReseal(const ParsedEnvelope& envelope, const KeyringState& state,
                 const EncryptionContext* context);

// The context a write binds to: context under bindContext (nullptr otherwise). Throws Error
// kContextRequired for operation under bindContext without a context.
const EncryptionContext* writeContext(const char* operation, const KeyringState& state,
                                      const EncryptionContext* context);

// Throws Error kTooLarge when size plaintext bytes would make a "ct" over the 16 MiB limit.
void checkSealable(std::size_t size);

// Seals plaintext bytes under the active key with a fresh random IV (counted as an encryption),
// bound to boundTo when not null; throws Error when they exceed the 16 MiB envelope limit.
SealedMembers sealBytes(const std::uint8_t* plaintext, std::size_t size, const KeyringState& state,
                        const EncryptionContext* boundTo);

// The envelope's JSON text, members in the TypeScript writer's order:
// {"__enc":1,"kid":…,"iv":…,"ct":…}, then "ctx" for a bound envelope.
std::string envelopeText(const SealedMembers& members);

// decrypt met non-null plaintext: PlaintextRejectedError (counted) in strict mode.
void refusePlaintextIfStrict(const char* operation, const KeyringState& state);

// decrypt returned non-null plaintext unchanged (Keyring::stats).
void countPassthrough(const KeyringState& state) noexcept;

// A write given context left its envelope unbound because bindContext is off
// (KeyringStats::contextIgnored); nothing when context is null or the keyring binds.
void countContextIgnored(const KeyringState& state, const EncryptionContext* context) noexcept;

// The classification of a value that carries "__enc" (inspectCredentials): an envelope, or
// malformed with the code decrypt throws.
CredentialsInfo inspectEnvelope(const EnvelopeFields& fields);

// The message of the DecryptError for an authentic plaintext that is not valid JSON.
[[noreturn]] void throwPlaintextNotJson();

}  // namespace detail
}  // namespace connector_crypto
