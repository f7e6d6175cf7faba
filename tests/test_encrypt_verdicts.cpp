// Encrypt's answer is decrypt's (issue 21, items 4-7): encrypt returns an existing envelope only
// when decrypt would get as far as the key, with decrypt's error otherwise; a kid that breaks the
// kid rule has one verdict everywhere; needsRewrap agrees with rewrapCredentials; no writer of the
// value API writes a repeated member name.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "bound_support.hpp"

using namespace test_support;
using bound_support::classOf;
using bound_support::recordContext;
namespace cc = connector_crypto;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

// "ok", or "<class>:<code name>" of what fn threw.
template <typename Fn>
std::string outcome(Fn&& fn) {
  try {
    fn();
    return "ok";
  } catch (const cc::Error& e) {
    return classOf(e) + ":" + cc::errorCodeName(e.code());
  }
}

// inspect's verdict of stored, as outcome() writes a refusal ("envelope" otherwise).
std::string inspectVerdict(const cc::CredentialsInfo& info) {
  if (info.kind != cc::CredentialsInfo::Kind::kMalformed) return "envelope";
  return std::string("malformed:") + cc::errorCodeName(info.error);
}

const cc::EncryptionContext& contextA() {
  static const cc::EncryptionContext c =
      recordContext(bound_support::kTenantA, bound_support::kIdA);
  return c;
}

// Every writer and reader of the library on one stored value (with context when given): the
// verdict of each, by name. Encrypt and rewrap must not only not throw but return stored unchanged
// to count as "unchanged"; a rewrap that re-seals is "resealed".
std::map<std::string, std::string> verdicts(const json& stored, const cc::Keyring& k,
                                            const cc::EncryptionContext* context) {
  std::map<std::string, std::string> out;
  const ojson ordered = ojson::parse(stored.dump());
  const std::string text = stored.dump();
  const auto sameOr = [](bool same, const char* otherwise) {
    return same ? std::string("unchanged") : std::string(otherwise);
  };
  const auto run = [&](const char* name, auto&& fn) {
    std::string result;
    const std::string o = outcome([&] { result = fn(); });
    out[name] = o == "ok" ? result : o;
  };
  run("decrypt", [&] {
    if (context)
      cc::decryptCredentials(stored, k, *context);
    else
      cc::decryptCredentials(stored, k);
    return std::string("opens");
  });
  run("decrypt ordered_json", [&] {
    if (context)
      cc::decryptCredentials(ordered, k, *context);
    else
      cc::decryptCredentials(ordered, k);
    return std::string("opens");
  });
  run("decrypt text", [&] {
    if (context)
      cc::decryptCredentialsText(text, k, *context);
    else
      cc::decryptCredentialsText(text, k);
    return std::string("opens");
  });
  run("encrypt", [&] {
    const json e =
        context ? cc::encryptCredentials(stored, k, *context) : cc::encryptCredentials(stored, k);
    return sameOr(e == stored, "changed");
  });
  run("encrypt ordered_json", [&] {
    const ojson e =
        context ? cc::encryptCredentials(ordered, k, *context) : cc::encryptCredentials(ordered, k);
    return sameOr(e == ordered, "changed");
  });
  run("encrypt text", [&] {
    const std::string e = context ? cc::encryptCredentialsText(text, k, *context)
                                  : cc::encryptCredentialsText(text, k);
    return sameOr(e == text, "changed");
  });
  run("rewrap", [&] {
    const json e =
        context ? cc::rewrapCredentials(stored, k, *context) : cc::rewrapCredentials(stored, k);
    return sameOr(e == stored, "resealed");
  });
  run("rewrap text", [&] {
    const std::string e =
        context ? cc::rewrapCredentialsText(text, k, *context) : cc::rewrapCredentialsText(text, k);
    return sameOr(e == text, "resealed");
  });
  run("needsRewrap", [&] {
    const bool n = context ? cc::needsRewrap(stored, k, *context) : cc::needsRewrap(stored, k);
    return std::string(n ? "resealed" : "unchanged");
  });
  run("needsRewrap ordered_json", [&] {
    const bool n = context ? cc::needsRewrap(ordered, k, *context) : cc::needsRewrap(ordered, k);
    return std::string(n ? "resealed" : "unchanged");
  });
  out["inspect"] = inspectVerdict(cc::inspectCredentials(stored));
  out["inspect text"] = inspectVerdict(cc::inspectCredentialsText(text));
  return out;
}

// Requires every verdict of stored to be refusal ("<class>:<code>"), inspect's "malformed:<code>",
// under each keyring switch and with and without a context.
void requireOneRefusal(const json& stored, const std::string& refusal) {
  const std::string code = refusal.substr(refusal.find(':') + 1);
  for (const bool bind : {false, true}) {
    for (const bool require : {false, bind}) {  // requireContext needs bindContext
      const cc::Keyring k = bound_support::keyring(bind, require);
      for (const cc::EncryptionContext* context :
           {static_cast<const cc::EncryptionContext*>(nullptr), &contextA()}) {
        INFO("bindContext " << bind << ", requireContext " << require << ", context "
                            << (context != nullptr));
        for (const auto& [name, verdict] : verdicts(stored, k, context)) {
          INFO(name);
          CHECK(verdict == (name.rfind("inspect", 0) == 0 ? "malformed:" + code : refusal));
        }
      }
    }
  }
}

json oauth() { return {{"type", "oauth2"}, {"access_token", "ya29.secret"}, {"n", 7}}; }

}  // namespace

TEST_CASE("item 4: encrypt refuses every envelope decrypt refuses before it needs a key") {
  const cc::Keyring v1 = keyringV1();
  const json e = cc::encryptCredentials(oauth(), v1);
  const json bound = cc::encryptCredentials(oauth(), bound_support::keyring(true), contextA());
  REQUIRE(bound.contains("ctx"));
  const auto with = [&](const json& base, const char* member, json value) {
    json v = base;
    v[member] = std::move(value);
    return v;
  };
  SECTION("the issue's envelope: empty iv and ct") {
    const json v = json::parse(R"({"__enc":1,"kid":"v1","iv":"","ct":""})");
    requireOneRefusal(v, "EnvelopeError:kEnvelopeIvSize");
    CHECK(messageOf<cc::EnvelopeError>([&] { cc::encryptCredentials(v, v1); }) ==
          "encryptCredentials: envelope: \"iv\" must be standard base64 of 12 bytes (16 "
          "characters); the value carries \"__enc\" but is not a valid envelope, refusing to wrap "
          "it");
    CHECK(messageOf<cc::EnvelopeError>([&] { cc::encryptCredentialsText(v.dump(), v1); }) ==
          "encryptCredentialsText: envelope: \"iv\" must be standard base64 of 12 bytes (16 "
          "characters); the value carries \"__enc\" but is not a valid envelope, refusing to wrap "
          "it");
  }
  SECTION("iv and ct that are not base64, or of the wrong length") {
    requireOneRefusal(with(e, "iv", "AAAAAAAAAAAAAAA-"), "EnvelopeError:kEnvelopeBase64");
    requireOneRefusal(with(e, "iv", "AAAAAAAAAAA="), "EnvelopeError:kEnvelopeIvSize");
    requireOneRefusal(with(e, "ct", "!!!!" + e.at("ct").get<std::string>()),
                      "EnvelopeError:kEnvelopeBase64");
    requireOneRefusal(with(e, "ct", e.at("ct").get<std::string>() + "A"),
                      "EnvelopeError:kEnvelopeBase64");
    requireOneRefusal(with(e, "ct", "AAAAAAAAAAAAAAAAAAAA"), "EnvelopeError:kEnvelopeCtSize");
    requireOneRefusal(with(bound, "iv", ""), "EnvelopeError:kEnvelopeIvSize");
  }
  SECTION("ct over the 16 MiB limit") {
    const json v = with(e, "ct", std::string(cc::kMaxEnvelopeBytes + 4, 'A'));
    const cc::Keyring k = bound_support::keyring(true);
    for (const auto& [name, verdict] : verdicts(v, k, nullptr)) {
      INFO(name);
      CHECK(verdict == (name.rfind("inspect", 0) == 0 ? "malformed:kEnvelopeCtSize"
                                                      : "EnvelopeError:kEnvelopeCtSize"));
    }
  }
  SECTION("a ctx that is not 1 to 16 sorted, unique names") {
    json seventeen = json::array();
    for (char c = 'a'; c < 'a' + 17; ++c) seventeen.push_back(std::string(1, c));
    for (const json& ctx : {json::array(), json{"tenant", "id"}, json{"id", "id"}, seventeen,
                            json(nullptr), json("id"), json{1}}) {
      INFO("ctx " << ctx.dump());
      requireOneRefusal(with(e, "ctx", ctx), "EnvelopeError:kEnvelopeContext");
      requireOneRefusal(with(bound, "ctx", ctx), "EnvelopeError:kEnvelopeContext");
    }
  }
  SECTION("__enc, kid, iv, ct of the wrong type or missing") {
    requireOneRefusal(with(e, "__enc", 2), "EnvelopeError:kEnvelopeBadVersion");
    requireOneRefusal(with(e, "__enc", "1"), "EnvelopeError:kEnvelopeBadVersion");
    requireOneRefusal(with(e, "kid", 1), "EnvelopeError:kEnvelopeType");
    json missing = e;
    missing.erase("ct");
    requireOneRefusal(missing, "EnvelopeError:kEnvelopeMissing");
  }
}

TEST_CASE("item 4: under bindContext, malformed comes before context required") {
  const cc::Keyring bind = bound_support::keyring(true);
  const json e = cc::encryptCredentials(oauth(), keyringV1());
  json malformed = e;
  malformed["iv"] = "";
  // Malformed first, whatever the switches: decrypt's own order (docs/FORMAT.md).
  CHECK(codeOf<cc::EnvelopeError>([&] { cc::encryptCredentials(malformed, bind); }) ==
        cc::ErrorCode::kEnvelopeIvSize);
  CHECK(codeOf<cc::EnvelopeError>([&] { cc::rewrapCredentials(malformed, bind); }) ==
        cc::ErrorCode::kEnvelopeIvSize);
  CHECK(codeOf<cc::EnvelopeError>([&] { cc::needsRewrap(malformed, bind); }) ==
        cc::ErrorCode::kEnvelopeIvSize);
  // A well-formed one then needs the context.
  CHECK(codeOf<cc::Error>([&] { cc::encryptCredentials(e, bind); }) ==
        cc::ErrorCode::kContextRequired);
  CHECK(codeOf<cc::Error>([&] { cc::rewrapCredentials(e, bind); }) ==
        cc::ErrorCode::kContextRequired);
  CHECK(codeOf<cc::Error>([&] { cc::needsRewrap(e, bind); }) == cc::ErrorCode::kContextRequired);
}

TEST_CASE("item 4: encrypt applies decrypt's context rules to an envelope without a context") {
  const json bound = cc::encryptCredentials(oauth(), bound_support::keyring(true), contextA());
  const json unbound = cc::encryptCredentials(oauth(), bound_support::keyring());
  SECTION("a bound envelope without a context: context required, as decrypt says") {
    const cc::Keyring k = bound_support::keyring();
    CHECK(codeOf<cc::Error>([&] { cc::decryptCredentials(bound, k); }) ==
          cc::ErrorCode::kContextRequired);
    CHECK(codeOf<cc::Error>([&] { cc::encryptCredentials(bound, k); }) ==
          cc::ErrorCode::kContextRequired);
    CHECK(codeOf<cc::Error>([&] { cc::encryptCredentialsText(bound.dump(), k); }) ==
          cc::ErrorCode::kContextRequired);
    CHECK(cc::encryptCredentials(bound, k, contextA()) == bound);
  }
  SECTION("an unbound envelope under requireContext, without a context: decrypt's code") {
    const cc::Keyring k = bound_support::keyring(true, true);
    CHECK(codeOf<cc::EnvelopeError>([&] { cc::decryptCredentials(unbound, k); }) ==
          cc::ErrorCode::kContextRequiredByKeyring);
    CHECK(codeOf<cc::EnvelopeError>([&] { cc::encryptCredentials(unbound, k); }) ==
          cc::ErrorCode::kContextRequiredByKeyring);
  }
  SECTION("an unbound envelope with a context comes back unchanged, never opened nor bound") {
    json other = unbound;
    other["kid"] = "v9";  // no key for it: encrypt does not need one
    CHECK(cc::encryptCredentials(other, bound_support::keyring(true), contextA()) == other);
    CHECK(cc::encryptCredentials(other, bound_support::keyring()) == other);
  }
}

TEST_CASE("item 5: a kid that breaks the kid rule has one verdict everywhere") {
  const cc::Keyring v1 = keyringV1();
  const json e = cc::encryptCredentials(oauth(), v1);
  const json bound = cc::encryptCredentials(oauth(), bound_support::keyring(true), contextA());
  const std::string message =
      "envelope: \"kid\" is not a valid kid (1 to 64 printable ASCII characters without spaces, "
      "never a key), so no keyring holds it";
  for (const std::string& kid : {std::string(""), std::string(65, 'k'), std::string("v 1"),
                                 std::string("v\xc3\xa9"), std::string("v\x01"), kKeyA}) {
    INFO("kid " << json(kid).dump());
    for (const json& base : {e, bound}) {
      json v = base;
      v["kid"] = kid;
      requireOneRefusal(v, "UnknownKidError:kUnknownKid");
      CHECK(messageOf<cc::UnknownKidError>([&] { cc::decryptCredentials(v, v1); }) == message);
      CHECK(cc::inspectCredentials(v).message == message);
      CHECK(messageOf<cc::UnknownKidError>([&] { cc::encryptCredentials(v, v1); }) ==
            "encryptCredentials: " + message + "; refusing to wrap the value");
    }
  }
  SECTION("a valid kid that the keyring lacks: unknown to decrypt, no verdict without a key") {
    json v = e;
    v["kid"] = "v9";
    CHECK(cc::inspectCredentials(v).kind == cc::CredentialsInfo::Kind::kEnvelope);
    CHECK(cc::encryptCredentials(v, v1) == v);
    CHECK(messageOf<cc::UnknownKidError>([&] { cc::decryptCredentials(v, v1); }) ==
          "envelope: \"kid\" \"v9\" is not in the keyring");
    CHECK(messageOf<cc::UnknownKidError>([&] { cc::needsRewrap(v, v1); }) ==
          "envelope: \"kid\" \"v9\" is not in the keyring");
    CHECK(messageOf<cc::UnknownKidError>([&] { cc::rewrapCredentials(v, v1); }) ==
          "envelope: \"kid\" \"v9\" is not in the keyring");
  }
}

TEST_CASE("item 6: needsRewrap throws exactly what rewrapCredentials throws without a key") {
  const cc::Keyring k = keyringV1();
  const auto requireSame = [&](const auto& stored, cc::ErrorCode code) {
    CHECK(codeOf<cc::Error>([&] { cc::needsRewrap(stored, k); }) == code);
    CHECK(codeOf<cc::Error>([&] { cc::rewrapCredentials(stored, k); }) == code);
  };
  SECTION("an active-kid envelope with a member nested deeper than 512") {
    json v = cc::encryptCredentials(oauth(), k);
    v["extra"] = nestedArrays(600);
    requireSame(v, cc::ErrorCode::kTooDeep);
    v["extra"] = nestedArrays(511);  // 512 levels with the envelope's own
    CHECK_FALSE(cc::needsRewrap(v, k));
    CHECK(cc::rewrapCredentials(v, k) == v);
  }
  SECTION("plaintext holding NaN, a binary value, invalid UTF-8") {
    requireSame(json{{"x", std::nan("")}}, cc::ErrorCode::kNotSerializable);
    requireSame(json{{"x", json::binary({1, 2, 3})}}, cc::ErrorCode::kNotSerializable);
    requireSame(json{{"x", "secret\xff"}}, cc::ErrorCode::kNotSerializable);
    requireSame(ojson{{"x", "secret\xff"}}, cc::ErrorCode::kNotSerializable);
  }
  SECTION("plaintext over the writer's limit") {
    requireSame(json(std::string(cc::kMaxEnvelopeBytes / 4 * 3, 'a')), cc::ErrorCode::kTooLarge);
  }
  SECTION("in rewrap's order under bindContext without a context: the value first") {
    const cc::Keyring bind = bound_support::keyring(true);
    const json nan = {{"x", std::nan("")}};
    CHECK(codeOf<cc::Error>([&] { cc::needsRewrap(nan, bind); }) ==
          cc::ErrorCode::kNotSerializable);
    CHECK(codeOf<cc::Error>([&] { cc::rewrapCredentials(nan, bind); }) ==
          cc::ErrorCode::kNotSerializable);
    CHECK(codeOf<cc::Error>([&] { cc::needsRewrap(oauth(), bind); }) ==
          cc::ErrorCode::kContextRequired);
  }
}

TEST_CASE("item 7: an ordered_json object that repeats a member name is never sealed") {
  const cc::Keyring k = keyringV1();
  const std::string message =
      "credentials: an object repeats a member name (duplicate members are never written; "
      "docs/FORMAT.md); nothing was encrypted";
  ojson plain = ojson::object();
  auto& members = plain.get_ref<ojson::object_t&>();
  members.emplace_back("password", "old");
  members.emplace_back("password", "new");
  REQUIRE(plain.size() == 2);
  SECTION("every writer refuses it with the text API's code") {
    CHECK(messageOf<cc::Error>([&] { cc::encryptCredentials(plain, k); }) == message);
    CHECK(codeOf<cc::Error>([&] { cc::encryptCredentials(plain, k); }) ==
          cc::ErrorCode::kInvalidText);
    CHECK(codeOf<cc::Error>([&] { cc::encryptPlainCredentials(plain, k); }) ==
          cc::ErrorCode::kInvalidText);
    CHECK(codeOf<cc::Error>([&] { cc::rewrapCredentials(plain, k); }) ==
          cc::ErrorCode::kInvalidText);
    CHECK(codeOf<cc::Error>([&] { cc::needsRewrap(plain, k); }) == cc::ErrorCode::kInvalidText);
    CHECK(codeOf<cc::Error>([&] {
            cc::encryptCredentialsText(R"({"password":"old","password":"new"})", k);
          }) == cc::ErrorCode::kInvalidText);
  }
  SECTION("at any depth, in small and large objects") {
    for (const int repeat : {-1, 3, 17}) {  // no repeat; a repeat in 5 members; in 41
      ojson inner = ojson::object();
      auto& m = inner.get_ref<ojson::object_t&>();
      const int count = repeat < 10 ? 4 : 40;
      for (int i = 0; i < count; ++i) m.emplace_back("k" + std::to_string(i), i);
      if (repeat >= 0) m.emplace_back("k" + std::to_string(repeat), 0);
      ojson outer = ojson::array();
      outer.push_back(ojson{{"a", std::move(inner)}});
      INFO("repeat " << repeat);
      if (repeat < 0) {
        CHECK(cc::decryptCredentials(cc::encryptCredentials(outer, k), k) == outer);
      } else {
        CHECK(codeOf<cc::Error>([&] { cc::encryptCredentials(outer, k); }) ==
              cc::ErrorCode::kInvalidText);
      }
    }
  }
  SECTION("an envelope carrying a repeated member is not written back either") {
    ojson e = cc::encryptCredentials(ojson::parse(oauth().dump()), k);
    e.get_ref<ojson::object_t&>().emplace_back("note", "a");
    e.get_ref<ojson::object_t&>().emplace_back("note", "b");
    CHECK(codeOf<cc::Error>([&] { cc::encryptCredentials(e, k); }) == cc::ErrorCode::kInvalidText);
    CHECK(codeOf<cc::Error>([&] { cc::encryptCredentialsText(e.dump(), k); }) ==
          cc::ErrorCode::kInvalidText);
  }
}

TEST_CASE("docs/FORMAT.md's answers: a null plaintext, __enc read as a double") {
  const cc::Keyring k = keyringV1();
  SECTION("an envelope whose plaintext is null decrypts to null, and is an envelope") {
    const json e = sealRaw(kKeyA, "v1", "null");
    CHECK(cc::decryptCredentials(e, k).is_null());
    CHECK(cc::decryptCredentials(ojson::parse(e.dump()), k).is_null());
    const cc::SecretBuffer text = cc::decryptCredentialsText(e.dump(), k);
    CHECK(std::string(text.data(), text.size()) == "null");
    CHECK(cc::encryptCredentials(e, k) == e);
    CHECK(cc::inspectCredentials(e).kind == cc::CredentialsInfo::Kind::kEnvelope);
  }
  SECTION("any spelling of __enc that reads as exactly 1 is version 1, in every reader") {
    const json e = cc::encryptCredentials(oauth(), k);
    std::string rest = e.dump();
    rest = rest.substr(rest.find(",\"ct\""));  // nlohmann::json sorts: __enc comes first
    for (const char* one : {"1", "1.0", "1e0", "0.99999999999999999", "10e-1"}) {
      const std::string text = std::string("{\"__enc\":") + one + rest;
      INFO(text.substr(0, 40));
      CHECK(cc::decryptCredentials(json::parse(text), k) == oauth());
      CHECK(cc::decryptCredentials(ojson::parse(text), k) == ojson::parse(oauth().dump()));
      const cc::SecretBuffer plain = cc::decryptCredentialsText(text, k);
      CHECK(json::parse(std::string(plain.data(), plain.size())) == oauth());
      CHECK(cc::encryptCredentialsText(text, k) == text);
    }
    for (const char* notOne : {"1.0000000000000002", "0.9999999999999999", "2", "-1"}) {
      const std::string text = std::string("{\"__enc\":") + notOne + rest;
      INFO(text.substr(0, 40));
      CHECK(codeOf<cc::EnvelopeError>([&] { cc::decryptCredentialsText(text, k); }) ==
            cc::ErrorCode::kEnvelopeBadVersion);
      CHECK(codeOf<cc::EnvelopeError>([&] { cc::decryptCredentials(json::parse(text), k); }) ==
            cc::ErrorCode::kEnvelopeBadVersion);
    }
  }
}
