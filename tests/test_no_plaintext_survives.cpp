// Property (issue 21, "no plaintext survives a call"): over the round-trip property's corpus
// (roundtrip_corpus.hpp) and the inputs that once sent the parser to a fallback (a "-0" beside a
// 0, -0.0, integers beyond 64 bits, a byte order mark, escaped names, nesting past the limit, text
// that is not JSON), every API that decrypts or parses plaintext leaves no freed heap block holding
// a secret marker of the plaintext: decryptCredentials (json and ordered_json, then
// wipeCredentials), decryptCredentialsText, rewrapCredentials[Text], parseJsonText,
// convertExtendedJsonText and encryptCredentialsText. The global allocator is replaced
// (freed_memory_probe.cpp), so this binary never runs under AddressSanitizer or valgrind.
#include <string>
#include <vector>

#include "freed_memory_probe.hpp"
#include "roundtrip_corpus.hpp"
#include "roundtrip_oracle.hpp"
#include "test_support.hpp"

namespace cc = connector_crypto;
using nlohmann::json;
using nlohmann::ordered_json;
using test_support::kKeyA;
using test_support::kKeyB;

namespace {

// The secret planted in each plaintext, as a string value (longer than any small-string buffer, so
// a copy lands on the heap). Member names are not secrets: wipeCredentials leaves object keys
// (docs/SECURITY.md), so a name is never a needle.
const std::string kValueMarker = "hunter2-value-marker-0123456789abcdef";
const std::string kName = "a-member-name-longer-than-fifteen";

// The windows of the marker that count as a copy: every 12 bytes at a stride of 4.
std::vector<std::string> needles() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 12 <= kValueMarker.size(); i += 4) {
    out.push_back(kValueMarker.substr(i, 12));
  }
  return out;
}

// Runs fn with scanning armed; a connector_crypto::Error is a verdict like any other. Returns the
// number of freed blocks that held a marker.
template <typename Fn>
std::size_t freedCopies(Fn&& fn) {
  static const std::vector<std::string> kNeedles = needles();
  freed_memory_probe::arm(kNeedles);
  try {
    fn();
  } catch (const cc::Error&) {
  } catch (...) {
    freed_memory_probe::disarm();
    throw;
  }
  return freed_memory_probe::disarm();
}

const cc::Keyring& keyringV1() {
  static const cc::Keyring k = cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v1");
  return k;
}
const cc::Keyring& keyringV2() {
  static const cc::Keyring k = cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, "v2");
  return k;
}

// The APIs that read a plaintext, each on its own: the names of those that left a marker behind.
std::vector<std::string> leaksOf(const std::string& plaintext) {
  // Built before arming: the envelope of the plaintext, as a value of each kind and as text.
  const json envelope = test_support::sealRaw(kKeyA, "v1", plaintext);
  const ordered_json orderedEnvelope = ordered_json::parse(envelope.dump());
  const std::string envelopeText = envelope.dump();
  std::vector<std::string> leaks;
  const auto check = [&](const char* api, auto&& fn) {
    if (freedCopies(fn) != 0) leaks.emplace_back(api);
  };
  check("decryptCredentials<json>", [&] {
    json out = cc::decryptCredentials(envelope, keyringV1());
    cc::wipeCredentials(out);
  });
  check("decryptCredentials<ordered_json>", [&] {
    ordered_json out = cc::decryptCredentials(orderedEnvelope, keyringV1());
    cc::wipeCredentials(out);
  });
  check("decryptCredentialsText", [&] { cc::decryptCredentialsText(envelopeText, keyringV1()); });
  check("rewrapCredentials", [&] { cc::rewrapCredentials(envelope, keyringV2()); });
  check("rewrapCredentialsText", [&] { cc::rewrapCredentialsText(envelopeText, keyringV2()); });
  check("rewrapCredentialsText of plaintext",
        [&] { cc::rewrapCredentialsText(plaintext, keyringV2()); });
  check("parseJsonText<json>", [&] {
    if (auto v = cc::parseJsonText<json>(plaintext)) cc::wipeCredentials(*v);
  });
  check("parseJsonText<ordered_json>", [&] {
    if (auto v = cc::parseJsonText<ordered_json>(plaintext)) cc::wipeCredentials(*v);
  });
  check("convertExtendedJsonText", [&] { cc::convertExtendedJsonText(plaintext); });
  check("encryptCredentialsText", [&] { cc::encryptCredentialsText(plaintext, keyringV1()); });
  return leaks;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const std::string kBom = "\xEF\xBB\xBF";

// A plaintext object with the marker ahead of `rest` (members, without the leading comma).
std::string withMarker(const std::string& rest) {
  return "{\"" + kName + "\":\"" + kValueMarker + "\"," + rest + "}";
}

}  // namespace

TEST_CASE("the probe sees a marker freed without wiping") {
  CHECK(freedCopies([] { std::string copy(kValueMarker); }) == 1);
  CHECK(freedCopies([] { cc::SecretBuffer copy(kValueMarker.begin(), kValueMarker.end()); }) == 0);
}

TEST_CASE("no plaintext survives a call: the inputs that took a fallback parser") {
  std::string deep = withMarker("\"n\":");
  for (int i = 0; i < 600; ++i) deep += '[';
  for (int i = 0; i < 600; ++i) deep += ']';
  deep += '}';
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a -0 beside a 0", withMarker("\"d\":\"2024-01-05\",\"retries\":0")},
      {"-0 itself", withMarker("\"n\":-0,\"m\":0")},
      {"-0.0", withMarker("\"n\":-0.0")},
      {"-0e0 and -0E-1", withMarker("\"a\":[0,-0e0,-0E-1,\"-0\"]")},
      {"an integer beyond 64 bits", withMarker("\"n\":123456789012345678901234567890")},
      {"a negative integer beyond 64 bits", withMarker("\"n\":-9223372036854775809")},
      {"a number beyond double range", withMarker("\"n\":1e400")},
      {"escaped names", "{\"" + kName + "\\u0041\":\"" + kValueMarker + "\",\"p\\u0061ss\":\"" +
                            kValueMarker + "\\n\"}"},
      {"a byte order mark", kBom + withMarker("\"n\":1")},
      {"nesting past the limit", deep},
      {"not JSON", withMarker("\"n\":1,")},
      {"invalid UTF-8", withMarker("\"n\":\"\xC0\x80\"")},
      {"a lone surrogate", withMarker("\"n\":\"\\ud800\"")},
      {"the marker last", "{\"n\":-0,\"m\":0,\"" + kName + "\":\"" + kValueMarker + "\"}"},
  };
  for (const auto& [name, plaintext] : cases) {
    INFO("case: " << name);
    CHECK(joined(leaksOf(plaintext)) == "");
  }
}

TEST_CASE("no plaintext survives a call: the round-trip corpus") {
  std::size_t checked = 0;
  const std::vector<json> values = roundtrip_corpus::generatedValues();
  for (std::size_t i = 0; i < values.size(); ++i) {
    // Values decrypt can return (the others never reach a plaintext), with the marker beside.
    if (!roundtrip_oracle::decryptCouldReturn(values[i])) continue;
    const std::string plaintext = withMarker("\"v\":" + values[i].dump());
    INFO("generated value #" << i);
    REQUIRE(joined(leaksOf(plaintext)) == "");
    ++checked;
  }
  CHECK(checked > 1000);
}
