// Internal: the envelope format over bytes, shared by the value API (envelope.cc) and the text API
// (text.cc). Every rule of docs/FORMAT.md "What a reader must reject" lives here, once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>

#include "connector_crypto/error.hpp"
#include "connector_crypto/inspect.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"
#include "keyring_state.hpp"

namespace connector_crypto {
namespace detail {

// One member of an envelope as its reader found it: absent, a string (its unescaped text), or
// another JSON type.
struct EnvelopeMember {
  enum class State { absent, string, other };
  State state = State::absent;
  std::string_view text;  // valid while the reader's value lives; only for State::string
};

// The members of an object that carries "__enc", as views: what every reader hands the core.
struct EnvelopeFields {
  // "__enc" as a number equal to 1 (an integer, or a double 1.0, as `=== 1` sees it), or not.
  bool encIsOne = false;
  EnvelopeMember kid, iv, ct;
};

// "__enc" equal to 1, as the TypeScript check `=== 1` sees it (a stored double 1.0 counts).
inline bool isVersionOne(std::int64_t enc) noexcept { return enc == 1; }
inline bool isVersionOne(std::uint64_t enc) noexcept { return enc == 1; }
inline bool isVersionOne(double enc) noexcept { return enc == 1.0; }

// True when fields have the shape isEncrypted accepts: "__enc" equal to 1, string kid, iv, ct.
bool hasEnvelopeShape(const EnvelopeFields& fields) noexcept;

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

// The base64 members of a fresh envelope.
struct SealedMembers {
  const std::string* kid = nullptr;
  std::string iv;
  std::string ct;
};

// Seals plaintext bytes under the active key with a fresh random IV (counted as an encryption);
// throws Error when they exceed the 16 MiB envelope limit.
SealedMembers sealBytes(const std::uint8_t* plaintext, std::size_t size, const KeyringState& state);

// The envelope's JSON text, members in the TypeScript writer's order:
// {"__enc":1,"kid":…,"iv":…,"ct":…}.
std::string envelopeText(const SealedMembers& members);

// The classification of a value that carries "__enc" (inspectCredentials): an envelope, or
// malformed with the code decrypt throws.
CredentialsInfo inspectEnvelope(const EnvelopeFields& fields);

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
    throw Error(ErrorCode::kInternal, std::string(operation) + ": internal error");
  }
}

// The message of the DecryptError for an authentic plaintext that is not valid JSON.
[[noreturn]] void throwPlaintextNotJson();

}  // namespace detail
}  // namespace connector_crypto
