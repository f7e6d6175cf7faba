// The envelope format over bytes: member rules, AEAD open and seal, the envelope's text.
#include "envelope_core.hpp"

#include <vector>

#include "base64_fast.hpp"
#include "context_core.hpp"
#include "connector_crypto/error.hpp"
#include "json_text.hpp"
#include "random.hpp"

namespace connector_crypto {
namespace detail {
namespace {

std::string_view stringMember(const EnvelopeMember& member, const char* name) {
  if (member.state == EnvelopeMember::State::absent) {
    throw EnvelopeError(ErrorCode::kEnvelopeMissing,
                        std::string("envelope: \"") + name + "\" is missing");
  }
  if (member.state != EnvelopeMember::State::string) {
    throw EnvelopeError(ErrorCode::kEnvelopeType,
                        std::string("envelope: \"") + name + "\" must be a string");
  }
  return member.text;
}

}  // namespace

ParsedEnvelope parseEnvelope(const EnvelopeFields& fields, std::size_t padding) {
  if (!fields.encIsOne) {
    throw EnvelopeError(
        ErrorCode::kEnvelopeBadVersion,
        "envelope: \"__enc\" must be the number 1 (the only format version this library reads; "
        "canonical Extended JSON's {\"$numberInt\":\"1\"} is not: read MongoDB documents as "
        "relaxed Extended JSON, or convert them with convertExtendedJson / "
        "convertExtendedJsonText first)");
  }
  ParsedEnvelope out;
  out.kid = stringMember(fields.kid, "kid");
  const std::string_view iv = stringMember(fields.iv, "iv");
  const std::string_view ct = stringMember(fields.ct, "ct");
  if (!isValidKid(out.kid)) {
    // No keyring can hold it: the verdict of every reader, with or without a context or a key.
    throw UnknownKidError(
        "envelope: \"kid\" is not a valid kid (1 to 64 printable ASCII characters without "
        "spaces, never a key), so no keyring holds it");
  }
  if (fields.ctx.state != EnvelopeNames::State::absent) {
    if (const char* problem = storedNamesProblem(fields.ctx)) {
      throw EnvelopeError(ErrorCode::kEnvelopeContext,
                          std::string("envelope: \"ctx\" ") + problem +
                              " (a bound envelope's context names)");
    }
    out.bound = true;
    out.names = &fields.ctx;
  }
  if (ct.size() > kMaxEnvelopeBytes) {
    throw EnvelopeError(ErrorCode::kEnvelopeCtSize,
                        "envelope: \"ct\" is larger than the 16 MiB limit");
  }
  if (base64DecodedLength(iv) != kIvBytes) {
    throw EnvelopeError(ErrorCode::kEnvelopeIvSize,
                        "envelope: \"iv\" must be standard base64 of 12 bytes (16 characters)");
  }
  if (!base64DecodeTo(iv, out.iv.data())) {
    throw EnvelopeError(ErrorCode::kEnvelopeBase64,
                        "envelope: \"iv\" is not valid standard base64");
  }
  const std::size_t sealedSize = base64DecodedLength(ct);
  if (sealedSize == SIZE_MAX) {
    throw EnvelopeError(ErrorCode::kEnvelopeBase64,
                        "envelope: \"ct\" is not valid standard base64 (length or padding)");
  }
  if (sealedSize < kTagBytes) {
    throw EnvelopeError(ErrorCode::kEnvelopeCtSize,
                        "envelope: \"ct\" must hold at least the 16-byte tag");
  }
  out.sealed.resize(sealedSize + padding);
  out.sealedSize = sealedSize;
  if (!base64DecodeFastTo(ct, out.sealed.data())) {
    throw EnvelopeError(ErrorCode::kEnvelopeBase64,
                        "envelope: \"ct\" is not valid standard base64");
  }
  return out;
}

namespace {

// Rows 2-4 of the decrypt table: the rules that need neither the key nor the names.
void checkBinding(const ParsedEnvelope& envelope, const KeyringState& state,
                  const EncryptionContext* context) {
  if (envelope.bound && context == nullptr) {
    throw Error(ErrorCode::kContextRequired,
                "envelope: context required: the envelope is bound to the context names " +
                    nameList(*envelope.names) + "; pass the record's EncryptionContext");
  }
  if (!envelope.bound && state.options.requireContext) {
    if (context == nullptr) {
      throw EnvelopeError(ErrorCode::kContextRequiredByKeyring,
                          "envelope: context required by this keyring (requireContext / "
                          "CONNECTOR_CRED_REQUIRE_CONTEXT=1): the envelope is unbound and no "
                          "context was given");
    }
    throw EnvelopeError(ErrorCode::kUnboundRefused,
                        "envelope: unbound envelope refused: this keyring requires bound "
                        "envelopes (requireContext / CONNECTOR_CRED_REQUIRE_CONTEXT=1)");
  }
}

// Row 6: a bound envelope opens only under a context of its names.
void checkNames(const ParsedEnvelope& envelope, const EncryptionContext* context) {
  if (envelope.bound && !sameNames(*envelope.names, *context)) {
    throw EnvelopeError(ErrorCode::kContextMismatch,
                        "envelope: context names differ: the envelope is bound to " +
                            nameList(*envelope.names) + ", the caller gave " + nameList(*context));
  }
}

}  // namespace

const KeyEntry& admitOpening(const ParsedEnvelope& envelope, const KeyringState& state,
                             const EncryptionContext* context) {
  checkBinding(envelope, state, context);
  const KeyEntry* entry = state.find(envelope.kid);
  if (entry == nullptr) {
    // A kid from the database is echoed only when it is a well-formed kid.
    throw UnknownKidError(echoableKid(envelope.kid)
                              ? "envelope: \"kid\" \"" + std::string(envelope.kid) +
                                    "\" is not in the keyring"
                              : std::string("envelope: \"kid\" is not a kid in the keyring"));
  }
  checkNames(envelope, context);
  return *entry;
}

std::size_t openInPlace(ParsedEnvelope& envelope, const KeyEntry& entry,
                        const EncryptionContext* context) {
  // The AAD comes from the caller's context, never from the stored "ctx" (only its names were
  // compared); an unbound envelope has none, whatever the caller gives.
  const std::string aad = envelope.bound ? contextAad(envelope.kid, *context) : std::string();
  std::uint8_t* plaintext = envelope.sealed.data();
  const bool authentic = entry.withCipher([&](Aes256Gcm& cipher) {
    return cipher.open({envelope.iv.data(), envelope.iv.size()},
                       {reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size()},
                       {envelope.sealed.data(), envelope.sealedSize}, plaintext);
  });
  if (!authentic) {
    throw DecryptError(ErrorCode::kAuthentication,
                       "envelope: authentication failed under " + kidInMessage(entry.kid()) +
                           " (wrong key, \"iv\"/\"ct\"/\"ctx\" modified, or the envelope "
                           "belongs to another record)");
  }
  return envelope.sealedSize - kTagBytes;
}

std::size_t openText(ParsedEnvelope& envelope, const KeyringState& state,
                     const EncryptionContext* context) {
  const KeyEntry& entry = admitOpening(envelope, state, context);
  const std::size_t size = openInPlace(envelope, entry, context);
  const std::string_view plaintext(reinterpret_cast<const char*>(envelope.sealed.data()), size);
  if (scanJsonTextPadded(plaintext, false, nullptr) != JsonTextVerdict::ok) {
    throwPlaintextNotJson();
  }
  entry.countDecryption(envelope.bound);
  return size;
}

bool needsReseal(const ParsedEnvelope& envelope, const KeyringState& state,
                 const EncryptionContext* context) {
  admitOpening(envelope, state, context);
  const bool bind = !envelope.bound && context != nullptr && state.options.bindContext;
  return bind || envelope.kid != state.active->kid();
}

const EncryptionContext* writeContext(const char* operation, const KeyringState& state,
                                      const EncryptionContext* context) {
  if (!state.options.bindContext) return nullptr;
  if (context == nullptr) {
    throw Error(ErrorCode::kContextRequired,
                std::string(operation) +
                    ": context required: this keyring binds envelopes to their records "
                    "(bindContext / CONNECTOR_CRED_BIND_CONTEXT=1); pass the record's "
                    "EncryptionContext");
  }
  return context;
}

void checkSealable(std::size_t size) {
  if (size > kMaxEnvelopeBytes / 4 * 3 - kTagBytes) {
    throw Error(ErrorCode::kTooLarge,
                "credentials: the serialized value is larger than the 16 MiB envelope limit");
  }
}

SealedMembers sealBytes(const std::uint8_t* plaintext, std::size_t size, const KeyringState& state,
                        const EncryptionContext* boundTo) {
  const KeyEntry& entry = *state.active;
  checkSealable(size);
  const std::string aad = boundTo != nullptr ? contextAad(entry.kid(), *boundTo) : std::string();
  std::array<std::uint8_t, kIvBytes> iv{};
  fillRandom(iv.data(), iv.size());
  std::vector<std::uint8_t> sealed(size + kTagBytes);
  entry.withCipher([&](Aes256Gcm& cipher) {
    cipher.seal({iv.data(), iv.size()},
                {reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size()}, {plaintext, size},
                sealed.data());
  });
  SealedMembers out;
  out.kid = entry.kid();
  out.iv = base64EncodeFast(iv.data(), iv.size());
  out.ct = base64EncodeFast(sealed.data(), sealed.size());
  out.context = boundTo;
  entry.countEncryption();
  return out;
}

std::string envelopeText(const SealedMembers& members) {
  // A kid is printable ASCII, but may hold '"' or '\\': escaped as the serializer does.
  std::size_t kidSize = 0;
  core::measureString(members.kid, kidSize);
  std::string kid(kidSize, '\0');
  core::writeString(members.kid, kid.data());
  std::string out;
  out.reserve(members.ct.size() + members.iv.size() + kid.size() + 32);
  out.append("{\"__enc\":1,\"kid\":").append(kid);
  out.append(",\"iv\":\"").append(members.iv);
  out.append("\",\"ct\":\"").append(members.ct).append("\"");
  if (members.context != nullptr) {
    // Context names are [A-Za-z0-9_.-]: nothing to escape.
    out.append(",\"ctx\":[");
    bool first = true;
    for (const auto& pair : members.context->pairs()) {
      out.append(first ? "\"" : ",\"").append(pair.first).append("\"");
      first = false;
    }
    out.append("]");
  }
  out.append("}");
  return out;
}

CredentialsInfo inspectEnvelope(const EnvelopeFields& fields) {
  CredentialsInfo info;
  try {
    const ParsedEnvelope envelope = parseEnvelope(fields, 0);
    info.kind = CredentialsInfo::Kind::kEnvelope;
    info.version = kEnvelopeVersion;
    info.kid = std::string(envelope.kid);
    info.bound = envelope.bound;
    for (std::size_t i = 0; envelope.bound && i < envelope.names->count; ++i) {
      info.contextNames.emplace_back(envelope.names->name(i));
    }
  } catch (const Error& e) {  // EnvelopeError, or UnknownKidError for a kid no keyring holds
    info.kind = CredentialsInfo::Kind::kMalformed;
    info.error = e.code();
    info.message = e.what();
  }
  return info;
}

void refusePlaintextIfStrict(const char* operation, const KeyringState& state) {
  if (!state.options.requireEncrypted) return;
  state.counters->plaintextRejected.fetch_add(1, std::memory_order_relaxed);
  throw PlaintextRejectedError(
      std::string(operation) +
      ": the stored value is plaintext, and this keyring requires "
      "encryption (requireEncrypted / CONNECTOR_CRED_REQUIRE_ENCRYPTED=1)");
}

void countPassthrough(const KeyringState& state) noexcept {
  state.counters->plaintextPassthroughs.fetch_add(1, std::memory_order_relaxed);
}

void countContextIgnored(const KeyringState& state, const EncryptionContext* context) noexcept {
  if (context != nullptr && !state.options.bindContext) {
    state.counters->contextIgnored.fetch_add(1, std::memory_order_relaxed);
  }
}

void throwPlaintextNotJson() {
  throw DecryptError(
      ErrorCode::kInvalidPlaintext,
      "envelope: the decrypted plaintext is not valid UTF-8 JSON (or nests deeper than 512 "
      "levels)");
}

// ---- the exported core (connector_crypto/detail/core.hpp) -------------------------------------

namespace core {

bool hasEnvelopeShape(const EnvelopeFields& fields) noexcept {
  using State = EnvelopeMember::State;
  return fields.encIsOne && fields.kid.state == State::string && fields.iv.state == State::string &&
         fields.ct.state == State::string && fields.ctx.state != EnvelopeNames::State::other;
}

SealedMembers seal(const char* operation, std::string_view json, const Keyring& keyring,
                   const EncryptionContext* context) {
  const KeyringState& state = KeyringAccess::state(keyring);
  SealedMembers sealed = sealBytes(reinterpret_cast<const std::uint8_t*>(json.data()), json.size(),
                                   state, writeContext(operation, state, context));
  countContextIgnored(state, context);
  return sealed;
}

void admitEnvelope(const char* operation, const EnvelopeFields& fields, const Keyring& keyring,
                   const EncryptionContext* context) {
  withKidRetry(keyring, [&](const KeyringState& state) {
    // Malformed first, as decrypt reads it (whatever the context), with decrypt's code.
    ParsedEnvelope envelope = [&] {
      try {
        return parseEnvelope(fields, kJsonParsePadding);
      } catch (const EnvelopeError& e) {
        throw EnvelopeError(e.code(), std::string(operation) + ": " + e.what() +
                                          "; the value carries \"__enc\" but is not a valid "
                                          "envelope, refusing to wrap it");
      } catch (const UnknownKidError& e) {
        throw UnknownKidError(std::string(operation) + ": " + e.what() +
                              "; refusing to wrap the value");
      }
    }();
    // Decrypt's context rules that need no key (with decrypt's codes), then the writer's own;
    // with a context, a bound envelope must open under it (its plaintext wiped with envelope).
    // An unbound envelope is never opened here: it comes back as it is, bound to nothing new.
    checkBinding(envelope, state, context);
    writeContext(operation, state, context);
    if (context == nullptr || !envelope.bound) return;
    openText(envelope, state, context);
  });
}

void open(const EnvelopeFields& fields, const Keyring& keyring, const EncryptionContext* context,
          JsonEvents& events) {
  withKidRetry(keyring, [&](const KeyringState& state) {
    ParsedEnvelope envelope = parseEnvelope(fields, kJsonParsePadding);
    const KeyEntry& entry = admitOpening(envelope, state, context);
    // Decrypted in place: the plaintext is followed by the tag and the padding the parser may read.
    const std::size_t size = openInPlace(envelope, entry, context);
    const std::string_view plaintext(reinterpret_cast<const char*>(envelope.sealed.data()), size);
    if (!parse(plaintext, true, events)) throwPlaintextNotJson();
    entry.countDecryption(envelope.bound);
  });
}

bool reseal(const EnvelopeFields& fields, const Keyring& keyring, const EncryptionContext* context,
            SealedMembers& out) {
  return withKidRetry(keyring, [&](const KeyringState& state) {
    // Decrypt's table first (malformed, the context rules, the kid), then the writer's own rule.
    ParsedEnvelope envelope = parseEnvelope(fields, kJsonParsePadding);
    const bool reseals = needsReseal(envelope, state, context);
    const EncryptionContext* bindTo = writeContext("rewrapCredentials", state, context);
    if (!envelope.bound) countContextIgnored(state, context);
    if (!reseals) return false;
    const std::size_t size = openText(envelope, state, context);
    // Never unbound: a bound envelope stays bound to the context it opened under.
    out = sealBytes(envelope.sealed.data(), size, state, envelope.bound ? context : bindTo);
    return true;
  });
}

bool needsRewrap(const EnvelopeFields& fields, const Keyring& keyring,
                 const EncryptionContext* context) {
  const KeyringState& state = KeyringAccess::state(keyring);
  const bool reseals = needsReseal(parseEnvelope(fields, 0), state, context);  // as reseal
  writeContext("needsRewrap", state, context);
  return reseals;
}

void admitWrite(const char* operation, const Keyring& keyring, const EncryptionContext* context,
                std::size_t size) {
  writeContext(operation, KeyringAccess::state(keyring), context);
  checkSealable(size);
}

void admitPlaintext(const char* operation, const Keyring& keyring) {
  refusePlaintextIfStrict(operation, KeyringAccess::state(keyring));
}

void countPassthrough(const Keyring& keyring) noexcept {
  detail::countPassthrough(KeyringAccess::state(keyring));
}

CredentialsInfo inspect(const EnvelopeFields& fields) { return inspectEnvelope(fields); }

void throwUnserializable(Unserializable why) {
  switch (why) {
    case Unserializable::tooDeep:
      throw Error(ErrorCode::kTooDeep, "credentials: the value nests arrays/objects deeper than " +
                                           std::to_string(kMaxJsonDepth) +
                                           " levels, the most decrypt reads");
    case Unserializable::badUtf8:
      break;
    case Unserializable::discarded:
      throw Error(
          ErrorCode::kNotSerializable,
          "credentials: a discarded value (what a failed nlohmann::json::parse returns) is not "
          "JSON; nothing was encrypted");
    case Unserializable::binary:
      throw Error(
          ErrorCode::kNotSerializable,
          "credentials: a binary value (nlohmann::json::binary) is not JSON; nothing was "
          "encrypted");
    case Unserializable::repeatedName:
      throw Error(ErrorCode::kInvalidText,
                  "credentials: an object repeats a member name (duplicate members are never "
                  "written; docs/FORMAT.md); nothing was encrypted");
    case Unserializable::nonFinite:
      throw Error(
          ErrorCode::kNotSerializable,
          "credentials: a number is NaN or infinite, which JSON cannot hold; nothing was "
          "encrypted");
  }
  throw Error(ErrorCode::kNotSerializable,
              "credentials: a string is not valid UTF-8; nothing was encrypted");
}

void throwEnvelopeRefused(const char* operation) {
  throw EnvelopeError(
      ErrorCode::kEnvelopeRefused,
      std::string(operation) + ": the value carries \"__enc\"; only plaintext is accepted here");
}

void throwInternal(const char* operation) {
  throw Error(ErrorCode::kInternal, std::string(operation) + ": internal error");
}

}  // namespace core

}  // namespace detail
}  // namespace connector_crypto
