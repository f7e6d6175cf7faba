// Bound envelopes (issue 11) for one basic_json type: every value-API function with an
// EncryptionContext under a bindContext keyring (encrypt, encryptPlain, decrypt, needsRewrap,
// rewrap), the "ctx" member's order and parent pointers, and each context error with its exact
// class and code. Every value the library builds is deep-copied (checkWhole).
#pragma once

#include <map>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "round_trip.hpp"
#include "support.hpp"

namespace consumer {

// Keyrings with the context switches: v1 alone, or v1 and v2 with v2 active.
inline cc::Keyring contextKeyring(bool withV2, bool bindContext, bool requireContext = false) {
  cc::KeyringOptions options;
  options.bindContext = bindContext;
  options.requireContext = requireContext;
  if (withV2) return cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v2", options);
  return cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", options);
}

// docs/FORMAT.md's recommended context for the connector `id` of `tenant` (ObjectId hex).
inline cc::EncryptionContext recordContext(const std::string& tenant, const std::string& id) {
  return {{"tenant", cc::typedObjectId(tenant)},
          {"collection", "connectorinstances"},
          {"field", "credentials"},
          {"id", cc::typedObjectId(id)}};
}
inline const std::string kTenantA = "6650f0c2a1b2c3d4e5f60718";
inline const std::string kIdA = "6650f0c2a1b2c3d4e5f60719";
inline const std::string kTenantB = "6650f0c2a1b2c3d4e5f6071a";
inline const std::string kIdB = "6650f0c2a1b2c3d4e5f6071b";
// The secret in kPlainText: no error message may hold it.
inline const std::string kSecret = "sk-live-consumer";

// A bound envelope of kPlainText, checked whole: members in the writer's order, "ctx" the sorted
// names, kid as expected.
template <typename BasicJson>
void checkBoundEnvelope(const BasicJson& envelope, const std::string& kid,
                        const std::string& what) {
  constexpr bool kOrdered = std::is_same_v<BasicJson, nlohmann::ordered_json>;
  checkWhole(envelope, what);
  check(cc::isEncrypted(envelope), what + ": isEncrypted");
  check(memberNames(envelope) == (kOrdered ? "__enc,kid,iv,ct,ctx" : "__enc,ct,ctx,iv,kid"),
        what + ": members " + memberNames(envelope));
  check(envelope.contains("ctx") &&
            envelope.at("ctx") == BasicJson::parse(R"(["collection","field","id","tenant"])"),
        what + ": ctx");
  check(envelope.contains("kid") && envelope.at("kid").template get<std::string>() == kid,
        what + ": kid");
}

template <typename BasicJson>
void boundRoundTrip(const std::string& type) {
  const cc::Keyring v1 = contextKeyring(false, false);
  const cc::Keyring bindV1 = contextKeyring(false, true);
  const cc::Keyring bindV1V2 = contextKeyring(true, true);
  const cc::Keyring requireV1 = contextKeyring(false, true, true);
  const cc::EncryptionContext a = recordContext(kTenantA, kIdA);
  // The same pairs through the std::map constructor (another order): the same context.
  const cc::EncryptionContext aFromMap(
      std::map<std::string, std::string>{{"tenant", cc::typedObjectId(kTenantA)},
                                         {"id", cc::typedObjectId(kIdA)},
                                         {"field", "credentials"},
                                         {"collection", "connectorinstances"}});
  check(a == aFromMap, type + ": a context from a std::map differs");
  const BasicJson plain = BasicJson::parse(kPlainText);

  // encryptCredentials and decryptCredentials with a context.
  const BasicJson envelope = cc::encryptCredentials(plain, bindV1, a);
  checkBoundEnvelope(envelope, "v1", type + " bound envelope");
  const cc::CredentialsInfo info = cc::inspectCredentials(envelope);
  check(info.kind == cc::CredentialsInfo::Kind::kEnvelope && info.bound &&
            info.contextNames == a.names(),
        type + ": inspect(bound envelope)");
  const BasicJson back = cc::decryptCredentials(envelope, bindV1, aFromMap);
  checkWhole(back, type + " bound decrypted");
  check(back == plain && back.dump() == plain.dump(), type + ": bound round trip: " + back.dump());
  const cc::SecretBuffer text = cc::decryptCredentialsText(envelope.dump(), v1, a);
  check(std::string(text.data(), text.size()) == plain.dump(), type + ": bound sealed bytes");
  check(cc::decryptCredentials(envelope, requireV1, a) == plain, type + ": requireContext reads");
  const BasicJson again = cc::encryptCredentials(envelope, bindV1, a);
  checkWhole(again, type + " bound envelope encrypted again");
  check(again == envelope, type + ": encrypt changed a bound envelope");

  // encryptPlainCredentials with a context.
  const BasicJson plainOnly = cc::encryptPlainCredentials(plain, bindV1, a);
  checkBoundEnvelope(plainOnly, "v1", type + " encryptPlainCredentials");
  check(cc::decryptCredentials(plainOnly, v1, a).dump() == plain.dump(),
        type + ": encryptPlainCredentials bound");

  // needsRewrap and rewrapCredentials: v1 to the active v2, still bound; then nothing to do.
  check(cc::needsRewrap(envelope, bindV1V2, a) && !cc::needsRewrap(envelope, bindV1, a),
        type + ": needsRewrap(bound)");
  const BasicJson fresh = cc::rewrapCredentials(envelope, bindV1V2, a);
  checkBoundEnvelope(fresh, "v2", type + " bound rewrapped");
  check(cc::decryptCredentials(fresh, bindV1V2, a).dump() == plain.dump(),
        type + ": bound rewrapped value");
  check(!cc::needsRewrap(fresh, bindV1V2, a), type + ": needsRewrap(bound rewrapped)");
  const BasicJson same = cc::rewrapCredentials(fresh, bindV1V2, a);
  checkWhole(same, type + " bound rewrap under the active kid");
  check(same == fresh, type + ": rewrap changed a bound envelope under the active kid");

  // Without bindContext a given context is accepted and an unbound envelope written; rewrap
  // under bindContext binds it, and binds plaintext.
  const BasicJson unbound = cc::encryptCredentials(plain, v1, a);
  checkWhole(unbound, type + " unbound envelope");
  check(!unbound.contains("ctx") && !cc::inspectCredentials(unbound).bound,
        type + ": a context without bindContext bound the envelope");
  check(cc::decryptCredentials(unbound, v1, a).dump() == plain.dump(),
        type + ": unbound envelope under a context (transition)");
  check(cc::needsRewrap(unbound, bindV1, a) && !cc::needsRewrap(unbound, v1, a),
        type + ": needsRewrap(unbound)");
  const BasicJson bound = cc::rewrapCredentials(unbound, bindV1, a);
  checkBoundEnvelope(bound, "v1", type + " bound by rewrap");
  check(cc::decryptCredentials(bound, v1, a).dump() == plain.dump(), type + ": bound by rewrap");
  check(cc::needsRewrap(plain, bindV1V2, a), type + ": needsRewrap(plain)");
  const BasicJson sealedPlain = cc::rewrapCredentials(plain, bindV1V2, a);
  checkBoundEnvelope(sealedPlain, "v2", type + " plaintext bound by rewrap");
  check(cc::decryptCredentials(sealedPlain, bindV1V2, a).dump() == plain.dump(),
        type + ": plaintext bound by rewrap");

  // null needs no context, and passes through with one.
  const BasicJson null;
  check(cc::encryptCredentials(null, bindV1).is_null() &&
            cc::encryptCredentials(null, bindV1, a).is_null() &&
            cc::encryptPlainCredentials(null, bindV1, a).is_null() &&
            cc::decryptCredentials(null, bindV1, a).is_null() &&
            cc::rewrapCredentials(null, bindV1V2, a).is_null() &&
            !cc::needsRewrap(null, bindV1V2, a),
        type + ": null with a context");
}

// A bound envelope whose "ctx" breaks a rule: EnvelopeError kEnvelopeContext from every reader,
// with the context or without; encrypt refuses it with the same code.
template <typename BasicJson>
void badCtx(const std::string& type, const BasicJson& envelope, const cc::EncryptionContext& a) {
  const cc::Keyring v1 = contextKeyring(false, false);
  const cc::Keyring bindV1 = contextKeyring(false, true);
  const cc::Keyring bindV1V2 = contextKeyring(true, true);
  BasicJson seventeen = BasicJson::array();
  for (int i = 10; i < 27; ++i) seventeen.push_back("n" + std::to_string(i));
  struct Case {
    const char* name;
    BasicJson ctx;
  };
  const Case cases[] = {
      {"[]", BasicJson::array()},
      {"null", BasicJson()},
      {"a string", BasicJson("tenant")},
      {"a number in it", BasicJson::array({1})},
      {"unsorted", BasicJson::array({"tenant", "collection", "field", "id"})},
      {"a repeated name", BasicJson::array({"collection", "collection", "field", "id"})},
      {"a bad name", BasicJson::array({"collection", "field", "id", "ten ant"})},
      {"17 names", seventeen},
  };
  const std::type_info& envelopeError = typeid(cc::EnvelopeError);
  for (const Case& c : cases) {
    const std::string what = type + " ctx " + c.name + ": ";
    BasicJson bad = envelope;
    bad["ctx"] = c.ctx;
    checkWhole(bad, what + "the edited envelope");
    const bool shaped = c.ctx.is_array() && (c.ctx.empty() || c.ctx.at(0).is_string());
    check(cc::isEncrypted(bad) == shaped, what + "isEncrypted");
    expectError(what + "decrypt", envelopeError, Code::kEnvelopeContext,
                [&] { cc::decryptCredentials(bad, v1, a); });
    expectError(what + "decrypt without a context", envelopeError, Code::kEnvelopeContext,
                [&] { cc::decryptCredentials(bad, v1); });
    expectError(what + "needsRewrap", envelopeError, Code::kEnvelopeContext,
                [&] { cc::needsRewrap(bad, bindV1V2, a); });
    expectError(what + "rewrap", envelopeError, Code::kEnvelopeContext,
                [&] { cc::rewrapCredentials(bad, bindV1V2, a); });
    expectError(what + "encrypt", envelopeError, Code::kEnvelopeContext,
                [&] { cc::encryptCredentials(bad, bindV1, a); });
    expectError(what + "encrypt without a context", envelopeError, Code::kEnvelopeContext,
                [&] { cc::encryptCredentials(bad, bindV1); });
    expectError(what + "encryptPlain", envelopeError, Code::kEnvelopeRefused,
                [&] { cc::encryptPlainCredentials(bad, bindV1, a); });
    const cc::CredentialsInfo info = cc::inspectCredentials(bad);
    check(
        info.kind == cc::CredentialsInfo::Kind::kMalformed && info.error == Code::kEnvelopeContext,
        what + "inspect");
  }
}

// Contexts that break a rule (Error kInvalidContext, never quoting the value or a bad name), and a
// requireContext keyring without bindContext (KeyringError).
inline void invalidContexts() {
  using Pairs = std::vector<cc::EncryptionContext::Pair>;
  const std::string longValue = "sk_live" + std::string(cc::kMaxContextValueBytes, 'v');
  Pairs seventeen;
  for (int i = 10; i < 27; ++i) seventeen.emplace_back("n" + std::to_string(i), "v");
  const std::pair<const char*, Pairs> cases[] = {
      {"no pair", Pairs{}},
      {"17 pairs", seventeen},
      {"a bad name", Pairs{{"sk_live name", "v"}}},
      {"a 65-character name", Pairs{{std::string(65, 'n'), "v"}}},
      {"a repeated name", Pairs{{"id", "sk_live one"}, {"id", "sk_live two"}}},
      {"an empty value", Pairs{{"id", ""}}},
      {"a value over 4096 bytes", Pairs{{"id", longValue}}},
      {"a NUL in a value", Pairs{{"id", std::string("sk_live\0value", 13)}}},
      {"invalid UTF-8 in a value", Pairs{{"id", "sk_live\xff value"}}},
  };
  const std::type_info& error = typeid(cc::Error);
  for (const auto& c : cases) {
    const Pairs& pairs = c.second;
    expectErrorHiding(std::string("context with ") + c.first, error, Code::kInvalidContext,
                      "sk_live", [&] { (void)cc::EncryptionContext(pairs); });
  }
  expectError("context from a std::map with a bad name", error, Code::kInvalidContext, [] {
    (void)cc::EncryptionContext(std::map<std::string, std::string>{{"a b", "v"}});
  });
  expectError("typedObjectId of 23 hex digits", error, Code::kInvalidContext,
              [] { (void)cc::typedObjectId("6650f0c2a1b2c3d4e5f6071"); });
  expectError("typedObjectId of a non-hex digit", error, Code::kInvalidContext,
              [] { (void)cc::typedObjectId("6650f0c2a1b2c3d4e5f6071g"); });
  expectError("requireContext without bindContext", typeid(cc::KeyringError), Code::kConfiguration,
              [] { (void)contextKeyring(false, false, true); });
}

// Every context error path of the value API for one basic_json type.
template <typename BasicJson>
void boundErrorPaths(const std::string& type) {
  const cc::Keyring v1 = contextKeyring(false, false);
  const cc::Keyring bindV1 = contextKeyring(false, true);
  const cc::Keyring bindV1V2 = contextKeyring(true, true);
  const cc::Keyring requireV1 = contextKeyring(false, true, true);
  const cc::EncryptionContext a = recordContext(kTenantA, kIdA);
  const cc::EncryptionContext b = recordContext(kTenantB, kIdB);
  const cc::EncryptionContext fewerNames{{"tenant", cc::typedObjectId(kTenantA)},
                                         {"id", cc::typedObjectId(kIdA)}};
  const BasicJson plain = BasicJson::parse(kPlainText);
  const BasicJson envelope = cc::encryptCredentials(plain, bindV1, a);
  const BasicJson unbound = cc::encryptCredentials(plain, v1);
  const std::type_info& error = typeid(cc::Error);
  const std::type_info& envelopeError = typeid(cc::EnvelopeError);
  const std::type_info& decryptError = typeid(cc::DecryptError);

  // A bound envelope without a context, and a write under bindContext without one.
  std::string what = type + " no context: ";
  expectErrorHiding(what + "decrypt", error, Code::kContextRequired, kSecret,
                    [&] { cc::decryptCredentials(envelope, v1); });
  expectError(what + "needsRewrap", error, Code::kContextRequired,
              [&] { cc::needsRewrap(envelope, bindV1V2); });
  expectError(what + "rewrap", error, Code::kContextRequired,
              [&] { cc::rewrapCredentials(envelope, bindV1V2); });
  expectErrorHiding(what + "encrypt under bindContext", error, Code::kContextRequired, kSecret,
                    [&] { cc::encryptCredentials(plain, bindV1); });
  expectError(what + "encrypt of an envelope under bindContext", error, Code::kContextRequired,
              [&] { cc::encryptCredentials(unbound, bindV1); });
  expectErrorHiding(what + "encryptPlain under bindContext", error, Code::kContextRequired, kSecret,
                    [&] { cc::encryptPlainCredentials(plain, bindV1); });
  expectErrorHiding(what + "rewrap of plaintext under bindContext", error, Code::kContextRequired,
                    kSecret, [&] { cc::rewrapCredentials(plain, bindV1V2); });

  // Names other than the envelope's "ctx".
  what = type + " other names: ";
  expectError(what + "decrypt", envelopeError, Code::kContextMismatch,
              [&] { cc::decryptCredentials(envelope, v1, fewerNames); });
  expectError(what + "needsRewrap", envelopeError, Code::kContextMismatch,
              [&] { cc::needsRewrap(envelope, bindV1V2, fewerNames); });
  expectError(what + "rewrap", envelopeError, Code::kContextMismatch,
              [&] { cc::rewrapCredentials(envelope, bindV1V2, fewerNames); });
  expectError(what + "encrypt", envelopeError, Code::kContextMismatch,
              [&] { cc::encryptCredentials(envelope, bindV1, fewerNames); });

  // The swap: A's envelope under B's context (same names, other values); ctx stripped or added.
  what = type + " swap: ";
  expectErrorHiding(what + "decrypt", decryptError, Code::kAuthentication, kSecret,
                    [&] { cc::decryptCredentials(envelope, v1, b); });
  expectErrorHiding(what + "rewrap", decryptError, Code::kAuthentication, kSecret,
                    [&] { cc::rewrapCredentials(envelope, bindV1V2, b); });
  expectErrorHiding(what + "encrypt", decryptError, Code::kAuthentication, kSecret,
                    [&] { cc::encryptCredentials(envelope, bindV1, b); });
  check(cc::needsRewrap(envelope, bindV1V2, b), what + "needsRewrap decrypts nothing");
  BasicJson stripped = envelope;
  stripped.erase("ctx");
  checkWhole(stripped, type + " ctx stripped");
  expectError(type + " ctx stripped: decrypt", decryptError, Code::kAuthentication,
              [&] { cc::decryptCredentials(stripped, v1, a); });
  BasicJson added = unbound;
  added["ctx"] = envelope.at("ctx");
  checkWhole(added, type + " ctx added");
  expectError(type + " ctx added: decrypt", decryptError, Code::kAuthentication,
              [&] { cc::decryptCredentials(added, v1, a); });

  // requireContext refuses unbound envelopes, with a context or without.
  expectError(type + " requireContext: decrypt", envelopeError, Code::kContextRequiredByKeyring,
              [&] { cc::decryptCredentials(unbound, requireV1); });
  expectError(type + " requireContext: decrypt with a context", envelopeError,
              Code::kUnboundRefused, [&] { cc::decryptCredentials(unbound, requireV1, a); });

  badCtx(type, envelope, a);
}

template <typename BasicJson>
void bound(const std::string& type) {
  boundRoundTrip<BasicJson>(type);
  boundErrorPaths<BasicJson>(type);
}

}  // namespace consumer
