// Internal: the compiled core the header adapters (value_adapter.hpp) call. Its ABI holds no
// nlohmann (nor simdjson) type: it speaks bytes, views and a library-owned event interface, so a
// service built with any nlohmann 3.x configuration links against the installed library. Every
// rule of the envelope format lives behind these functions; the adapters only walk and build
// values. Not API: names and signatures may change in any release.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>

#include "connector_crypto/config.hpp"
#include "connector_crypto/context.hpp"
#include "connector_crypto/credentials_info.hpp"
#include "connector_crypto/error.hpp"
#include "connector_crypto/keyring.hpp"
#include "connector_crypto/limits.hpp"
#include "connector_crypto/secret_data.hpp"

namespace connector_crypto {
namespace detail {
namespace core {

// One member of an object carrying "__enc" as its reader found it: absent, a string (a view of its
// unescaped text, valid while the reader's value lives), or another JSON type.
struct EnvelopeMember {
  enum class State { absent, string, other };
  State state = State::absent;
  std::string_view text;
};

// The "ctx" member of a bound envelope as its reader found it: absent, an array whose items are
// all strings (count of them; the first kMaxContextPairs viewed in names, valid while the reader's
// value lives), or anything else.
struct EnvelopeNames {
  enum class State { absent, strings, other };
  State state = State::absent;
  std::size_t count = 0;

  // Name i (i < count and i < kMaxContextPairs, state strings).
  std::string_view name(std::size_t i) const noexcept { return {views_[i].data, views_[i].size}; }

  // Reader's helpers: start over in state s with no items; one more item of the array (only
  // strings keep state strings).
  void reset(State s) noexcept {
    state = s;
    count = 0;
  }
  void add(bool isString, std::string_view text) noexcept {
    if (!isString) state = State::other;
    if (state == State::strings && count < views_.size())
      views_[count] = {text.data(), text.size()};
    ++count;
  }
  // Item i, already added as a string, views text instead (a reader that owns its copies).
  void set(std::size_t i, std::string_view text) noexcept {
    views_[i] = {text.data(), text.size()};
  }

 private:
  // Trivial, so never zeroed: every reader of every envelope builds one, bound or not, and only
  // the items add() set are read.
  struct View {
    const char* data;
    std::size_t size;
  };
  std::array<View, kMaxContextPairs> views_;
};

// The members of an object that carries "__enc": what every reader hands the core.
struct EnvelopeFields {
  // "__enc" as a number equal to 1 (an integer, or a double 1.0, as `=== 1` sees it), or not.
  bool encIsOne = false;
  EnvelopeMember kid, iv, ct;
  EnvelopeNames ctx;
};

// "__enc" equal to 1, as the TypeScript check `=== 1` sees it (a stored double 1.0 counts).
inline bool isVersionOne(std::int64_t enc) noexcept { return enc == 1; }
inline bool isVersionOne(std::uint64_t enc) noexcept { return enc == 1; }
inline bool isVersionOne(double enc) noexcept { return enc == 1.0; }

// The one nesting rule of the parsers and the serializer: true when an array or object opening
// inside `enclosing` open arrays/objects is deeper than kMaxJsonDepth (so 512 nested are fine).
constexpr bool opensTooDeep(std::size_t enclosing) noexcept { return enclosing >= kMaxJsonDepth; }

// The member names the adapters look for (one spelling).
inline constexpr std::string_view kEncName = "__enc";
inline constexpr std::string_view kKidName = "kid";
inline constexpr std::string_view kIvName = "iv";
inline constexpr std::string_view kCtName = "ct";
inline constexpr std::string_view kCtxName = "ctx";

// The members of a fresh envelope: kid views the keyring's kid (valid while it lives); context,
// when not null, is the context a bound envelope was sealed under (its names are "ctx").
struct SealedMembers {
  std::string_view kid;
  std::string iv;
  std::string ct;
  const EncryptionContext* context = nullptr;
};

// What a parser reports, in document order, to the adapter building a value. Each value comes with
// its place: `in`, the array or object holding it, as onBeginArray / onBeginObject returned it
// (nullptr for the root value), and `key`, its member name when `in` is an object (empty and
// unused in an array). A container stays valid until its onEnd call. The views are valid during
// the call only. A call may throw (bad_alloc); the parser then wipes what it used and lets it
// through.
class JsonEvents {
 public:
  using Container = void*;  // opaque to the parser

  virtual void onNull(Container in, std::string_view key) = 0;
  virtual void onBool(Container in, std::string_view key, bool value) = 0;
  // A negative integer, or "-0".
  virtual void onInt(Container in, std::string_view key, std::int64_t value) = 0;
  virtual void onUint(Container in, std::string_view key, std::uint64_t value) = 0;
  virtual void onDouble(Container in, std::string_view key, double value) = 0;
  virtual void onString(Container in, std::string_view key, std::string_view value) = 0;
  // sizeHint: members or items expected, or 0.
  virtual Container onBeginObject(Container in, std::string_view key, std::size_t sizeHint) = 0;
  virtual void onEndObject(Container object) = 0;
  virtual Container onBeginArray(Container in, std::string_view key, std::size_t sizeHint) = 0;
  virtual void onEndArray(Container array) = 0;
  // Forget every event so far (and every container): the parser reports the value again, from its
  // start.
  virtual void onRestart() = 0;

 protected:
  ~JsonEvents() = default;
};

// In every function below, context is the caller's encryption context, or nullptr when none was
// given; the keyring's bindContext / requireContext switches apply (docs/FORMAT.md, "Bound
// envelopes").

// True when fields have the shape isEncrypted accepts: "__enc" equal to 1, string kid, iv, ct, and
// "ctx" absent or an array of strings.
CONNECTOR_CRYPTO_API bool hasEnvelopeShape(const EnvelopeFields& fields) noexcept;

// Seals compact JSON text (already serialized or compacted) under the keyring's active key with a
// fresh random IV, bound to context when given and the keyring's bindContext is on. Error
// kContextRequired under bindContext without a context; kTooLarge past the 16 MiB envelope limit.
CONNECTOR_CRYPTO_API SealedMembers seal(const char* operation, std::string_view json,
                                        const Keyring& keyring, const EncryptionContext* context);

// encrypt met a value carrying "__enc": returns when it may come back unchanged, else throws, in
// this order: what decrypt refuses before it needs a key (EnvelopeError with decrypt's code,
// UnknownKidError for a kid that breaks the kid rule); kContextRequired under bindContext without
// a context; decrypt's context rules (a bound envelope without a context, requireContext); with a
// context, a bound envelope must open under it as decrypt would open it, with its errors.
CONNECTOR_CRYPTO_API void admitEnvelope(const char* operation, const EnvelopeFields& fields,
                                        const Keyring& keyring, const EncryptionContext* context);

// Checks every member, applies the context rules, authenticates and decrypts under the envelope's
// kid, and reports the plaintext's JSON to events. Throws EnvelopeError, Error (kContextRequired),
// UnknownKidError, DecryptError (kAuthentication, or kInvalidPlaintext for an authentic plaintext
// that is not JSON: events may then have seen part of it, which the adapter wipes).
CONNECTOR_CRYPTO_API void open(const EnvelopeFields& fields, const Keyring& keyring,
                               const EncryptionContext* context, JsonEvents& events);

// rewrapCredentials of an envelope: false when it stays as it is (under the active kid, and bound
// or not to be bound); otherwise re-seals its authentic plaintext bytes as they are into out,
// bound when it was (never unbound) or when context is given under bindContext. Throws as open,
// and kContextRequired under bindContext without a context.
CONNECTOR_CRYPTO_API bool reseal(const EnvelopeFields& fields, const Keyring& keyring,
                                 const EncryptionContext* context, SealedMembers& out);

// needsRewrap of an envelope: whether reseal would re-seal it; throws what reseal would throw
// without decrypting (malformed envelope, the context rules, a kid not in the keyring).
CONNECTOR_CRYPTO_API bool needsRewrap(const EnvelopeFields& fields, const Keyring& keyring,
                                      const EncryptionContext* context);

// A write of non-null plaintext of size serialized bytes (needsRewrap, for rewrap): Error
// kContextRequired under bindContext without a context, then kTooLarge past the envelope limit.
CONNECTOR_CRYPTO_API void admitWrite(const char* operation, const Keyring& keyring,
                                     const EncryptionContext* context, std::size_t size);

// decrypt met non-null plaintext: throws PlaintextRejectedError (counted) in strict mode.
CONNECTOR_CRYPTO_API void admitPlaintext(const char* operation, const Keyring& keyring);

// Counts a plaintext passed through by decrypt (Keyring::stats).
CONNECTOR_CRYPTO_API void countPassthrough(const Keyring& keyring) noexcept;

// The classification of a value that carries "__enc" (inspectCredentials).
CONNECTOR_CRYPTO_API CredentialsInfo inspect(const EnvelopeFields& fields);

// Why the serializer refused a value (repeatedName: an ordered_json object that repeats a member
// name, kInvalidText as in the text API).
enum class Unserializable { tooDeep, badUtf8, discarded, binary, nonFinite, repeatedName };

// The Error for each refusal, and for encryptPlainCredentials meeting a value that carries "__enc"
// (kEnvelopeRefused).
[[noreturn]] CONNECTOR_CRYPTO_API void throwUnserializable(Unserializable why);
[[noreturn]] CONNECTOR_CRYPTO_API void throwEnvelopeRefused(const char* operation);
[[noreturn]] CONNECTOR_CRYPTO_API void throwInternal(const char* operation);

// ---- byte services of the serializer and the parser -------------------------------------------

// Adds the length of s quoted and escaped as nlohmann's dump() writes it to n; false when s is not
// valid UTF-8 (n is then unspecified).
CONNECTOR_CRYPTO_API bool measureString(std::string_view s, std::size_t& n) noexcept;

// Writes s quoted and escaped (measureString accepted it) at out; returns the end.
CONNECTOR_CRYPTO_API char* writeString(std::string_view s, char* out) noexcept;

// Writes a finite double as dump() does into buf (at least kNumberChars); returns the end.
inline constexpr std::size_t kNumberChars = 64;
CONNECTOR_CRYPTO_API char* formatDouble(double value, char* buf) noexcept;

// Parses one JSON value (UTF-8, no NUL byte, at most kMaxJsonDepth levels, nothing but whitespace
// after it) and reports it to events; false for anything else (events may have seen part of it).
// With padded, kJsonParsePadding readable bytes follow text (saves a copy). Every buffer the
// parser used is wiped. simdjson reads it when the build has it; the library's own reader (with
// nlohmann's verdicts, in wiping memory) wherever the two could differ (integers beyond 64 bits,
// "-0", nesting past the limit, text simdjson refuses) and in the build without simdjson. A
// leading byte order mark is refused (docs/FORMAT.md, "Byte order marks").
inline constexpr std::size_t kJsonParsePadding = 64;
CONNECTOR_CRYPTO_API bool parse(std::string_view text, bool padded, JsonEvents& events);

// True when parse uses simdjson (CONNECTOR_CRYPTO_WITH_SIMDJSON); false: nlohmann's parser.
CONNECTOR_CRYPTO_API bool fastParserEnabled() noexcept;

}  // namespace core

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
    core::throwInternal(operation);
  }
}

}  // namespace detail
}  // namespace connector_crypto
