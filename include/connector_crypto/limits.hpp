// Sizes and limits of the envelope format, named once.
#pragma once

#include <cstddef>

namespace connector_crypto {

// AES-256 key size in bytes.
inline constexpr std::size_t kKeyBytes = 32;
// GCM IV (nonce) size in bytes; always random, never caller-supplied.
inline constexpr std::size_t kIvBytes = 12;
// GCM authentication tag size in bytes, appended to the ciphertext in "ct".
inline constexpr std::size_t kTagBytes = 16;
// The only envelope format version this library reads and writes ("__enc": 1).
inline constexpr int kEnvelopeVersion = 1;
// Largest "ct" (base64 characters) accepted, checked before decoding: MongoDB's 16 MiB document limit.
inline constexpr std::size_t kMaxEnvelopeBytes = std::size_t{16} * 1024 * 1024;
// Deepest nesting of arrays/objects accepted when parsing JSON (decrypted plaintext, env, CLI input).
inline constexpr std::size_t kMaxJsonDepth = 512;
// Longest key id (printable ASCII, no spaces).
inline constexpr std::size_t kMaxKidLength = 64;
// An encryption context (context.hpp) holds 1 to kMaxContextPairs (name, value) pairs.
inline constexpr std::size_t kMaxContextPairs = 16;
// A context name is 1 to kMaxContextNameLength characters of [A-Za-z0-9_.-].
inline constexpr std::size_t kMaxContextNameLength = 64;
// A context value is 1 to kMaxContextValueBytes bytes of UTF-8 without NUL.
inline constexpr std::size_t kMaxContextValueBytes = 4096;

}  // namespace connector_crypto
