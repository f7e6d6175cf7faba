// Every value-API function on input it must refuse, for one basic_json type: each kind of malformed
// envelope, failed authentication, unknown kid, strict mode, plaintext that is not JSON, values
// that are not serializable, text that is not JSON. Each must be the documented
// connector_crypto::Error (class and code); no nlohmann exception may escape.
#pragma once

#include <cmath>
#include <string>
#include <typeinfo>
#include <utility>

#include "round_trip.hpp"
#include "support.hpp"

namespace consumer {

// Envelopes that carry "__enc" but break one rule: every function throws that rule's code.
template <typename BasicJson>
void malformedEnvelopes(const std::string& type, const BasicJson& envelope, const cc::Keyring& v1,
                        const cc::Keyring& v1v2) {
  struct Case {
    const char* name;
    Code code;
    void (*mutate)(BasicJson&);
  };
  const Case cases[] = {
      {"__enc 2", Code::kEnvelopeBadVersion, [](BasicJson& e) { e["__enc"] = 2; }},
      {"__enc a string", Code::kEnvelopeBadVersion, [](BasicJson& e) { e["__enc"] = "1"; }},
      {"no iv", Code::kEnvelopeMissing, [](BasicJson& e) { e.erase("iv"); }},
      {"kid a number", Code::kEnvelopeType, [](BasicJson& e) { e["kid"] = 7; }},
      {"ct an array", Code::kEnvelopeType, [](BasicJson& e) { e["ct"] = BasicJson::array(); }},
      {"iv not base64", Code::kEnvelopeBase64, [](BasicJson& e) { e["iv"] = "AAAAAAAA!!AAAAAA"; }},
      {"iv of 8 bytes", Code::kEnvelopeIvSize, [](BasicJson& e) { e["iv"] = "AAAAAAAAAAA="; }},
      {"ct shorter than the tag", Code::kEnvelopeCtSize, [](BasicJson& e) { e["ct"] = "AAAA"; }},
  };
  const std::type_info& envelopeError = typeid(cc::EnvelopeError);
  for (const Case& c : cases) {
    const std::string what = type + " " + c.name + ": ";
    BasicJson bad = envelope;
    c.mutate(bad);
    expectError(what + "decrypt", envelopeError, c.code, [&] { cc::decryptCredentials(bad, v1); });
    expectError(what + "needsRewrap", envelopeError, c.code, [&] { cc::needsRewrap(bad, v1v2); });
    expectError(what + "rewrap", envelopeError, c.code, [&] { cc::rewrapCredentials(bad, v1v2); });
    expectError(what + "encryptPlain", envelopeError, Code::kEnvelopeRefused,
                [&] { cc::encryptPlainCredentials(bad, v1); });
    // isEncrypted checks the shape only; encrypt refuses every malformed envelope with decrypt's
    // code, shaped or not.
    const bool shaped = c.code == Code::kEnvelopeBase64 || c.code == Code::kEnvelopeIvSize ||
                        c.code == Code::kEnvelopeCtSize;
    check(cc::isEncrypted(bad) == shaped, what + "isEncrypted");
    expectError(what + "encrypt", envelopeError, c.code, [&] { cc::encryptCredentials(bad, v1); });
    const cc::CredentialsInfo info = cc::inspectCredentials(bad);
    check(info.kind == cc::CredentialsInfo::Kind::kMalformed && info.error == c.code,
          what + "inspect");
  }
}

// Well-formed envelopes that do not open: a modified ct, a wrong key, an unknown kid.
template <typename BasicJson>
void unopenableEnvelopes(const std::string& type, const BasicJson& envelope, const cc::Keyring& v1,
                         const cc::Keyring& v1v2) {
  BasicJson tampered = envelope;
  std::string ct = tampered.at("ct").template get<std::string>();
  ct[0] = ct[0] == 'A' ? 'B' : 'A';
  tampered["ct"] = ct;
  const std::type_info& decryptError = typeid(cc::DecryptError);
  expectError(type + " tampered: decrypt", decryptError, Code::kAuthentication,
              [&] { cc::decryptCredentials(tampered, v1); });
  expectError(type + " tampered: rewrap", decryptError, Code::kAuthentication,
              [&] { cc::rewrapCredentials(tampered, v1v2); });
  check(!cc::needsRewrap(tampered, v1), type + " tampered: needsRewrap decrypts nothing");
  check(cc::inspectCredentials(tampered).kind == cc::CredentialsInfo::Kind::kEnvelope,
        type + " tampered: inspect checks no tag");
  const cc::Keyring wrongKey = cc::Keyring::fromBase64({{"v1", kKeyB}}, "v1");
  expectError(type + " wrong key: decrypt", decryptError, Code::kAuthentication,
              [&] { cc::decryptCredentials(envelope, wrongKey); });

  BasicJson unknown = envelope;
  unknown["kid"] = "v9";
  expectError(type + " unknown kid: decrypt", typeid(cc::UnknownKidError), Code::kUnknownKid,
              [&] { cc::decryptCredentials(unknown, v1); });
  expectError(type + " unknown kid: rewrap", typeid(cc::UnknownKidError), Code::kUnknownKid,
              [&] { cc::rewrapCredentials(unknown, v1v2); });
}

// Authentic plaintext that is not JSON: decrypt and rewrap refuse it (the partly built value is
// wiped and freed, under nlohmann's assertions).
template <typename BasicJson>
void plaintextNotJson(const std::string& type, const cc::Keyring& v1, const cc::Keyring& v1v2) {
  std::string deep(600, '[');
  deep.append(600, ']');
  for (const std::string& text :
       {std::string(R"({"a":[1,2,{"b":"c","d":)"), std::string("[\"\xff\"]"),
        std::string(R"({"a":{"b":[1]}} x)"), deep, std::string()}) {
    const BasicJson envelope = sealRaw<BasicJson>(kKeyA, "v1", text);
    const std::string what = type + " plaintext " + text.substr(0, 16) + ": ";
    expectError(what + "decrypt", typeid(cc::DecryptError), Code::kInvalidPlaintext,
                [&] { cc::decryptCredentials(envelope, v1); });
    expectError(what + "rewrap", typeid(cc::DecryptError), Code::kInvalidPlaintext,
                [&] { cc::rewrapCredentials(envelope, v1v2); });
  }
}

// Values encrypt must refuse (decrypt could not return them), and text that is not one JSON value.
template <typename BasicJson>
void unserializable(const std::string& type, const cc::Keyring& v1, const cc::Keyring& v1v2) {
  BasicJson nan = BasicJson::object();
  nan["n"] = std::nan("");
  BasicJson badUtf8 = BasicJson::array();
  badUtf8.push_back(std::string("\xff\xfe"));
  BasicJson deep = BasicJson::array();
  for (int i = 1; i < 600; ++i) {
    BasicJson outer = BasicJson::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  const std::pair<const char*, BasicJson> cases[] = {
      {"NaN", nan}, {"invalid UTF-8", badUtf8}, {"binary", BasicJson::binary({1, 2, 3})}};
  const std::type_info& error = typeid(cc::Error);
  for (const auto& c : cases) {
    const BasicJson& value = c.second;
    const std::string what = type + " " + c.first + ": ";
    expectError(what + "encrypt", error, Code::kNotSerializable,
                [&] { cc::encryptCredentials(value, v1); });
    expectError(what + "encryptPlain", error, Code::kNotSerializable,
                [&] { cc::encryptPlainCredentials(value, v1); });
    expectError(what + "rewrap", error, Code::kNotSerializable,
                [&] { cc::rewrapCredentials(value, v1v2); });
  }
  const std::string what = type + " 600 deep: ";
  expectError(what + "encrypt", error, Code::kTooDeep, [&] { cc::encryptCredentials(deep, v1); });
  expectError(what + "decrypt", error, Code::kTooDeep, [&] { cc::decryptCredentials(deep, v1); });
  expectError(what + "needsRewrap", error, Code::kTooDeep, [&] { cc::needsRewrap(deep, v1v2); });
  expectError(what + "rewrap", error, Code::kTooDeep, [&] { cc::rewrapCredentials(deep, v1v2); });
  check(cc::inspectCredentials(deep).kind == cc::CredentialsInfo::Kind::kPlaintext,
        what + "inspect");

  std::string deepText(600, '[');
  deepText.append(600, ']');
  for (const std::string& text : {std::string("{"), std::string("[1] x"), std::string(),
                                  std::string("\"\xff\""), std::string(R"({"a":1,})"), deepText}) {
    bool refused = false;
    try {
      refused = !cc::parseJsonText<BasicJson>(text).has_value();
    } catch (...) {
      check(false, type + " parseJsonText threw on " + text.substr(0, 16));
    }
    check(refused, type + " parseJsonText accepted " + text.substr(0, 16));
  }
}

// A strict keyring refuses non-null plaintext.
template <typename BasicJson>
void strictMode(const std::string& type) {
  const cc::Keyring strict =
      cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", cc::KeyringOptions{true});
  const BasicJson plain = BasicJson::parse(kPlainText);
  expectError(type + " strict: decrypt", typeid(cc::PlaintextRejectedError),
              Code::kPlaintextRejected, [&] { cc::decryptCredentials(plain, strict); });
  check(cc::decryptCredentials(BasicJson(), strict).is_null(), type + " strict: null");
}

template <typename BasicJson>
void errorPaths(const std::string& type, const cc::Keyring& v1, const cc::Keyring& v1v2) {
  const BasicJson envelope = cc::encryptCredentials(BasicJson::parse(kPlainText), v1);
  malformedEnvelopes(type, envelope, v1, v1v2);
  unopenableEnvelopes(type, envelope, v1, v1v2);
  plaintextNotJson<BasicJson>(type, v1, v1v2);
  unserializable<BasicJson>(type, v1, v1v2);
  strictMode<BasicJson>(type);
}

}  // namespace consumer
