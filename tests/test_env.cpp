// keyringFromEnv: every environment rule, including the _FILE twins and strict mode.
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "connector_crypto/json_whitespace.hpp"
#include "test_support.hpp"

using namespace test_support;
using connector_crypto::Keyring;
using connector_crypto::KeyringError;
using connector_crypto::keyringFromEnv;

namespace {
std::string envError(std::map<std::string, std::string> vars) {
  const std::vector<std::string> secrets = {kKeyA, kKeyB, kKeyC};
  const std::string msg = messageOf<KeyringError>([&] { keyringFromEnv(envOf(vars)); });
  requireNoSecret(msg, secrets);
  return msg;
}
std::string keysJson(const std::map<std::string, std::string>& m) { return nlohmann::json(m).dump(); }
bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
}  // namespace

TEST_CASE("single key from CONNECTOR_CRED_KEY") {
  SECTION("default kid v1") {
    const Keyring k = keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}}));
    CHECK(k.activeKid() == "v1");
    CHECK(k.kids() == std::vector<std::string>{"v1"});
    CHECK(k.fingerprint("v1") == kFingerprintA);
  }
  SECTION("CONNECTOR_CRED_KID names it") {
    const Keyring k =
        keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "prod-2026"}}));
    CHECK(k.activeKid() == "prod-2026");
  }
  SECTION("a trailing newline from a secrets store is trimmed") {
    CHECK(keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA + "\n"}})).fingerprint("v1") ==
          kFingerprintA);
  }
  SECTION("ACTIVE_KID equal to the kid is accepted, another is not") {
    CHECK(keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}))
              .activeKid() == "v1");
    CHECK(startsWith(
        envError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}),
        "CONNECTOR_CRED_ACTIVE_KID is set but does not match CONNECTOR_CRED_KID (\"v1\")"));
  }
  SECTION("bad values name the variable and never echo it") {
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 40)}}),
                     "CONNECTOR_CRED_KEY is not a base64 32-byte key"));
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEY", "QUFB" + kKeyA.substr(4, 36) + "-_8="}}),
                     "CONNECTOR_CRED_KEY is not valid standard base64"));
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 43)}}),
                     "CONNECTOR_CRED_KEY is not a base64 32-byte key"));
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEY", "   \n"}}),
                     "CONNECTOR_CRED_KEY is empty"));
    CHECK(envError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "bad kid"}}) ==
          "CONNECTOR_CRED_KID is not a valid kid (1 to 64 printable ASCII characters without "
          "spaces)");
    // A key pasted into the kid variable is not echoed either.
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEY", kKeyB}, {"CONNECTOR_CRED_KID", kKeyA + " "}}),
                     "CONNECTOR_CRED_KID is not a valid kid"));
  }
}

TEST_CASE("nothing configured is an error, never plaintext storage") {
  const std::string msg = envError({});
  CHECK(startsWith(msg, "CONNECTOR_CRED_KEY is not set"));
  SECTION("empty counts as unset") { CHECK(envError({{"CONNECTOR_CRED_KEY", ""}}) == msg); }
}

TEST_CASE("rotation from CONNECTOR_CRED_KEYS") {
  SECTION("two keys and an active kid") {
    const Keyring k = keyringFromEnv(envOf({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})},
                                            {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}));
    CHECK(k.activeKid() == "v2");
    CHECK(k.kids() == std::vector<std::string>{"v1", "v2"});
  }
  SECTION("one entry needs no ACTIVE_KID") {
    CHECK(keyringFromEnv(envOf({{"CONNECTOR_CRED_KEYS", keysJson({{"v7", kKeyA}})}})).activeKid() ==
          "v7");
  }
  SECTION("several entries need ACTIVE_KID, naming an entry") {
    CHECK(envError({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})}}) ==
          "CONNECTOR_CRED_ACTIVE_KID is required when CONNECTOR_CRED_KEYS holds more than one key");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})},
                    {"CONNECTOR_CRED_ACTIVE_KID", "v3"}}) ==
          "CONNECTOR_CRED_ACTIVE_KID names kid \"v3\", which CONNECTOR_CRED_KEYS does not hold");
  }
  SECTION("malformed maps") {
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "{}"}}) == "CONNECTOR_CRED_KEYS holds no keys");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "[\"" + kKeyA + "\"]"}}) ==
          "CONNECTOR_CRED_KEYS must be a JSON object of kid -> base64 key, not an array");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "null"}}) ==
          "CONNECTOR_CRED_KEYS must be a JSON object of kid -> base64 key, not null");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "{\"v1\":{\"k\":\"" + kKeyA + "\"}}"}}) ==
          "CONNECTOR_CRED_KEYS: the key under kid \"v1\" must be a base64 string, not an object");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "{\"v1\":1}"}}) ==
          "CONNECTOR_CRED_KEYS: the key under kid \"v1\" must be a base64 string, not a number");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\",\"v1\":\"" + kKeyB + "\"}"}}) ==
          "CONNECTOR_CRED_KEYS: kid \"v1\" appears twice");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "{\"\":\"" + kKeyA + "\"}"}}) ==
          "CONNECTOR_CRED_KEYS holds an invalid kid (kids are 1 to 64 printable ASCII characters "
          "without spaces)");
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"AAAA\"}"}}),
                     "CONNECTOR_CRED_KEYS[\"v1\"] is not a base64 32-byte key"));
    CHECK(envError({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyA}})},
                    {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}) ==
          "CONNECTOR_CRED_KEYS: kids \"v1\" and \"v2\" hold the same key (a copy-paste mistake?); "
          "each kid needs its own key");
  }
  SECTION("JSON syntax errors never quote the text") {
    // Breaks off inside a key: nlohmann's own message would quote the key's characters.
    const std::string msg =
        envError({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA.substr(0, 30)}});
    CHECK(startsWith(msg, "CONNECTOR_CRED_KEYS is not valid JSON (syntax error near byte"));
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}}) + " trailing"}}),
                     "CONNECTOR_CRED_KEYS is not valid JSON"));
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\xff\"}"}}),
                     "CONNECTOR_CRED_KEYS is not valid JSON"));
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEYS", kKeyA}}),
                     "CONNECTOR_CRED_KEYS is not valid JSON"));
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEYS", std::string(1 << 20, '{')}}),
                     "CONNECTOR_CRED_KEYS is not valid JSON"));
  }
}

TEST_CASE("CONNECTOR_CRED_KEY and CONNECTOR_CRED_KEYS together") {
  SECTION("the map governs when it holds the single key") {
    const Keyring k = keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA},
                                            {"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})},
                                            {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}));
    CHECK(k.activeKid() == "v2");
    CHECK(k.kids() == std::vector<std::string>{"v1", "v2"});
  }
  SECTION("otherwise it is two contradicting configurations") {
    CHECK(envError({{"CONNECTOR_CRED_KEY", kKeyC},
                    {"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})},
                    {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}) ==
          "CONNECTOR_CRED_KEY and CONNECTOR_CRED_KEYS are both set and the single key is not in "
          "the map: two contradicting configurations; keep only CONNECTOR_CRED_KEYS");
  }
}

TEST_CASE("_FILE variables read secrets from files") {
  const std::string path = "cc_test_key_file.txt";
  {
    std::ofstream f(path);
    f << kKeyA << "\n";
  }
  SECTION("CONNECTOR_CRED_KEY_FILE") {
    CHECK(keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY_FILE", path}})).fingerprint("v1") ==
          kFingerprintA);
  }
  SECTION("CONNECTOR_CRED_KEYS_FILE") {
    {
      std::ofstream f(path);
      f << keysJson({{"v1", kKeyA}, {"v2", kKeyB}});
    }
    const Keyring k = keyringFromEnv(
        envOf({{"CONNECTOR_CRED_KEYS_FILE", path}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}));
    CHECK(k.fingerprint("v2") == kFingerprintB);
  }
  SECTION("a variable and its twin together") {
    CHECK(envError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KEY_FILE", path}}) ==
          "CONNECTOR_CRED_KEY and CONNECTOR_CRED_KEY_FILE are both set; set only one of them");
    CHECK(envError({{"CONNECTOR_CRED_KEYS", "{}"}, {"CONNECTOR_CRED_KEYS_FILE", path}}) ==
          "CONNECTOR_CRED_KEYS and CONNECTOR_CRED_KEYS_FILE are both set; set only one of them");
  }
  SECTION("a missing file") {
    CHECK(envError({{"CONNECTOR_CRED_KEY_FILE", "/nonexistent/key"}}) ==
          "CONNECTOR_CRED_KEY_FILE (\"/nonexistent/key\"): cannot open the file: No such file or "
          "directory");
  }
  SECTION("errors name the _FILE variable") {
    {
      std::ofstream f(path);
      f << "not a key";
    }
    CHECK(startsWith(envError({{"CONNECTOR_CRED_KEY_FILE", path}}),
                     "CONNECTOR_CRED_KEY_FILE is not a base64 32-byte key"));
  }
  std::remove(path.c_str());
}

TEST_CASE("CONNECTOR_CRED_REQUIRE_ENCRYPTED") {
  const auto with = [](const std::string& value) {
    return keyringFromEnv(
        envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", value}}));
  };
  CHECK_FALSE(keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}})).options().requireEncrypted);
  CHECK_FALSE(with("").options().requireEncrypted);
  CHECK_FALSE(with("0").options().requireEncrypted);
  CHECK(with("1").options().requireEncrypted);
  for (const char* bad : {"true", "yes", "on", "2", " 1", "false"}) {
    INFO("value: " << bad);
    CHECK(envError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", bad}}) ==
          "CONNECTOR_CRED_REQUIRE_ENCRYPTED must be 1 (on) or 0, empty or unset (off)");
  }
}

TEST_CASE("keyringFromEnv() reads the process environment") {
  ::setenv("CONNECTOR_CRED_KEY", kKeyB.c_str(), 1);
  ::setenv("CONNECTOR_CRED_KID", "proc", 1);
  const Keyring k = keyringFromEnv();
  ::unsetenv("CONNECTOR_CRED_KEY");
  ::unsetenv("CONNECTOR_CRED_KID");
  CHECK(k.activeKid() == "proc");
  CHECK(k.fingerprint("proc") == kFingerprintB);
}

TEST_CASE("a key set as a kid is refused in every variable a kid comes from") {
  const std::string tail =
      " must not be a key: it decodes as base64 to 32 bytes, and every envelope stores its kid "
      "in clear (name keys v1, v2, ...)";
  SECTION("CONNECTOR_CRED_KID") {
    for (const std::string& kid : keyShapedKids()) {
      INFO("kid of " << kid.size() << " characters");
      const std::string msg =
          envError({{"CONNECTOR_CRED_KEY", kKeyB}, {"CONNECTOR_CRED_KID", kid}});
      CHECK(msg == "CONNECTOR_CRED_KID" + tail);
      requireNoSecret(msg, {kid});
    }
  }
  SECTION("a kid of CONNECTOR_CRED_KEYS") {
    for (const std::string& kid : keyShapedKids()) {
      INFO("kid of " << kid.size() << " characters");
      const std::string msg = envError({{"CONNECTOR_CRED_KEYS", keysJson({{kid, kKeyB}})}});
      CHECK(msg == "CONNECTOR_CRED_KEYS: a kid" + tail);
      requireNoSecret(msg, {kid});
    }
  }
  SECTION("CONNECTOR_CRED_ACTIVE_KID, with a map or a single key") {
    for (const std::string& kid : keyShapedKids()) {
      INFO("kid of " << kid.size() << " characters");
      const std::string withMap =
          envError({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})},
                    {"CONNECTOR_CRED_ACTIVE_KID", kid}});
      CHECK(withMap == "CONNECTOR_CRED_ACTIVE_KID" + tail);
      const std::string withSingle =
          envError({{"CONNECTOR_CRED_KEY", kKeyB}, {"CONNECTOR_CRED_ACTIVE_KID", kid}});
      CHECK(withSingle == "CONNECTOR_CRED_ACTIVE_KID" + tail);
      requireNoSecret(withMap + withSingle, {kid});
    }
  }
  SECTION("long descriptive kids keep working") {
    for (const std::string& kid : kDescriptiveKids) {
      INFO("kid: " << kid);
      CHECK(keyringFromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", kid}}))
                .activeKid() == kid);
      CHECK(keyringFromEnv(envOf({{"CONNECTOR_CRED_KEYS", keysJson({{kid, kKeyA}, {"v2", kKeyB}})},
                                  {"CONNECTOR_CRED_ACTIVE_KID", kid}}))
                .activeKid() == kid);
    }
  }
}

TEST_CASE("CONNECTOR_CRED_KEYS: JSON's whitespace between tokens, and nothing else") {
  SECTION("the rule is RFC 8259's four bytes") {
    for (int c = 0; c < 256; ++c) {
      INFO("byte " << c);
      CHECK(connector_crypto::isJsonWhitespace(static_cast<char>(c)) ==
            (c == ' ' || c == '\t' || c == '\n' || c == '\r'));
    }
  }
  // {"v1":"<kA>","v2":"<kB>"} with `space` before and after every token.
  const auto spaced = [](const std::string& s) {
    return s + "{" + s + "\"v1\"" + s + ":" + s + "\"" + kKeyA + "\"" + s + "," + s + "\"v2\"" + s +
           ":" + s + "\"" + kKeyB + "\"" + s + "}" + s;
  };
  SECTION("each JSON whitespace byte is skipped everywhere") {
    for (const std::string space : {" ", "\t", "\n", "\r", " \t\r\n"}) {
      INFO("space: " << static_cast<int>(space[0]));
      const Keyring k = keyringFromEnv(
          envOf({{"CONNECTOR_CRED_KEYS", spaced(space)}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}));
      CHECK(k.kids() == std::vector<std::string>{"v1", "v2"});
      CHECK(k.fingerprint("v1") == kFingerprintA);
    }
  }
  SECTION("other spaces are syntax errors between tokens") {
    // \f and \v are trimmed around a key (isKeyTextSpace), but are not JSON whitespace; nor is
    // U+00A0.
    for (const std::string space : {"\f", "\v", "\xc2\xa0"}) {
      INFO("space: " << static_cast<int>(static_cast<unsigned char>(space[0])));
      CHECK(startsWith(
          envError({{"CONNECTOR_CRED_KEYS", spaced(space)}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}),
          "CONNECTOR_CRED_KEYS is not valid JSON (syntax error near byte 0)"));
    }
  }
}
