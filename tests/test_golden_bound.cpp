// Golden bound envelopes (tests/vectors/golden/bound-ts-*.json): what the Node reference peer wrote
// with both back ends, and every reader case of docs/FORMAT.md's table with the error it must give.
// Read here without Node: the C++ reader gives each case's verdict through every reader, builds the
// same AAD, and seals the same bytes under it.
#include <map>

#include "aead.hpp"
#include "bound_support.hpp"
#include "context_core.hpp"

using namespace bound_support;

namespace {

// The code of each kind of failure of the golden files (tests/vectors/golden/README.md).
const std::map<std::string, std::string> kCodeOfKind = {
    {"invalid_context", "kInvalidContext"},
    {"malformed", "kEnvelopeContext"},
    {"context_required", "kContextRequired"},
    {"context_required_by_keyring", "kContextRequiredByKeyring"},
    {"unbound_refused", "kUnboundRefused"},
    {"unknown_kid", "kUnknownKid"},
    {"names_differ", "kContextMismatch"},
    {"tag", "kAuthentication"},
};

// The base64 key of kid in a golden file's env (single-key or rotation form).
std::string keyOf(const json& env, const std::string& kid) {
  if (env.contains("CONNECTOR_CRED_KEYS")) {
    return json::parse(env.at("CONNECTOR_CRED_KEYS").get<std::string>()).at(kid);
  }
  return env.at("CONNECTOR_CRED_KEY");
}

// ct of plaintext sealed under kid's key, the envelope's IV and aad, with the AEAD seam.
std::string sealWith(const json& env, const json& envelope, const std::string& aad,
                     const std::string& plaintext) {
  std::vector<std::uint8_t> key, iv;
  REQUIRE(base64_oracle::base64Decode(keyOf(env, envelope.at("kid")), key));
  REQUIRE(base64_oracle::base64Decode(envelope.at("iv").get<std::string>(), iv));
  cc::detail::Aes256Gcm aead({key.data(), key.size()});
  std::vector<std::uint8_t> sealed(plaintext.size() + cc::kTagBytes);
  aead.seal({iv.data(), iv.size()}, {reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size()},
            {reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()},
            sealed.data());
  return base64_oracle::base64Encode(sealed.data(), sealed.size());
}

}  // namespace

TEST_CASE("golden bound envelopes: every case of both Node writers, by the C++ readers") {
  for (const std::string file : {"bound-ts-noble.json", "bound-ts-node.json"}) {
    const json doc = test_support::loadGolden(file);
    const json env = doc.at("env");
    std::size_t opened = 0, refused = 0;
    for (const json& c : doc.at("cases")) {
      const std::string name = c.at("name");
      INFO(file << ": " << name << " (" << c.value("why", "") << ")");
      std::map<std::string, std::string> vars = env.get<std::map<std::string, std::string>>();
      if (c.contains("options") && c.at("options").value("requireContext", false)) {
        vars["CONNECTOR_CRED_BIND_CONTEXT"] = "1";  // requireContext needs it (a writer switch)
        vars["CONNECTOR_CRED_REQUIRE_CONTEXT"] = "1";
      }
      const cc::Keyring k = cc::keyringFromEnv(test_support::envOf(vars));
      const std::string expected =
          c.contains("error")
              ? c.at("error").get<std::string>() + ":" + kCodeOfKind.at(c.at("kind"))
              : "ok:" + json::parse(c.at("plaintext_json").get<std::string>()).dump();
      std::optional<cc::EncryptionContext> context;
      if (!c.at("context").is_null()) {
        const std::string made = verdictOf([&] {
          context.emplace(c.at("context").get<std::vector<cc::EncryptionContext::Pair>>());
          return std::string();
        });
        if (c.value("kind", "") == "invalid_context") {
          CHECK(made == expected);
          ++refused;
          continue;
        }
        REQUIRE(made == "ok:");
      }
      const std::string stored = c.at("envelope").dump();
      CHECK(decryptVerdict(stored, k, context ? &*context : nullptr) == expected);
      if (c.contains("error")) {
        ++refused;
        continue;
      }
      ++opened;
      // The text reader returns the writer's bytes themselves.
      const cc::SecretBuffer text = context ? cc::decryptCredentialsText(stored, k, *context)
                                            : cc::decryptCredentialsText(stored, k);
      CHECK(std::string(text.data(), text.size()) == c.at("plaintext_json").get<std::string>());
      if (!c.at("envelope").contains("ctx")) continue;
      // The same AAD, and the same ct when sealed under it with the envelope's (test-vector) IV.
      const std::string aad = cc::detail::contextAad(c.at("envelope").at("kid").get<std::string>(), *context);
      CHECK(test_support::hex(aad) == c.at("aad_hex").get<std::string>());
      CHECK(sealWith(env, c.at("envelope"), aad, c.at("plaintext_json").get<std::string>()) ==
            c.at("envelope").at("ct").get<std::string>());
    }
    CHECK(opened >= 10);
    CHECK(refused >= 40);
  }
}

TEST_CASE("golden bound envelopes: docs/FORMAT.md's worked example, byte for byte") {
  const json doc = test_support::loadGolden("bound-ts-noble.json");
  const json& c = doc.at("cases").at(0);
  REQUIRE(c.at("name") == "worked_example");
  CHECK(c.at("envelope").dump() ==
        "{\"__enc\":1,\"ct\":\"8YHBVsMxKmJkMX+uEELlVntFn2TuUVIHK7x2FMrCIKaPLYd7WkJLMAkclsHi09LhIEc=\","
        "\"ctx\":[\"collection\",\"field\",\"id\",\"tenant\"],\"iv\":\"yv66vvrO263eyviI\",\"kid\":\"v1\"}");
  const auto context = recordContext(kTenantA, kIdA);
  const auto k = cc::Keyring::fromBase64({{"v1", test_support::kKeyA}}, "v1");
  CHECK(cc::decryptCredentials(c.at("envelope"), k, context) ==
        json{{"apiKey", "sk_live_51H8secretKEY"}});
}
