// Error codes: each failure carries its stable ErrorCode, thrown as the documented class.
#include <fstream>
#include <set>
#include <typeinfo>

#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using cc::ErrorCode;
using json = nlohmann::json;

namespace {

// Runs fn, which must throw E with code.
template <typename E, typename Fn>
void expectCode(Fn&& fn, ErrorCode code) {
  try {
    fn();
    FAIL("did not throw");
  } catch (const cc::Error& e) {
    INFO("message: " << e.what());
    CHECK(typeid(e) == typeid(E));
    CHECK(cc::errorCodeName(e.code()) == std::string(cc::errorCodeName(code)));
  }
}

json with(json v, const std::string& member, json value) {
  v[member] = std::move(value);
  return v;
}

}  // namespace

TEST_CASE("each failure carries its code") {
  const auto k = keyringV1V2();
  const json e = cc::encryptCredentials(json{{"a", 1}}, k);
  const auto decrypt = [&](const json& v) { return [&k, v] { cc::decryptCredentials(v, k); }; };
  SECTION("configuration and kids") {
    expectCode<cc::KeyringError>([] { cc::keyringFromEnv(envOf({})); }, ErrorCode::kConfiguration);
    expectCode<cc::KeyringError>([] { cc::Keyring::fromBase64({{"v1", "short"}}, "v1"); },
                                 ErrorCode::kConfiguration);
    expectCode<cc::UnknownKidError>(decrypt(with(e, "kid", "v9")), ErrorCode::kUnknownKid);
    expectCode<cc::UnknownKidError>([&] { (void)k.fingerprint("v9"); }, ErrorCode::kUnknownKid);
  }
  SECTION("each kind of malformed envelope") {
    expectCode<cc::EnvelopeError>(decrypt(with(e, "__enc", 2)), ErrorCode::kEnvelopeBadVersion);
    json noIv = e;
    noIv.erase("iv");
    expectCode<cc::EnvelopeError>(decrypt(noIv), ErrorCode::kEnvelopeMissing);
    expectCode<cc::EnvelopeError>(decrypt(with(e, "ct", 5)), ErrorCode::kEnvelopeType);
    expectCode<cc::EnvelopeError>(decrypt(with(e, "iv", "AAAAAAAAAAAAAAA_")),
                                  ErrorCode::kEnvelopeBase64);
    expectCode<cc::EnvelopeError>(decrypt(with(e, "ct", "AA=")), ErrorCode::kEnvelopeBase64);
    expectCode<cc::EnvelopeError>(decrypt(with(e, "iv", "AAAA")), ErrorCode::kEnvelopeIvSize);
    expectCode<cc::EnvelopeError>(decrypt(with(e, "ct", "AAAA")), ErrorCode::kEnvelopeCtSize);
    expectCode<cc::EnvelopeError>(
        decrypt(with(e, "ct", std::string(cc::kMaxEnvelopeBytes + 4, 'A'))),
        ErrorCode::kEnvelopeCtSize);
    // encrypt refuses a malformed envelope with decrypt's code; kEnvelopeRefused is
    // encryptPlainCredentials' refusal of any "__enc".
    expectCode<cc::EnvelopeError>([&] { cc::encryptCredentials(json{{"__enc", 2}}, k); },
                                  ErrorCode::kEnvelopeBadVersion);
    expectCode<cc::EnvelopeError>([&] { cc::encryptPlainCredentials(e, k); },
                                  ErrorCode::kEnvelopeRefused);
  }
  SECTION("authentication and plaintext") {
    expectCode<cc::DecryptError>(decrypt(with(e, "kid", "v1")), ErrorCode::kAuthentication);
    expectCode<cc::DecryptError>(decrypt(sealRaw(kKeyA, "v1", "{")), ErrorCode::kInvalidPlaintext);
    const auto strict = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", {true});
    expectCode<cc::PlaintextRejectedError>([&] { cc::decryptCredentials(json{{"a", 1}}, strict); },
                                           ErrorCode::kPlaintextRejected);
  }
  SECTION("values and text that cannot be stored") {
    expectCode<cc::Error>([&] { cc::encryptCredentials(json("\xff"), k); },
                          ErrorCode::kNotSerializable);
    expectCode<cc::Error>([&] { cc::encryptCredentials(json(std::string(13'000'000, 'a')), k); },
                          ErrorCode::kTooLarge);
    expectCode<cc::Error>([&] { cc::encryptCredentialsText("{", k); }, ErrorCode::kInvalidText);
    expectCode<cc::Error>([&] { cc::encryptCredentialsText(R"({"a":1,"a":2})", k); },
                          ErrorCode::kInvalidText);
  }
}

TEST_CASE("every code has a name") {
  for (int c = 0; c <= 60; ++c) {
    const std::string name = cc::errorCodeName(static_cast<ErrorCode>(c));
    CHECK(!name.empty());
  }
  CHECK(std::string(cc::errorCodeName(ErrorCode::kAuthentication)) == "kAuthentication");
  CHECK(std::string(cc::errorCodeName(static_cast<ErrorCode>(999))) == "Unknown");
}

// One spelling: errorCodeName returns exactly the enumerators README's "Errors" table lists, each
// code once, so a name read in a log is the name to look up (and to branch on in code).
TEST_CASE("errorCodeName spells every code as README's error table does") {
  std::ifstream readme(std::string(CC_VECTORS_DIR) + "/../../README.md");
  REQUIRE(readme.good());
  std::set<std::string> documented;
  std::string line;
  bool inTable = false;
  while (std::getline(readme, line)) {
    if (line.rfind("| `ErrorCode` |", 0) == 0) inTable = true;
    if (!inTable) continue;
    if (line.rfind("| `k", 0) == 0) {
      documented.insert(line.substr(3, line.find('`', 3) - 3));
    } else if (line.rfind("|", 0) != 0) {
      break;
    }
  }
  std::set<std::string> named;
  for (int c = 0; c <= 100; ++c) {
    const std::string name = cc::errorCodeName(static_cast<ErrorCode>(c));
    if (name != "Unknown") CHECK(named.insert(name).second);
  }
  CHECK(named.size() == 24);
  CHECK(named == documented);
}
