// Bound envelopes (issue 11): encrypt, decrypt (the table of docs/FORMAT.md, row by row), rewrap,
// isEncrypted, inspect and the keyring switches, through the json and ordered_json adapters and the
// text API alike.
#include <string>
#include <vector>

#include "bound_support.hpp"

using namespace bound_support;
using test_support::messageOf;

namespace {

const json kPlain = {{"apiKey", "sk_live_51H8secretKEY"}, {"n", 7}};

std::string text(const cc::SecretBuffer& b) { return std::string(b.data(), b.size()); }

std::vector<std::string> namesOf(const json& envelope) {
  return envelope.at("ctx").get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("encrypt under bindContext writes a bound envelope that opens only under its context") {
  const auto k = keyring(true);
  const auto a = recordContext(kTenantA, kIdA);
  const json e = cc::encryptCredentials(kPlain, k, a);

  SECTION("members __enc, kid, iv, ct, then ctx: the sorted names, never the values") {
    CHECK(e.size() == 5);
    CHECK(e.at("kid") == "v2");
    CHECK(namesOf(e) == std::vector<std::string>{"collection", "field", "id", "tenant"});
    CHECK(e.dump().find(kTenantA) == std::string::npos);
    const ojson o = cc::encryptCredentials(ojson(kPlain), k, a);
    std::vector<std::string> order;
    for (const auto& kv : o.items()) order.push_back(kv.key());
    CHECK(order == std::vector<std::string>{"__enc", "kid", "iv", "ct", "ctx"});
    const std::string t = cc::encryptCredentialsText(kPlain.dump(), k, a);
    CHECK(t.rfind("{\"__enc\":1,\"kid\":\"v2\",\"iv\":\"", 0) == 0);
    CHECK(t.substr(t.size() - 45) == "\",\"ctx\":[\"collection\",\"field\",\"id\",\"tenant\"]}");
    CHECK(cc::isEncrypted(e));
    CHECK(cc::isEncrypted(o));
  }
  SECTION("opens under the same context, given in any order") {
    const cc::EncryptionContext reordered{{"id", cc::typedObjectId(kIdA)},
                                          {"field", "credentials"},
                                          {"collection", "connectorinstances"},
                                          {"tenant", cc::typedObjectId(kTenantA)}};
    CHECK(decryptVerdict(e.dump(), k, &a) == "ok:" + kPlain.dump());
    CHECK(decryptVerdict(e.dump(), k, &reordered) == "ok:" + kPlain.dump());
    CHECK(cc::decryptCredentials(e, k, a) == kPlain);
  }
  SECTION("the swap: another record's context fails the tag, saying why it may") {
    const auto b = recordContext(kTenantB, kIdB);
    const auto sameTenant = recordContext(kTenantA, kIdB);
    CHECK(decryptVerdict(e.dump(), k, &b) == "DecryptError:kAuthentication");
    CHECK(decryptVerdict(e.dump(), k, &sameTenant) == "DecryptError:kAuthentication");
    CHECK(messageOf<cc::DecryptError>([&] { cc::decryptCredentials(e, k, b); }) ==
          "envelope: authentication failed under kid \"v2\" (wrong key, \"iv\"/\"ct\"/\"ctx\" "
          "modified, or the envelope belongs to another record)");
  }
  SECTION("no context: context required, naming the envelope's names") {
    CHECK(decryptVerdict(e.dump(), k, nullptr) == "Error:kContextRequired");
    CHECK(messageOf<cc::Error>([&] { cc::decryptCredentials(e, k); }) ==
          "envelope: context required: the envelope is bound to the context names [collection, "
          "field, id, tenant]; pass the record's EncryptionContext");
  }
  SECTION("other names: EnvelopeError naming both lists") {
    const cc::EncryptionContext other{{"tenant", cc::typedObjectId(kTenantA)}, {"id", "x"}};
    CHECK(decryptVerdict(e.dump(), k, &other) == "EnvelopeError:kContextMismatch");
    CHECK(messageOf<cc::EnvelopeError>([&] { cc::decryptCredentials(e, k, other); }) ==
          "envelope: context names differ: the envelope is bound to [collection, field, id, "
          "tenant], the caller gave [id, tenant]");
  }
  SECTION("the kid is bound too: the same key under another kid fails the tag") {
    const auto v9 = cc::Keyring::fromBase64({{"v9", test_support::kKeyB}}, "v9");
    json renamed = e;
    renamed["kid"] = "v9";
    CHECK(decryptVerdict(renamed.dump(), v9, &a) == "DecryptError:kAuthentication");
  }
  SECTION("ctx stripped or added fails the tag; ctx edited is malformed or other names") {
    json stripped = e;
    stripped.erase("ctx");
    CHECK(decryptVerdict(stripped.dump(), k, &a) == "DecryptError:kAuthentication");
    CHECK(decryptVerdict(stripped.dump(), k, nullptr) == "DecryptError:kAuthentication");
    const json unbound = cc::encryptCredentials(kPlain, keyring(false), a);
    REQUIRE_FALSE(unbound.contains("ctx"));
    json added = unbound;
    added["ctx"] = a.names();
    CHECK(decryptVerdict(added.dump(), k, &a) == "DecryptError:kAuthentication");
    json edited = e;
    edited["ctx"] = {"collection", "field", "id"};
    CHECK(decryptVerdict(edited.dump(), k, &a) == "EnvelopeError:kContextMismatch");
    edited["ctx"] = {"tenant", "id", "field", "collection"};
    CHECK(decryptVerdict(edited.dump(), k, &a) == "EnvelopeError:kEnvelopeContext");
  }
}

TEST_CASE("decrypt: the table of docs/FORMAT.md, row by row") {
  const auto a = recordContext(kTenantA, kIdA);
  const std::string bound = cc::encryptCredentials(kPlain, keyring(true), a).dump();
  const std::string unbound = cc::encryptCredentials(kPlain, keyring()).dump();
  const std::string ok = "ok:" + kPlain.dump();
  const auto off = keyring(), require = keyring(true, true);

  SECTION("1. a malformed envelope (a bad ctx included), whatever else") {
    for (const json& ctx : {json::array(), json(nullptr), json("tenant"), json({{"a", 1}}),
                            json(3), json({"b", "a"}), json({"a", "a"}), json({"a:b"}), json({""}),
                            json({std::string(65, 'n')}), json::array({1})}) {
      json v = json::parse(bound);
      v["ctx"] = ctx;
      INFO("ctx " << ctx.dump());
      CHECK(decryptVerdict(v.dump(), off, &a) == "EnvelopeError:kEnvelopeContext");
      CHECK(decryptVerdict(v.dump(), require, nullptr) == "EnvelopeError:kEnvelopeContext");
    }
    json seventeen = json::parse(bound);
    seventeen["ctx"] = json::array();
    for (char c = 'a'; c <= 'q'; ++c) seventeen["ctx"].push_back(std::string(1, c));
    CHECK(decryptVerdict(seventeen.dump(), off, &a) == "EnvelopeError:kEnvelopeContext");
  }
  SECTION("2. a bound envelope without a context") {
    CHECK(decryptVerdict(bound, off, nullptr) == "Error:kContextRequired");
    CHECK(decryptVerdict(bound, require, nullptr) == "Error:kContextRequired");
  }
  SECTION("3, 4. requireContext refuses an unbound envelope, with a context or without") {
    CHECK(decryptVerdict(unbound, require, nullptr) == "EnvelopeError:kContextRequiredByKeyring");
    CHECK(decryptVerdict(unbound, require, &a) == "EnvelopeError:kUnboundRefused");
  }
  SECTION("5. a kid not in the keyring, after the context rules") {
    const auto v1Only = cc::Keyring::fromBase64({{"v1", test_support::kKeyA}}, "v1");
    CHECK(decryptVerdict(bound, v1Only, &a) == "UnknownKidError:kUnknownKid");
    CHECK(decryptVerdict(bound, v1Only, nullptr) == "Error:kContextRequired");
  }
  SECTION("6, 7. other names, then the tag") {
    const cc::EncryptionContext fewer{{"id", "x"}};
    CHECK(decryptVerdict(bound, off, &fewer) == "EnvelopeError:kContextMismatch");
    const auto b = recordContext(kTenantB, kIdB);
    CHECK(decryptVerdict(bound, require, &b) == "DecryptError:kAuthentication");
  }
  SECTION("8, 9. an unbound envelope opens with a context or without (the transition)") {
    CHECK(decryptVerdict(unbound, off, &a) == ok);
    CHECK(decryptVerdict(unbound, off, nullptr) == ok);
    CHECK(decryptVerdict(unbound, keyring(true), &a) == ok);
  }
  SECTION("10, 11. null and plaintext, whatever the switches") {
    CHECK(decryptVerdict("null", require, nullptr) == "ok:null");
    CHECK(decryptVerdict("null", require, &a) == "ok:null");
    CHECK(decryptVerdict(kPlain.dump(), require, &a) == ok);
    cc::KeyringOptions strict;
    strict.requireEncrypted = true;
    strict.bindContext = true;
    const auto strictKeyring = cc::Keyring::fromBase64({{"v1", test_support::kKeyA}}, "v1", strict);
    CHECK(decryptVerdict(kPlain.dump(), strictKeyring, &a) ==
          "PlaintextRejectedError:kPlaintextRejected");
  }
  SECTION("a bound envelope opens under requireContext") {
    CHECK(decryptVerdict(bound, require, &a) == ok);
  }
}

TEST_CASE("encrypt with and without a context, under each switch") {
  const auto a = recordContext(kTenantA, kIdA);
  SECTION("without bindContext a context is accepted and an unbound envelope written") {
    const auto k = keyring();
    const json e = cc::encryptCredentials(kPlain, k, a);
    CHECK_FALSE(e.contains("ctx"));
    CHECK(cc::decryptCredentials(e, k) == kPlain);
    CHECK_FALSE(cc::encryptCredentialsText(kPlain.dump(), k, a).find("ctx") != std::string::npos);
    CHECK_FALSE(cc::encryptPlainCredentials(kPlain, k, a).contains("ctx"));
  }
  SECTION("bindContext without a context: context required for every value but null") {
    const auto k = keyring(true);
    const json bound = cc::encryptCredentials(kPlain, k, a);
    for (const json& v : {kPlain, json("text"), json(5), json::array(), json::object(), bound}) {
      INFO(v.dump());
      CHECK(verdictOf([&] { return cc::encryptCredentials(v, k).dump(); }) ==
            "Error:kContextRequired");
      CHECK(verdictOf([&] { return cc::encryptCredentials(ojson(v), k).dump(); }) ==
            "Error:kContextRequired");
      CHECK(verdictOf([&] { return cc::encryptCredentialsText(v.dump(), k); }) ==
            "Error:kContextRequired");
    }
    CHECK(verdictOf([&] { return cc::encryptPlainCredentials(kPlain, k).dump(); }) ==
          "Error:kContextRequired");
    CHECK(messageOf<cc::Error>([&] { cc::encryptCredentials(kPlain, k); }) ==
          "encryptCredentials: context required: this keyring binds envelopes to their records "
          "(bindContext / CONNECTOR_CRED_BIND_CONTEXT=1); pass the record's EncryptionContext");
    CHECK(cc::encryptCredentials(json(nullptr), k).is_null());
    CHECK(cc::encryptCredentialsText("null", k) == "null");
    CHECK(cc::encryptPlainCredentials(json(nullptr), k).is_null());
  }
  SECTION("an existing envelope with a context is never re-sealed, never bound") {
    const auto k = keyring(true);
    const json bound = cc::encryptCredentials(kPlain, k, a);
    const json unbound = cc::encryptCredentials(kPlain, keyring());
    const auto encryptVerdict = [&](const json& v, const cc::Keyring& kr,
                                    const cc::EncryptionContext& c) {
      const std::string viaJson = verdictOf([&] { return cc::encryptCredentials(v, kr, c).dump(); });
      const std::string viaText =
          verdictOf([&] { return json::parse(cc::encryptCredentialsText(v.dump(), kr, c)).dump(); });
      CHECK(viaJson == viaText);
      return viaJson;
    };
    CHECK(encryptVerdict(bound, k, a) == "ok:" + bound.dump());
    CHECK(encryptVerdict(unbound, k, a) == "ok:" + unbound.dump());
    // A bound envelope must open under that context, with decrypt's errors.
    CHECK(encryptVerdict(bound, k, recordContext(kTenantB, kIdB)) == "DecryptError:kAuthentication");
    CHECK(encryptVerdict(bound, k, {{"id", "x"}}) == "EnvelopeError:kContextMismatch");
    std::vector<std::uint8_t> ct;
    REQUIRE(base64_oracle::base64Decode(bound.at("ct").get<std::string>(), ct));
    ct[0] ^= 1;
    json flipped = bound;
    flipped["ct"] = base64_oracle::base64Encode(ct.data(), ct.size());
    CHECK(encryptVerdict(flipped, k, a) == "DecryptError:kAuthentication");
    // Under requireContext an unbound envelope is what decrypt refuses: so does encrypt.
    CHECK(encryptVerdict(unbound, keyring(true, true), a) == "EnvelopeError:kUnboundRefused");
    // Without a context and without bindContext an unbound envelope comes back as in 0.2; a bound
    // one is refused as decrypt refuses it (issue 21: encrypt's answer is decrypt's).
    CHECK(cc::encryptCredentials(unbound, keyring()) == unbound);
    CHECK(verdictOf([&] { return cc::encryptCredentials(bound, keyring()).dump(); }) ==
          "Error:kContextRequired");
    CHECK(verdictOf([&] { return cc::decryptCredentials(bound, keyring()).dump(); }) ==
          "Error:kContextRequired");
  }
}

TEST_CASE("needsRewrap and rewrap with contexts") {
  const auto a = recordContext(kTenantA, kIdA);
  const auto old = keyring(false, false, "v1"), oldBind = keyring(true, false, "v1");
  const json unboundOld = cc::encryptCredentials(kPlain, old);
  const json boundOld = cc::encryptCredentials(kPlain, oldBind, a);
  const auto off = keyring(), bind = keyring(true), require = keyring(true, true);

  // rewrap through json, ordered_json and text, which must agree, and needsRewrap; returns
  // "unchanged", "envelope <kid> bound|unbound" or the error's verdict.
  const auto rewrapVerdict = [&](const json& v, const cc::Keyring& k,
                                 const cc::EncryptionContext* c) {
    const std::string viaJson = verdictOf([&] {
      return (c ? cc::rewrapCredentials(v, k, *c) : cc::rewrapCredentials(v, k)).dump();
    });
    const std::string viaOrdered = verdictOf([&] {
      const ojson o = ojson(v);
      return json::parse((c ? cc::rewrapCredentials(o, k, *c) : cc::rewrapCredentials(o, k)).dump()).dump();
    });
    const std::string viaText = verdictOf([&] {
      return json::parse(c ? cc::rewrapCredentialsText(v.dump(), k, *c)
                           : cc::rewrapCredentialsText(v.dump(), k))
          .dump();
    });
    const std::string needs = verdictOf([&] {
      return std::string((c ? cc::needsRewrap(v, k, *c) : cc::needsRewrap(v, k)) ? "true" : "false");
    });
    INFO(v.dump());
    // Results differ only in IVs: compare what they are, not their bytes.
    const auto shape = [&v](const std::string& verdict) {
      if (verdict == "ok:" + v.dump()) return std::string("unchanged");
      if (verdict.rfind("ok:", 0) != 0) return verdict;
      const json r = json::parse(verdict.substr(3));
      if (!r.is_object() || !r.contains("__enc")) return verdict;
      return std::string("envelope ") + r.at("kid").get<std::string>() +
             (r.contains("ctx") ? " bound" : " unbound");
    };
    CHECK(shape(viaJson) == shape(viaOrdered));
    CHECK(shape(viaJson) == shape(viaText));
    if (viaJson.rfind("ok:", 0) == 0) {
      CHECK(needs == (viaJson == "ok:" + v.dump() ? "ok:false" : "ok:true"));
    } else {
      // needsRewrap throws what rewrap throws without a key; the tag is checked by rewrap alone.
      if (viaJson != "DecryptError:kAuthentication") CHECK(needs == viaJson);
    }
    return shape(viaJson);
  };

  SECTION("a bound envelope under an old kid is re-sealed bound, under the active kid") {
    CHECK(rewrapVerdict(boundOld, off, &a) == "envelope v2 bound");
    CHECK(rewrapVerdict(boundOld, bind, &a) == "envelope v2 bound");
    const json r = cc::rewrapCredentials(boundOld, off, a);
    CHECK(cc::decryptCredentials(r, off, a) == kPlain);
    CHECK(namesOf(r) == a.names());
  }
  SECTION("an unbound envelope is bound under bindContext, even under the active kid") {
    CHECK(rewrapVerdict(unboundOld, bind, &a) == "envelope v2 bound");
    const json unboundActive = cc::encryptCredentials(kPlain, off);
    CHECK(rewrapVerdict(unboundActive, bind, &a) == "envelope v2 bound");
    CHECK(cc::decryptCredentials(cc::rewrapCredentials(unboundActive, bind, a), bind, a) == kPlain);
  }
  SECTION("without bindContext a context binds nothing, and nothing is unbound") {
    CHECK(rewrapVerdict(unboundOld, off, &a) == "envelope v2 unbound");
    const json unboundActive = cc::encryptCredentials(kPlain, off);
    CHECK(rewrapVerdict(unboundActive, off, &a) == "unchanged");
    const json boundActive = cc::encryptCredentials(kPlain, bind, a);
    CHECK(rewrapVerdict(boundActive, off, &a) == "unchanged");
    CHECK(rewrapVerdict(boundActive, bind, &a) == "unchanged");
  }
  SECTION("plaintext is sealed bound under bindContext") {
    CHECK(rewrapVerdict(kPlain, bind, &a) == "envelope v2 bound");
    CHECK(rewrapVerdict(kPlain, off, &a) == "envelope v2 unbound");
    CHECK(rewrapVerdict(json(nullptr), bind, nullptr) == "unchanged");
  }
  SECTION("refusals: no context, other names, another record, requireContext") {
    CHECK(rewrapVerdict(boundOld, off, nullptr) == "Error:kContextRequired");
    CHECK(rewrapVerdict(kPlain, bind, nullptr) == "Error:kContextRequired");
    CHECK(rewrapVerdict(unboundOld, bind, nullptr) == "Error:kContextRequired");
    const cc::EncryptionContext fewer{{"id", "x"}};
    CHECK(rewrapVerdict(boundOld, off, &fewer) == "EnvelopeError:kContextMismatch");
    const json boundActive = cc::encryptCredentials(kPlain, bind, a);
    CHECK(rewrapVerdict(boundActive, off, &fewer) == "EnvelopeError:kContextMismatch");
    const auto b = recordContext(kTenantB, kIdB);
    CHECK(rewrapVerdict(boundOld, off, &b) == "DecryptError:kAuthentication");
    CHECK(rewrapVerdict(unboundOld, require, &a) == "EnvelopeError:kUnboundRefused");
  }
  SECTION("rewrapCredentialsText re-seals a bound envelope's plaintext byte for byte") {
    const std::string writerText = "{ \"b\":1.50, \"a\":[1e2] }";  // compacted on encrypt
    const std::string sealed = cc::encryptCredentialsText(writerText, oldBind, a);
    const std::string rewrapped = cc::rewrapCredentialsText(sealed, off, a);
    CHECK(json::parse(rewrapped).at("kid") == "v2");
    CHECK(text(cc::decryptCredentialsText(rewrapped, off, a)) == "{\"b\":1.50,\"a\":[1e2]}");
  }
}

TEST_CASE("isEncrypted and inspectCredentials know bound envelopes") {
  const auto a = recordContext(kTenantA, kIdA);
  const json bound = cc::encryptCredentials(kPlain, keyring(true), a);
  CHECK(cc::isEncrypted(bound));
  for (const json& ctx : {json(nullptr), json("a"), json(1), json::object(), json::array({1}),
                          json::array({json::array()})}) {
    json v = bound;
    v["ctx"] = ctx;
    INFO(ctx.dump());
    CHECK_FALSE(cc::isEncrypted(v));
    CHECK_FALSE(cc::isEncrypted(ojson::parse(v.dump())));
    // encrypt refuses to store it as it is, with decrypt's code: it carries "__enc" but is no
    // envelope.
    CHECK(verdictOf([&] { return cc::encryptCredentials(v, keyring()).dump(); }) ==
          "EnvelopeError:kEnvelopeContext");
  }
  json empty = bound;
  empty["ctx"] = json::array();
  CHECK(cc::isEncrypted(empty));  // the shape holds; the names are decrypt's to refuse

  SECTION("inspect: bound or not, and the names") {
    for (const std::string& stored : {bound.dump(), ojson::parse(bound.dump()).dump()}) {
      const cc::CredentialsInfo info = cc::inspectCredentials(json::parse(stored));
      CHECK(info.kind == cc::CredentialsInfo::Kind::kEnvelope);
      CHECK(info.bound);
      CHECK(info.contextNames == a.names());
      const cc::CredentialsInfo fromText = cc::inspectCredentialsText(stored);
      CHECK(fromText.bound);
      CHECK(fromText.contextNames == a.names());
      CHECK(cc::inspectCredentials(ojson::parse(stored)).contextNames == a.names());
    }
    const cc::CredentialsInfo unbound =
        cc::inspectCredentials(cc::encryptCredentials(kPlain, keyring()));
    CHECK_FALSE(unbound.bound);
    CHECK(unbound.contextNames.empty());
    const cc::CredentialsInfo bad = cc::inspectCredentialsText(empty.dump());
    CHECK(bad.kind == cc::CredentialsInfo::Kind::kMalformed);
    CHECK(bad.error == cc::ErrorCode::kEnvelopeContext);
    CHECK(bad.message == "envelope: \"ctx\" must hold 1 to 16 names (a bound envelope's context names)");
  }
}

TEST_CASE("the text reader finds ctx as JSON.parse does") {
  const auto k = keyring(true);
  const auto a = recordContext(kTenantA, kIdA);
  const json bound = cc::encryptCredentials(kPlain, k, a);
  const std::string names = json(a.names()).dump();
  const std::string head = "{\"__enc\":1,\"kid\":\"v2\",\"iv\":" + bound.at("iv").dump() +
                           ",\"ct\":" + bound.at("ct").dump();
  SECTION("an escaped member name is the same name") {
    CHECK(decryptVerdict(head + ",\"\\u0063tx\":" + names + "}", k, &a) == "ok:" + kPlain.dump());
  }
  SECTION("a repeated ctx: the last one counts") {
    CHECK(decryptVerdict(head + ",\"ctx\":5,\"ctx\":" + names + "}", k, &a) == "ok:" + kPlain.dump());
    CHECK(decryptVerdict(head + ",\"ctx\":" + names + ",\"ctx\":[]}", k, &a) ==
          "EnvelopeError:kEnvelopeContext");
    CHECK(decryptVerdict(head + ",\"ctx\":" + names + ",\"ctx\":{\"a\":[\"b\"]}}", k, &a) ==
          "EnvelopeError:kEnvelopeContext");
  }
  SECTION("nested arrays and escaped names inside ctx") {
    CHECK(decryptVerdict(head + ",\"ctx\":[[\"collection\"],\"field\",\"id\",\"tenant\"]}", k, &a) ==
          "EnvelopeError:kEnvelopeContext");
    CHECK(decryptVerdict(head + ",\"ctx\":[\"\\u0063ollection\",\"field\",\"id\",\"tenant\"]}", k,
                         &a) == "ok:" + kPlain.dump());
  }
  SECTION("more than 16 names, the first 16 of them valid") {
    std::string many = "[";
    for (int i = 0; i < 20; ++i) many += (i ? ",\"n" : "\"n") + std::to_string(10 + i) + "\"";
    CHECK(decryptVerdict(head + ",\"ctx\":" + many + "]}", k, &a) ==
          "EnvelopeError:kEnvelopeContext");
  }
}

TEST_CASE("keyring switches and their counters") {
  SECTION("requireContext needs bindContext") {
    cc::KeyringOptions options;
    options.requireContext = true;
    CHECK(messageOf<cc::KeyringError>([&] {
            cc::Keyring::fromBase64({{"v1", test_support::kKeyA}}, "v1", options);
          }) == "options.requireContext is on but options.bindContext is off: the keyring would "
                "refuse the unbound envelopes it writes; turn on options.bindContext first");
  }
  SECTION("the environment: 1 on; 0, empty or unset off; anything else refused") {
    using test_support::envOf;
    const std::string key = test_support::kKeyA;
    CHECK_FALSE(cc::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", key}})).options().bindContext);
    const auto both = cc::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", key},
                                                {"CONNECTOR_CRED_BIND_CONTEXT", "1"},
                                                {"CONNECTOR_CRED_REQUIRE_CONTEXT", "1"}}));
    CHECK(both.options().bindContext);
    CHECK(both.options().requireContext);
    const auto zero = cc::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", key},
                                                {"CONNECTOR_CRED_BIND_CONTEXT", "0"},
                                                {"CONNECTOR_CRED_REQUIRE_CONTEXT", ""}}));
    CHECK_FALSE(zero.options().bindContext);
    CHECK_FALSE(zero.options().requireContext);
    for (const char* bad : {"true", "yes", " 1", "2"}) {
      CHECK(messageOf<cc::KeyringError>([&] {
              cc::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", key},
                                        {"CONNECTOR_CRED_BIND_CONTEXT", bad}}));
            }) == "CONNECTOR_CRED_BIND_CONTEXT must be 1 (on) or 0, empty or unset (off)");
    }
    CHECK(messageOf<cc::KeyringError>([&] {
            cc::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", key},
                                      {"CONNECTOR_CRED_REQUIRE_CONTEXT", "1"}}));
          }) == "CONNECTOR_CRED_REQUIRE_CONTEXT is on but CONNECTOR_CRED_BIND_CONTEXT is off: the "
                "keyring would refuse the unbound envelopes it writes; turn on "
                "CONNECTOR_CRED_BIND_CONTEXT first");
  }
  SECTION("stats count the writes whose context bound nothing (bindContext off)") {
    const auto off = keyring();
    const auto on = keyring(true);
    const auto a = recordContext(kTenantA, kIdA);
    const json v1Unbound = cc::encryptCredentials(kPlain, keyring(false, false, "v1"));
    const json v2Unbound = cc::encryptCredentials(kPlain, off);
    const json v1Bound = cc::encryptCredentials(kPlain, keyring(true, false, "v1"), a);
    CHECK(off.stats().contextIgnored == 0);  // no context given: nothing ignored
    // Each of these, under bindContext, would have written or left a bound envelope.
    cc::encryptCredentials(kPlain, off, a);
    cc::encryptCredentials(ojson(kPlain), off, a);
    cc::encryptCredentialsText(kPlain.dump(), off, a);
    cc::encryptPlainCredentials(kPlain, off, a);
    cc::rewrapCredentials(kPlain, off, a);     // plaintext, sealed unbound
    cc::rewrapCredentials(v1Unbound, off, a);  // re-sealed unbound
    cc::rewrapCredentials(v2Unbound, off, a);  // left unbound, unchanged
    cc::rewrapCredentialsText(v2Unbound.dump(), off, a);
    cc::rewrapCredentialsText(kPlain.dump(), off, a);
    CHECK(off.stats().contextIgnored == 9);
    // Not counted: null, an existing envelope given to encrypt (never bound there), a bound
    // envelope's rewrap (it stays bound to the context), reads, needsRewrap, a failed call.
    cc::encryptCredentials(json(nullptr), off, a);
    cc::rewrapCredentials(json(nullptr), off, a);
    cc::encryptCredentials(v2Unbound, off, a);
    CHECK(cc::rewrapCredentials(v1Bound, off, a).contains("ctx"));
    cc::decryptCredentials(v2Unbound, off, a);
    CHECK(cc::needsRewrap(v1Unbound, off, a));
    cc::encryptCredentials(kPlain, off);
    CHECK_THROWS(cc::rewrapCredentials(v1Bound, off, recordContext(kTenantB, kIdB)));
    CHECK(off.stats().contextIgnored == 9);
    // Under bindContext a context is always used: never counted.
    cc::encryptCredentials(kPlain, on, a);
    cc::rewrapCredentials(v2Unbound, on, a);
    CHECK(on.stats().contextIgnored == 0);
  }
  SECTION("stats count bound and unbound envelopes opened") {
    const auto k = keyring(true);
    const auto a = recordContext(kTenantA, kIdA);
    const json bound = cc::encryptCredentials(kPlain, k, a);
    const json unbound = cc::encryptCredentials(kPlain, keyring());
    cc::decryptCredentials(bound, k, a);
    cc::decryptCredentialsText(bound.dump(), k, a);
    cc::decryptCredentials(unbound, k);
    CHECK_THROWS(cc::decryptCredentials(bound, k, recordContext(kTenantB, kIdB)));
    const cc::KeyringStats s = k.stats();
    CHECK(s.boundOpened == 2);
    CHECK(s.unboundOpened == 1);
    CHECK(s.perKid.at("v2").decryptions == 3);
    CHECK(s.perKid.at("v2").boundDecryptions == 2);
    CHECK(s.perKid.at("v2").encryptions == 1);
  }
}
