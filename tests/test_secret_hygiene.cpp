// Secret hygiene: every error path's message holds no key and no plaintext, and parsing the
// environment leaves no copy of a key in freed heap memory (freed_memory_probe.hpp).
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <new>

#include <unistd.h>

#include "freed_memory_probe.hpp"
#include "json_codec.hpp"
#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using nlohmann::json;

namespace {

// The windows of a secret that count as a copy: every 12 bytes at a stride of 4.
void addNeedles(const std::string& secret, std::vector<std::string>& storage) {
  for (std::size_t i = 0; i + 12 <= secret.size(); i += 4) storage.push_back(secret.substr(i, 12));
}

// Runs fn with freed-memory scanning armed for the given secrets (base64 keys also as raw bytes);
// returns the number of freed blocks that held one.
std::size_t freedCopies(const std::vector<std::string>& secrets, const std::function<void()>& fn) {
  std::vector<std::string> storage;
  for (const std::string& s : secrets) {
    addNeedles(s, storage);
    std::string raw;
    if (base64_oracle::base64Decode(s, raw) && raw.size() == cc::kKeyBytes) addNeedles(raw, storage);
  }
  REQUIRE(storage.size() <= freed_memory_probe::kMaxNeedles);
  freed_memory_probe::arm(storage);
  try {
    fn();
  } catch (...) {
    freed_memory_probe::disarm();
    throw;
  }
  return freed_memory_probe::disarm();
}

std::string tempFile(const std::string& name, const std::string& content) {
  const std::string path = "/tmp/cc_hygiene_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

const std::string kPlainSecret = "hunter2-very-secret";

}  // namespace

TEST_CASE("the scanner finds a key copy that is freed without wiping") {
  // The check itself must be able to fail.
  CHECK(freedCopies({kKeyA}, [] { std::string copy(kKeyA); }) == 1);
  CHECK(freedCopies({kKeyA}, [] { cc::SecretBuffer copy(kKeyA.begin(), kKeyA.end()); }) == 0);
}

TEST_CASE("parsing the environment leaves no key in freed memory") {
  const std::string keysAB = "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\"}";
  const std::string keyFile = tempFile("key", kKeyA + "\n");
  const std::string keysFile = tempFile("keys", keysAB);
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> rows = {
      {"CONNECTOR_CRED_KEY", {{"CONNECTOR_CRED_KEY", kKeyA}}},
      {"CONNECTOR_CRED_KEY_FILE", {{"CONNECTOR_CRED_KEY_FILE", keyFile}}},
      {"CONNECTOR_CRED_KEYS",
       {{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}},
      {"CONNECTOR_CRED_KEYS with escapes",
       {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\\n\"}"}}},
      {"CONNECTOR_CRED_KEYS_FILE",
       {{"CONNECTOR_CRED_KEYS_FILE", keysFile}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}},
      {"KEY inside KEYS",
       {{"CONNECTOR_CRED_KEY", kKeyA},
        {"CONNECTOR_CRED_KEYS", keysAB},
        {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}},
  };
  for (const auto& [name, vars] : rows) {
    INFO("row: " << name);
    const cc::EnvLookup env = envOf(vars);
    // The keyring keeps a copy of its lookup (for reload): this one refers to the caller's, whose
    // captured strings are the caller's to wipe.
    const cc::EnvLookup lookup = [&env](const std::string& variable) { return env(variable); };
    std::optional<cc::Keyring> keyring;
    keyring.emplace(cc::Keyring::fromBase64({{"x", kKeyC}}, "x"));  // the slot exists before arming
    CHECK(freedCopies({kKeyA, kKeyB}, [&] { keyring = cc::keyringFromEnv(lookup); }) == 0);
    CHECK(keyring->fingerprint("v1") == kFingerprintA);
    // Dropping the keyring wipes its keys.
    CHECK(freedCopies({kKeyA, kKeyB}, [&] { keyring.reset(); }) == 0);
  }
  SECTION("and none on the failure paths") {
    const std::vector<std::map<std::string, std::string>> failures = {
        {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB}},
        {{"CONNECTOR_CRED_KEYS", keysAB + " trailing"}},
        {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\xff\"}"}},
        {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\",\"v2\":{\"x\":\"" + kKeyB + "\"}}"}},
        {{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_KEY", kKeyC}},
        {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KEY_FILE", keyFile}},
        {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "bad kid"}},
        // A key pasted into a kid variable is refused, and its value was read into wiped memory.
        {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", kKeyB}},
        {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", kKeyB}},
        {{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_ACTIVE_KID", kKeyB}},
        {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_RELOAD_SECONDS", kKeyB}},
        {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_BIND_CONTEXT", kKeyB}},
        {{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_ACTIVE_KID_FILE", keyFile}},
    };
    for (const auto& vars : failures) {
      const cc::EnvLookup lookup = envOf(vars);
      std::string message;
      CHECK(freedCopies({kKeyA, kKeyB}, [&] {
              try {
                cc::keyringFromEnv(lookup);
              } catch (const cc::KeyringError& e) {
                message = e.what();
              }
            }) == 0);
      CHECK_FALSE(message.empty());
    }
  }
  std::remove(keyFile.c_str());
  std::remove(keysFile.c_str());
}

TEST_CASE("a reload leaves no key in freed memory, taken or refused") {
  const std::string keysFile = tempFile("reload_keys", "{\"v1\":\"" + kKeyA + "\"}");
  const cc::EnvLookup env =
      envOf({{"CONNECTOR_CRED_KEYS_FILE", keysFile}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}});
  const cc::EnvLookup lookup = [&env](const std::string& variable) { return env(variable); };
  std::optional<cc::Keyring> keyring;
  keyring.emplace(cc::Keyring::fromBase64({{"x", kKeyC}}, "x"));
  CHECK(freedCopies({kKeyA, kKeyB}, [&] { keyring = cc::keyringFromEnv(lookup); }) == 0);
  // Taken: v2 staged.
  std::ofstream(keysFile, std::ios::binary | std::ios::trunc)
      << "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\"}";
  cc::ReloadResult taken;
  CHECK(freedCopies({kKeyA, kKeyB}, [&] { taken = keyring->reload(); }) == 0);
  CHECK(taken.changed);
  // Refused: v2 given other bytes.
  std::ofstream(keysFile, std::ios::binary | std::ios::trunc)
      << "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyD + "\"}";
  cc::ReloadResult refused;
  CHECK(freedCopies({kKeyA, kKeyB, kKeyD}, [&] { refused = keyring->reload(); }) == 0);
  CHECK_FALSE(refused.ok);
  CHECK(freedCopies({kKeyA, kKeyB}, [&] { keyring.reset(); }) == 0);
  std::remove(keysFile.c_str());
}

TEST_CASE("a KeyConfig, its edits and its key gate leave no key in freed memory") {
  const std::string keysAB = "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\"}";
  const std::string keysFile = tempFile("config_keys", keysAB + "\n");
  const cc::EnvLookup lookup =
      envOf({{"CONNECTOR_CRED_KEYS_FILE", keysFile}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}});
  std::optional<cc::KeyConfig> config;
  config.emplace(cc::KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyC}})));
  std::size_t keyChars = 0;
  CHECK(freedCopies({kKeyA, kKeyB}, [&] {
          config = cc::KeyConfig::fromEnv(lookup);
          config->addGeneratedKey("v3");
          config->setActiveKid("v3");
          const cc::KeyConfig copy = *config;
          for (const std::string& kid : copy.kids()) {
            keyChars += copy.keyBase64(kid, cc::insecureKeyAccess()).size();
          }
          (void)copy.toKeyring();
        }) == 0);
  CHECK(keyChars == 3 * 44);
  CHECK(config->toKeyring().fingerprint("v1") == kFingerprintA);
  CHECK(freedCopies({kKeyA, kKeyB}, [&] { config.reset(); }) == 0);
  std::remove(keysFile.c_str());
}

TEST_CASE("the 16 MiB limit is checked before any decoding allocation") {
  const cc::Keyring k = keyringV1();
  json e = encryptCredentials(json{{"password", kPlainSecret}}, k);
  e["ct"] = std::string(100'000'000, 'A');
  CHECK(freedCopies(
            {}, [&] { CHECK_THROWS_AS(cc::decryptCredentials(e, k), cc::EnvelopeError); }) == 0);
  CHECK(freed_memory_probe::largestAllocation() < 4096);
}

TEST_CASE("no error message holds a key or a plaintext secret") {
  const cc::Keyring k = keyringV1V2();
  const cc::Keyring strict = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", {true});
  const json plain = {{"password", kPlainSecret}};
  const json e = encryptCredentials(plain, k);
  const auto with = [](json v, const char* member, json value) {
    v[member] = std::move(value);
    return v;
  };
  const std::string keysAB = "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\"}";
  const auto env = [](std::map<std::string, std::string> vars) {
    return [vars] { cc::keyringFromEnv(envOf(vars)); };
  };
  // Every error path of the public API, provoked with keys and secrets in the input.
  const std::vector<std::pair<std::string, std::function<void()>>> paths = {
      {"fromBase64: short key",
       [] {
         cc::Keyring::fromBase64({{"v1", kKeyA.substr(0, 40)}}, "v1");
       }},
      {"fromBase64: bad base64",
       [] {
         cc::Keyring::fromBase64({{"v1", kKeyA.substr(0, 42) + "!="}}, "v1");
       }},
      {"fromBase64: key as kid",
       [] {
         cc::Keyring::fromBase64({{kKeyC + " ", kKeyA}}, "");
       }},
      {"fromBase64: same key twice",
       [] {
         cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyA}}, "v1");
       }},
      {"fromBase64: active kid a key",
       [] {
         cc::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}}, kKeyC + " ");
       }},
      {"fingerprint: unknown kid", [&] { k.fingerprint(kKeyC + " "); }},
      {"env: KEY truncated", env({{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 43)}})},
      {"env: KEY URL-safe", env({{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 41) + "-_="}})},
      {"env: KID holding a key",
       env({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", kKeyB + " "}})},
      {"env: ACTIVE_KID holding a key",
       env({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", kKeyB + " "}})},
      {"env: KEYS ACTIVE_KID holding a key",
       env({{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_ACTIVE_KID", kKeyC}})},
      {"env: KEYS breaking off inside a key",
       env({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA.substr(0, 30)}})},
      {"env: KEYS invalid UTF-8 in a key",
       env({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\xff\"}"}})},
      {"env: KEYS a key as a kid",
       env({{"CONNECTOR_CRED_KEYS", "{\"" + kKeyC + "\x01\":\"" + kKeyA + "\"}"}})},
      {"env: KEYS bad key", env({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA.substr(4) + "\"}"}})},
      {"env: KEYS not JSON", env({{"CONNECTOR_CRED_KEYS", kKeyA}})},
      {"env: KEY not in KEYS", env({{"CONNECTOR_CRED_KEYS", keysAB},
                                    {"CONNECTOR_CRED_KEY", kKeyC},
                                    {"CONNECTOR_CRED_ACTIVE_KID", "v1"}})},
      {"env: REQUIRE_ENCRYPTED holding a key",
       env({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", kKeyB}})},
      {"env: KEY_FILE path holding a key",
       env({{"CONNECTOR_CRED_KEY_FILE", "/nonexistent/" + kKeyA}})},
      {"encrypt: invalid UTF-8",
       [&] {
         encryptCredentials(json{{"password", kPlainSecret + "\xff"}}, k);
       }},
      {"encrypt: broken envelope",
       [&] {
         encryptCredentials(json{{"__enc", 2}, {"password", kPlainSecret}}, k);
       }},
      {"encryptPlain: an envelope", [&] { encryptPlainCredentials(e, k); }},
      {"encryptPlain: invalid UTF-8",
       [&] {
         encryptPlainCredentials(json{{"password", kPlainSecret + "\xc0"}}, k);
       }},
      {"decrypt: __enc 2", [&] { decryptCredentials(with(e, "__enc", 2), k); }},
      {"decrypt: kid a key", [&] { decryptCredentials(with(e, "kid", kKeyC + " "), k); }},
      {"decrypt: iv bad", [&] { decryptCredentials(with(e, "iv", kKeyA), k); }},
      {"decrypt: ct bad", [&] { decryptCredentials(with(e, "ct", kKeyA + "!"), k); }},
      {"decrypt: tampered", [&] { decryptCredentials(with(e, "kid", "v1"), k); }},
      {"decrypt: not JSON", [&] { decryptCredentials(sealRaw(kKeyA, "v1", kPlainSecret), k); }},
      {"decrypt: not UTF-8",
       [&] { decryptCredentials(sealRaw(kKeyA, "v1", "\"" + kPlainSecret + "\xff\""), k); }},
      {"decrypt: strict mode", [&] { decryptCredentials(plain, strict); }},
      {"needsRewrap: broken envelope", [&] { needsRewrap(with(e, "ct", 1), k); }},
      {"rewrap: tampered",
       [&] {
         rewrapCredentials(with(e, "kid", "v1"),
                           cc::Keyring::fromBase64({{"v1", kKeyA}, {"v3", kKeyC}}, "v3"));
       }},
      {"rewrap: not JSON", [&] { rewrapCredentials(sealRaw(kKeyA, "v1", kPlainSecret), k); }},
  };
  for (const auto& [name, fn] : paths) {
    INFO("path: " << name);
    try {
      fn();
      FAIL_CHECK("no error");
    } catch (const cc::Error& err) {
      requireNoSecret(err.what(), {kKeyA, kKeyB, kKeyC, kPlainSecret});
    }
  }
}

TEST_CASE("encrypting and decrypting leave no plaintext in freed memory") {
  const cc::Keyring k = keyringV1();
  const json plain = {{"password", kPlainSecret},
                      {"nested", {{"token", kPlainSecret + "-2"}, {"list", {kPlainSecret}}}}};
  json envelope;
  CHECK(freedCopies({kPlainSecret}, [&] { envelope = cc::encryptCredentials(plain, k); }) == 0);
  json back;
  const std::size_t decryptCopies =
      freedCopies({kPlainSecret}, [&] { back = cc::decryptCredentials(envelope, k); });
  CHECK(back == plain);
  // Both parsers, simdjson and the library's own reader (the build without simdjson, the text
  // simdjson refuses), copy nothing outside wiped memory (tests/test_no_plaintext_survives.cpp).
  CHECK(decryptCopies == 0);
}

TEST_CASE("a value the parser restarts is wiped before it is dropped") {
  // The fast parser reports events, then hands the text to the library's reader (deep nesting):
  // what the builder holds so far goes, wiped, and the value is built again from its start.
  cc::detail::adapter::Builder<json> builder;
  const auto object = builder.onBeginObject(nullptr, {}, 2);
  builder.onString(object, "a", kPlainSecret);
  builder.onBeginArray(object, "n", 0);
  CHECK(freedCopies({kPlainSecret}, [&] { builder.onRestart(); }) == 0);
  const auto array = builder.onBeginArray(nullptr, {}, 1);
  builder.onUint(array, {}, 7);
  builder.onEndArray(array);
  CHECK(builder.take() == json::array({7}));
}
