// Every value-API function on well-formed input, for one basic_json type: parse, encrypt (both
// forms), isEncrypted, inspect, decrypt, rewrap, wipe, convertExtendedJson; results compared by
// value and member order.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "support.hpp"

namespace consumer {

// Plaintext with unsorted member names at every depth, and every JSON type.
inline const std::string kPlainText =
    R"({"zeta":{"inner":[1,-2,3.5,true,null,"x"],"deep":{"b":"B","a":"A"}},)"
    R"("alpha":"sk-live-consumer","mid":18446744073709551615,"empty":{},"list":[]})";

// A value the library built must be whole: a deep copy runs nlohmann's assert_invariant on every
// node (JSON_DIAGNOSTICS: each child's parent pointer), and with JSON_DIAGNOSTICS an exception
// names the JSON pointer found through those parent pointers.
template <typename BasicJson>
void checkWhole(const BasicJson& value, const std::string& what) {
  const BasicJson copy = value;  // NOLINT(performance-unnecessary-copy-initialization)
  check(copy == value, what + ": its copy differs");
#if JSON_DIAGNOSTICS
  const auto pathOf = [](const auto& fn) -> std::string {
    try {
      fn();
    } catch (const nlohmann::json::exception& e) {
      return e.what();
    }
    return "no exception";
  };
  if (value.is_object() && value.contains("zeta")) {
    const std::string m = pathOf([&] { (void)value.at("zeta").at("inner").at(99); });
    check(m.find("(/zeta/inner)") != std::string::npos, what + ": diagnostics path: " + m);
  }
  if (value.is_object() && value.contains("kid")) {
    const std::string m = pathOf([&] { (void)value.at("kid").at(0); });
    check(m.find("(/kid)") != std::string::npos, what + ": diagnostics path: " + m);
  }
  // A bound envelope's "ctx": the array's parent pointer, and its first name's.
  if (value.is_object() && value.contains("ctx") && value.at("ctx").is_array() &&
      !value.at("ctx").empty()) {
    const std::string m = pathOf([&] { (void)value.at("ctx").at(99); });
    check(m.find("(/ctx)") != std::string::npos, what + ": diagnostics path: " + m);
    const std::string first = pathOf([&] { (void)value.at("ctx").at(0).at(0); });
    check(first.find("(/ctx/0)") != std::string::npos, what + ": diagnostics path: " + first);
  }
#endif
}

template <typename BasicJson>
void roundTrip(const std::string& type, const cc::Keyring& v1, const cc::Keyring& v1v2) {
  constexpr bool kOrdered = std::is_same_v<BasicJson, nlohmann::ordered_json>;
  const std::string envelopeOrder = kOrdered ? "__enc,kid,iv,ct" : "__enc,ct,iv,kid";
  static_assert(
      std::is_same_v<decltype(cc::encryptCredentials(std::declval<const BasicJson&>(), v1)),
                     BasicJson>,
      "the result has the argument's type");

  // parseJsonText: the library's reader, as nlohmann's parser reads the same text.
  const std::optional<BasicJson> parsed = cc::parseJsonText<BasicJson>(kPlainText);
  check(parsed.has_value(), type + ": parseJsonText refused the plaintext");
  if (!parsed) return;
  const BasicJson& plain = *parsed;
  checkWhole(plain, type + " parseJsonText");
  check(plain == BasicJson::parse(kPlainText), type + ": parseJsonText differs from parse");
  check(plain.dump() == BasicJson::parse(kPlainText).dump(), type + ": parseJsonText's order");
  if (kOrdered) check(plain.dump() == kPlainText, type + ": ordered_json lost the member order");

  // encryptCredentials and decryptCredentials: the round trip, member order included.
  const BasicJson envelope = cc::encryptCredentials(plain, v1);
  checkWhole(envelope, type + " envelope");
  check(cc::isEncrypted(envelope), type + ": isEncrypted(envelope)");
  check(!cc::isEncrypted(plain), type + ": isEncrypted(plain)");
  check(memberNames(envelope) == envelopeOrder,
        type + ": envelope members " + memberNames(envelope));
  check(envelope.at("kid").template get<std::string>() == "v1", type + ": envelope kid");
  check(cc::encryptCredentials(envelope, v1) == envelope, type + ": encrypt is not idempotent");
  BasicJson back = cc::decryptCredentials(envelope, v1);
  checkWhole(back, type + " decrypted");
  check(back == plain && back.dump() == plain.dump(), type + ": round trip: " + back.dump());
  const cc::SecretBuffer text = cc::decryptCredentialsText(envelope.dump(), v1);
  check(std::string(text.data(), text.size()) == plain.dump(),
        type + ": sealed bytes are not dump()");

  // encryptPlainCredentials: plaintext only.
  const BasicJson plainOnly = cc::encryptPlainCredentials(plain, v1);
  checkWhole(plainOnly, type + " encryptPlainCredentials");
  check(cc::decryptCredentials(plainOnly, v1) == plain, type + ": encryptPlainCredentials");

  // inspectCredentials: without a key.
  const cc::CredentialsInfo info = cc::inspectCredentials(envelope);
  check(info.kind == cc::CredentialsInfo::Kind::kEnvelope && info.version == 1 && info.kid == "v1",
        type + ": inspect(envelope)");
  check(cc::inspectCredentials(plain).kind == cc::CredentialsInfo::Kind::kPlaintext,
        type + ": inspect(plain)");
  check(cc::inspectCredentials(BasicJson()).kind == cc::CredentialsInfo::Kind::kNull,
        type + ": inspect(null)");

  // needsRewrap and rewrapCredentials: v1 to the active v2, then nothing to do.
  check(cc::needsRewrap(envelope, v1v2) && !cc::needsRewrap(envelope, v1), type + ": needsRewrap");
  const BasicJson fresh = cc::rewrapCredentials(envelope, v1v2);
  checkWhole(fresh, type + " rewrapped");
  check(memberNames(fresh) == envelopeOrder, type + ": rewrapped members " + memberNames(fresh));
  check(fresh.at("kid").template get<std::string>() == "v2", type + ": rewrapped kid");
  check(!cc::needsRewrap(fresh, v1v2), type + ": needsRewrap(rewrapped)");
  check(cc::rewrapCredentials(fresh, v1v2) == fresh, type + ": rewrap under the active kid");
  check(cc::decryptCredentials(fresh, v1v2).dump() == plain.dump(), type + ": rewrapped value");
  check(cc::needsRewrap(plain, v1v2), type + ": needsRewrap(plain)");
  const BasicJson sealedPlain = cc::rewrapCredentials(plain, v1v2);
  check(cc::decryptCredentials(sealedPlain, v1v2).dump() == plain.dump(), type + ": rewrap(plain)");

  // null and legacy plaintext pass through.
  const BasicJson null;
  check(cc::encryptCredentials(null, v1).is_null() &&
            cc::encryptPlainCredentials(null, v1).is_null() &&
            cc::decryptCredentials(null, v1).is_null() &&
            cc::rewrapCredentials(null, v1).is_null() && !cc::needsRewrap(null, v1) &&
            !cc::isEncrypted(null),
        type + ": null");
  const BasicJson legacy = cc::decryptCredentials(plain, v1);
  check(legacy.dump() == plain.dump(), type + ": legacy plaintext passthrough");

  // wipeCredentials: every string and number overwritten, the value left null.
  cc::wipeCredentials(back);
  check(back.is_null(), type + ": wipeCredentials");
}

// convertExtendedJson: wrappers replaced in place (ordered_json: the document's order, array-index
// names moved first as JavaScript lists them), a bad wrapper refused.
template <typename BasicJson>
void extendedJson(const std::string& type) {
  BasicJson value = BasicJson::parse(
      R"({"z":{"$numberLong":"5"},"10":"ten","d":[{"$date":"2021-03-04T10:15:30Z"}],"2":{"b":1,"0":2},"a":"kept"})");
  cc::convertExtendedJson(value);
  checkWhole(value, type + " convertExtendedJson");
  const std::string expected =
      std::is_same_v<BasicJson, nlohmann::json>
          ? R"({"10":"ten","2":{"0":2,"b":1},"a":"kept","d":["2021-03-04T10:15:30.000Z"],"z":5})"
          : R"({"2":{"0":2,"b":1},"10":"ten","z":5,"d":["2021-03-04T10:15:30.000Z"],"a":"kept"})";
  check(value.dump() == expected, type + ": convertExtendedJson gave " + value.dump());
  BasicJson bad = BasicJson::parse(R"({"n":{"$numberLong":"five"}})");
  expectError(type + " convertExtendedJson", typeid(cc::Error), cc::ErrorCode::kExtendedJson,
              [&] { cc::convertExtendedJson(bad); });
}

}  // namespace consumer
