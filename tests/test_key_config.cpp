// KeyConfig: the one reader of the key configuration (every variable, the _FILE twins, the 1 MiB
// limit, whitespace, the default kid), rotation's two edits, and the InsecureKeyAccess gate.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <type_traits>
#include <utility>

#include "keyring_state.hpp"
#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using cc::KeyConfig;
using cc::KeyringError;

namespace {

std::string configError(std::map<std::string, std::string> vars) {
  const std::string msg = messageOf<KeyringError>([&] { KeyConfig::fromEnv(envOf(vars)); });
  requireNoSecret(msg, {kKeyA, kKeyB, kKeyC});
  return msg;
}

std::string keysJson(const std::map<std::string, std::string>& m) {
  return nlohmann::json(m).dump();
}

std::string str(const cc::SecretBuffer& b) { return std::string(b.begin(), b.end()); }

// A file under /tmp, removed when the object dies.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content)
      : path_("/tmp/cc_key_config_" + std::to_string(::getpid()) + "_" + name) {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The keyring rules, the fingerprints and the options of two keyrings agree.
void requireSameKeyring(const cc::Keyring& a, const cc::Keyring& b) {
  REQUIRE(a.kids() == b.kids());
  CHECK(a.activeKid() == b.activeKid());
  CHECK(a.options().requireEncrypted == b.options().requireEncrypted);
  for (const std::string& kid : a.kids()) CHECK(a.fingerprint(kid) == b.fingerprint(kid));
}

// Whether keyBase64 can be called on a C without the tag (it must not).
template <typename C, typename = void>
struct KeyBase64WithoutTag : std::false_type {};
template <typename C>
struct KeyBase64WithoutTag<C, std::void_t<decltype(std::declval<const C&>().keyBase64("v1"))>>
    : std::true_type {};
// Whether a Keyring has a key accessor of that name at all (it must not).
template <typename C, typename = void>
struct HasKeyBase64 : std::false_type {};
template <typename C>
struct HasKeyBase64<C, std::void_t<decltype(std::declval<const C&>().keyBase64(
                           "v1", cc::insecureKeyAccess()))>> : std::true_type {};

}  // namespace

TEST_CASE("the default kid is one named constant") {
  STATIC_REQUIRE(std::string_view(cc::kDefaultKid) == "v1");
  const KeyConfig config = KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}}));
  CHECK(config.kids() == std::vector<std::string>{cc::kDefaultKid});
  CHECK(config.activeKid() == cc::kDefaultKid);
  SECTION("an empty CONNECTOR_CRED_KID counts as unset") {
    CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", ""}}))
              .activeKid() == cc::kDefaultKid);
  }
}

TEST_CASE("KeyConfig::fromEnv: CONNECTOR_CRED_KEY and CONNECTOR_CRED_KID") {
  SECTION("accepted") {
    SECTION("a named kid") {
      const KeyConfig c =
          KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "k1"}}));
      CHECK(c.kids() == std::vector<std::string>{"k1"});
      CHECK(c.activeKid() == "k1");
      CHECK(c.contains("k1"));
      CHECK_FALSE(c.contains("v1"));
      CHECK(c.toKeyring().fingerprint("k1") == kFingerprintA);
    }
    SECTION("ACTIVE_KID equal to the kid") {
      CHECK(KeyConfig::fromEnv(
                envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}))
                .activeKid() == "v1");
    }
  }
  SECTION("whitespace around a key is trimmed, every kind of it") {
    // Each ASCII space, and its JSON spelling inside CONNECTOR_CRED_KEYS.
    const std::vector<std::pair<char, std::string>> spaces = {
        {' ', " "}, {'\t', "\\t"}, {'\n', "\\n"}, {'\r', "\\r"}, {'\f', "\\f"}, {'\v', "\\u000b"}};
    for (const auto& [space, json] : spaces) {
      INFO("space: " << static_cast<int>(space));
      const std::string padded = std::string(2, space) + kKeyA + std::string(3, space);
      CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", padded}}))
                .toKeyring()
                .fingerprint("v1") == kFingerprintA);
      const std::string map = "{\"v1\":\"" + json + kKeyA + json + "\"}";
      CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEYS", map}}))
                .toKeyring()
                .fingerprint("v1") == kFingerprintA);
    }
  }
  SECTION("errors name the variable, exactly") {
    SECTION("CONNECTOR_CRED_KEY") {
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 40)}}) ==
            "CONNECTOR_CRED_KEY is not a base64 32-byte key: it decodes to 30 bytes (expected 44 "
            "characters of standard padded base64, as `connector-crypto keygen` prints)");
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 20) + " " + kKeyA.substr(20)}}) ==
            "CONNECTOR_CRED_KEY is not valid standard base64: a character outside A-Z a-z 0-9 + "
            "/ (a space or line break inside the key counts), or '=' anywhere but at the end");
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 42) + "-="}}) ==
            "CONNECTOR_CRED_KEY is URL-safe base64 ('-', '_'): write the key in standard base64 "
            "('+', '/', '=' padding), as `connector-crypto keygen` prints it");
      CHECK(configError({{"CONNECTOR_CRED_KEY", " \t\r\n\f\v"}}) ==
            "CONNECTOR_CRED_KEY is empty: expected a base64 32-byte key");
    }
    SECTION("CONNECTOR_CRED_KID") {
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "bad kid"}}) ==
            "CONNECTOR_CRED_KID is not a valid kid (1 to 64 printable ASCII characters without "
            "spaces)");
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", " v1"}}) ==
            "CONNECTOR_CRED_KID is not a valid kid (1 to 64 printable ASCII characters without "
            "spaces)");  // kids are not trimmed: only key text is
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyB}, {"CONNECTOR_CRED_KID", kKeyA}}) ==
            std::string("CONNECTOR_CRED_KID ") + cc::kidProblem(kKeyA));
    }
    SECTION("CONNECTOR_CRED_ACTIVE_KID") {
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}) ==
            "CONNECTOR_CRED_ACTIVE_KID is set but does not match CONNECTOR_CRED_KID (\"v1\"); with "
            "a single CONNECTOR_CRED_KEY, use CONNECTOR_CRED_KID, or use CONNECTOR_CRED_KEYS for "
            "several keys");
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", "a b"}}) ==
            "CONNECTOR_CRED_ACTIVE_KID is not a valid kid (1 to 64 printable ASCII characters "
            "without spaces)");
    }
    SECTION("nothing set, or only empty values") {
      const std::string unset =
          "CONNECTOR_CRED_KEY is not set: set it to a base64 32-byte key (connector-crypto "
          "keygen), or set CONNECTOR_CRED_KEYS; credentials are never stored in plaintext";
      CHECK(configError({}) == unset);
      CHECK(configError({{"CONNECTOR_CRED_KEY", ""},
                         {"CONNECTOR_CRED_KEYS", ""},
                         {"CONNECTOR_CRED_KEY_FILE", ""},
                         {"CONNECTOR_CRED_KEYS_FILE", ""}}) == unset);
      CHECK(configError({{"CONNECTOR_CRED_KID", "v1"}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}) ==
            unset);
    }
  }
}

TEST_CASE("KeyConfig::fromEnv: CONNECTOR_CRED_KEYS and CONNECTOR_CRED_ACTIVE_KID") {
  const std::string ab = keysJson({{"v1", kKeyA}, {"v2", kKeyB}});
  SECTION("accepted") {
    const KeyConfig c =
        KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEYS", ab}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}));
    CHECK(c.kids() == std::vector<std::string>{"v1", "v2"});
    CHECK(c.activeKid() == "v1");
    SECTION("one entry needs no ACTIVE_KID") {
      CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEYS", keysJson({{"k", kKeyC}})}}))
                .activeKid() == "k");
    }
    SECTION("CONNECTOR_CRED_KEY beside it, when its key is in the map: the map governs") {
      const KeyConfig both = KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyB + "\n"},
                                                       {"CONNECTOR_CRED_KID", "ignored"},
                                                       {"CONNECTOR_CRED_KEYS", ab},
                                                       {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}));
      CHECK(both.kids() == std::vector<std::string>{"v1", "v2"});
      CHECK(both.activeKid() == "v2");
    }
  }
  SECTION("errors name the variable, exactly") {
    CHECK(configError({{"CONNECTOR_CRED_KEYS", ab}}) ==
          "CONNECTOR_CRED_ACTIVE_KID is required when CONNECTOR_CRED_KEYS holds more than one key");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", ab}, {"CONNECTOR_CRED_ACTIVE_KID", "v3"}}) ==
          "CONNECTOR_CRED_ACTIVE_KID names kid \"v3\", which CONNECTOR_CRED_KEYS does not hold");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", "{}"}}) == "CONNECTOR_CRED_KEYS holds no keys");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", "[]"}}) ==
          "CONNECTOR_CRED_KEYS must be a JSON object of kid -> base64 key, not an array");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA}}) ==
          "CONNECTOR_CRED_KEYS is not valid JSON (syntax error near byte 51); expected "
          "{\"kid\":\"<base64 key>\", ...}");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", "{\"v1\":\"AAAA\"}"}}) ==
          "CONNECTOR_CRED_KEYS[\"v1\"] is not a base64 32-byte key: it decodes to 3 bytes "
          "(expected 44 characters of standard padded base64, as `connector-crypto keygen` "
          "prints)");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyA}})},
                       {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}) ==
          "CONNECTOR_CRED_KEYS: kids \"v1\" and \"v2\" hold the same key (a copy-paste mistake?); "
          "each kid needs its own key");
    CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyC}, {"CONNECTOR_CRED_KEYS", ab},
                       {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}) ==
          "CONNECTOR_CRED_KEY and CONNECTOR_CRED_KEYS are both set and the single key is not in "
          "the map: two contradicting configurations; keep only CONNECTOR_CRED_KEYS");
  }
}

TEST_CASE("KeyConfig::fromEnv: the _FILE twins") {
  SECTION("read, and trimmed like the variables") {
    const TempFile key("key", "\n" + kKeyA + "\r\n");
    CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY_FILE", key.path()}}))
              .toKeyring()
              .fingerprint("v1") == kFingerprintA);
    const TempFile keys("keys", keysJson({{"v1", kKeyA}, {"v2", kKeyB}}) + "\n");
    const KeyConfig c = KeyConfig::fromEnv(
        envOf({{"CONNECTOR_CRED_KEYS_FILE", keys.path()}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}));
    CHECK(c.toKeyring().fingerprint("v2") == kFingerprintB);
  }
  SECTION("a file of exactly 1 MiB is read; one byte more is refused") {
    const std::size_t mib = 1024 * 1024;
    const TempFile exact("exact", kKeyA + std::string(mib - kKeyA.size(), '\n'));
    CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY_FILE", exact.path()}})).activeKid() ==
          "v1");
    const TempFile over("over", kKeyA + std::string(mib - kKeyA.size() + 1, '\n'));
    CHECK(configError({{"CONNECTOR_CRED_KEY_FILE", over.path()}}) ==
          "CONNECTOR_CRED_KEY_FILE (\"" + over.path() + "\"): the file is larger than 1 MiB");
    const TempFile overKeys("over_keys", std::string(mib + 1, ' '));
    CHECK(configError({{"CONNECTOR_CRED_KEYS_FILE", overKeys.path()}}) ==
          "CONNECTOR_CRED_KEYS_FILE (\"" + overKeys.path() + "\"): the file is larger than 1 MiB");
  }
  SECTION("errors name the _FILE variable, exactly") {
    const TempFile key("key", kKeyA);
    CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KEY_FILE", key.path()}}) ==
          "CONNECTOR_CRED_KEY and CONNECTOR_CRED_KEY_FILE are both set; set only one of them");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", "{}"}, {"CONNECTOR_CRED_KEYS_FILE", key.path()}}) ==
          "CONNECTOR_CRED_KEYS and CONNECTOR_CRED_KEYS_FILE are both set; set only one of them");
    CHECK(configError({{"CONNECTOR_CRED_KEY_FILE", "/nonexistent/key"}}) ==
          "CONNECTOR_CRED_KEY_FILE (\"/nonexistent/key\"): cannot open the file: No such file or "
          "directory");
    CHECK(configError({{"CONNECTOR_CRED_KEYS_FILE", "/tmp"}}) ==
          "CONNECTOR_CRED_KEYS_FILE (\"/tmp\"): cannot read the file: Is a directory");
    // The key itself set as the path: never echoed.
    CHECK(configError({{"CONNECTOR_CRED_KEY_FILE", kKeyA}}) ==
          "CONNECTOR_CRED_KEY_FILE (a path that looks like a key): cannot open the file: No such "
          "file or directory");
    const TempFile notKey("not_key", "not a key\n");
    CHECK(configError({{"CONNECTOR_CRED_KEY_FILE", notKey.path()}}) ==
          "CONNECTOR_CRED_KEY_FILE is not valid standard base64: a character outside A-Z a-z "
          "0-9 + / (a space or line break inside the key counts), or '=' anywhere but at the "
          "end");
    const TempFile notJson("not_json", kKeyA);
    CHECK(configError({{"CONNECTOR_CRED_KEYS_FILE", notJson.path()}}) ==
          "CONNECTOR_CRED_KEYS_FILE is not valid JSON (syntax error near byte 0); expected "
          "{\"kid\":\"<base64 key>\", ...}");
  }
}

TEST_CASE("KeyConfig::fromEnv: a _FILE is a regular file, read without blocking") {
  // Without O_NONBLOCK and the type check, the FIFO and the pipe hang: the alarm fails the test.
  ::alarm(20);
  SECTION("a FIFO") {
    const std::string fifo = "/tmp/cc_key_config_" + std::to_string(::getpid()) + "_fifo";
    std::remove(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(configError({{"CONNECTOR_CRED_KEY_FILE", fifo}}) ==
          "CONNECTOR_CRED_KEY_FILE (\"" + fifo +
              "\"): not a regular file (a FIFO, socket or device); point it at the file that "
              "holds the secret");
    std::remove(fifo.c_str());
  }
  SECTION("a pipe whose writer stays open") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
    CHECK(configError({{"CONNECTOR_CRED_KEYS_FILE", path}}) ==
          "CONNECTOR_CRED_KEYS_FILE (\"" + path +
              "\"): not a regular file (a FIFO, socket or device); point it at the file that "
              "holds the secret");
    ::close(fds[0]);
    ::close(fds[1]);
  }
  SECTION("a symlink to a regular file is followed (Kubernetes secret volumes)") {
    const TempFile key("linked_key", kKeyA + "\n");
    const std::string link = key.path() + ".link";
    std::remove(link.c_str());
    REQUIRE(::symlink(key.path().c_str(), link.c_str()) == 0);
    CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY_FILE", link}})).contains("v1"));
    std::remove(link.c_str());
  }
  SECTION("a character device") {
    CHECK(configError({{"CONNECTOR_CRED_KEY_FILE", "/dev/zero"}}) ==
          "CONNECTOR_CRED_KEY_FILE (\"/dev/zero\"): not a regular file (a FIFO, socket or "
          "device); point it at the file that holds the secret");
  }
  ::alarm(0);
}

TEST_CASE("KeyConfig::fromEnv: CONNECTOR_CRED_ACTIVE_KID_FILE") {
  const TempFile keys("kid_keys", "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\"}");
  SECTION("the active kid from a file, its newline trimmed") {
    const TempFile active("active_kid", "v2\n");
    const KeyConfig c =
        KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEYS_FILE", keys.path()},
                                  {"CONNECTOR_CRED_ACTIVE_KID_FILE", active.path()}}));
    CHECK(c.activeKid() == "v2");
  }
  SECTION("errors name it") {
    const TempFile active("active_kid", "v9\n");
    CHECK(configError({{"CONNECTOR_CRED_KEYS_FILE", keys.path()},
                       {"CONNECTOR_CRED_ACTIVE_KID_FILE", active.path()}}) ==
          "CONNECTOR_CRED_ACTIVE_KID_FILE names kid \"v9\", which CONNECTOR_CRED_KEYS_FILE does "
          "not hold");
    const TempFile keyShaped("active_key", kKeyA + "\n");
    CHECK(configError({{"CONNECTOR_CRED_KEYS_FILE", keys.path()},
                       {"CONNECTOR_CRED_ACTIVE_KID_FILE", keyShaped.path()}}) ==
          std::string("CONNECTOR_CRED_ACTIVE_KID_FILE ") + cc::detail::kKeyShapedKidProblem);
    CHECK(configError({{"CONNECTOR_CRED_KEYS_FILE", keys.path()},
                       {"CONNECTOR_CRED_ACTIVE_KID", "v1"},
                       {"CONNECTOR_CRED_ACTIVE_KID_FILE", active.path()}}) ==
          "CONNECTOR_CRED_ACTIVE_KID and CONNECTOR_CRED_ACTIVE_KID_FILE are both set; set only one "
          "of them");
  }
}

TEST_CASE("KeyConfig::fromEnv: CONNECTOR_CRED_REQUIRE_ENCRYPTED") {
  const auto with = [](const std::string& value) {
    return KeyConfig::fromEnv(
        envOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", value}}));
  };
  SECTION("on and off") {
    CHECK(with("1").options().requireEncrypted);
    CHECK(with("1").toKeyring().options().requireEncrypted);
    CHECK_FALSE(with("0").options().requireEncrypted);
    CHECK_FALSE(with("").options().requireEncrypted);
  }
  SECTION("anything else") {
    for (const char* bad : {"true", "1 ", "01", "on"}) {
      INFO("value: " << bad);
      CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", bad}}) ==
            "CONNECTOR_CRED_REQUIRE_ENCRYPTED must be 1 (on) or 0, empty or unset (off)");
    }
  }
}

TEST_CASE("keyringFromEnv is KeyConfig::fromEnv then toKeyring") {
  const TempFile keys("keys", keysJson({{"v1", kKeyA}, {"v2", kKeyB}, {"v3", kKeyC}}));
  for (const auto& vars : std::vector<std::map<std::string, std::string>>{
           {{"CONNECTOR_CRED_KEY", kKeyA}},
           {{"CONNECTOR_CRED_KEY", kKeyB}, {"CONNECTOR_CRED_KID", "x"},
            {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "1"}},
           {{"CONNECTOR_CRED_KEYS_FILE", keys.path()}, {"CONNECTOR_CRED_ACTIVE_KID", "v3"}}}) {
    requireSameKeyring(KeyConfig::fromEnv(envOf(vars)).toKeyring(),
                       cc::keyringFromEnv(envOf(vars)));
  }
  SECTION("and both read the process environment through processEnvLookup") {
    ::setenv("CONNECTOR_CRED_KEY", kKeyB.c_str(), 1);
    ::setenv("CONNECTOR_CRED_KID", "proc", 1);
    CHECK(cc::processEnvLookup()("CONNECTOR_CRED_KID") == std::optional<std::string>("proc"));
    const KeyConfig c = KeyConfig::fromEnv();
    const cc::Keyring k = cc::keyringFromEnv();
    ::unsetenv("CONNECTOR_CRED_KEY");
    ::unsetenv("CONNECTOR_CRED_KID");
    CHECK(cc::processEnvLookup()("CONNECTOR_CRED_KID") == std::nullopt);
    CHECK(c.activeKid() == "proc");
    requireSameKeyring(c.toKeyring(), k);
  }
}

TEST_CASE("rotation edits a KeyConfig") {
  KeyConfig config = KeyConfig::fromEnv(
      envOf({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})},
             {"CONNECTOR_CRED_ACTIVE_KID", "v2"},
             {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "1"}}));
  SECTION("addGeneratedKey mints a key under a new kid and keeps the active kid") {
    config.addGeneratedKey("v3");
    CHECK(config.kids() == std::vector<std::string>{"v1", "v2", "v3"});
    CHECK(config.activeKid() == "v2");
    CHECK(config.options().requireEncrypted);
    const cc::Keyring k = config.toKeyring();
    CHECK(k.fingerprint("v1") == kFingerprintA);
    CHECK(k.fingerprint("v2") == kFingerprintB);
    CHECK(k.fingerprint("v3").size() == 16);
    CHECK(k.options().requireEncrypted);
    SECTION("a second config minting the same kid gets another key") {
      KeyConfig other = KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", kKeyA}}));
      other.addGeneratedKey("v3");
      CHECK(other.toKeyring().fingerprint("v3") != k.fingerprint("v3"));
    }
    SECTION("then setActiveKid moves the active kid to it") {
      config.setActiveKid("v3");
      CHECK(config.activeKid() == "v3");
      CHECK(config.toKeyring().activeKid() == "v3");
      CHECK(config.toKeyring().fingerprint("v3") == k.fingerprint("v3"));
      SECTION("and removeKey retires the old kids (stage 3), the options kept") {
        config.removeKey("v1");
        config.removeKey("v2");
        CHECK(config.kids() == std::vector<std::string>{"v3"});
        CHECK(config.activeKid() == "v3");
        CHECK_FALSE(config.contains("v1"));
        const cc::Keyring retired = config.toKeyring();
        CHECK(retired.kids() == std::vector<std::string>{"v3"});
        CHECK(retired.fingerprint("v3") == k.fingerprint("v3"));
        CHECK(retired.options().requireEncrypted);
      }
    }
  }
  SECTION("refusals leave the configuration as it was") {
    SECTION("a kid it holds") {
      CHECK(messageOf<KeyringError>([&] { config.addGeneratedKey("v1"); }) ==
            "kid \"v1\" already exists; choose a new kid");
    }
    SECTION("an invalid kid, through kidProblem") {
      CHECK(messageOf<KeyringError>([&] { config.addGeneratedKey(""); }) ==
            "new kid must be 1 to 64 printable ASCII characters without spaces");
      CHECK(messageOf<KeyringError>([&] { config.addGeneratedKey("a b"); }) ==
            "new kid must be 1 to 64 printable ASCII characters without spaces");
      CHECK(messageOf<KeyringError>([&] { config.addGeneratedKey(std::string(65, 'k')); }) ==
            "new kid must be 1 to 64 printable ASCII characters without spaces");
      for (const std::string& kid : keyShapedKids()) {
        const std::string msg = messageOf<KeyringError>([&] { config.addGeneratedKey(kid); });
        CHECK(msg == std::string("new kid ") + cc::kidProblem(kid));
        requireNoSecret(msg, {kid});
      }
    }
    SECTION("a kid to remove that it does not hold, or the active kid") {
      CHECK(messageOf<KeyringError>([&] { config.removeKey("v9"); }) ==
            "kid \"v9\" is not in the configuration");
      CHECK(messageOf<KeyringError>([&] { config.removeKey(kKeyC); }) ==
            "a kid is not in the configuration");
      CHECK(messageOf<KeyringError>([&] { config.removeKey("v2"); }) ==
            "kid \"v2\" is the active kid: activate another kid first (rotation stage 2)");
    }
    SECTION("an active kid it does not hold") {
      CHECK(messageOf<KeyringError>([&] { config.setActiveKid("v9"); }) ==
            "kid \"v9\" is not in the configuration");
      CHECK(messageOf<KeyringError>([&] { config.setActiveKid(kKeyC); }) ==
            "a kid is not in the configuration");
    }
    CHECK(config.kids() == std::vector<std::string>{"v1", "v2"});
    CHECK(config.activeKid() == "v2");
  }
  SECTION("copies are independent; a moved-from KeyConfig is empty") {
    KeyConfig copy = config;
    copy.addGeneratedKey("v3");
    CHECK(config.kids().size() == 2);
    CHECK(copy.kids().size() == 3);
    KeyConfig moved = std::move(copy);
    CHECK(moved.kids().size() == 3);
    CHECK(copy.kids().empty());  // NOLINT(bugprone-use-after-move): the documented state
    CHECK(copy.activeKid().empty());
    CHECK_FALSE(copy.contains("v1"));
    CHECK(messageOf<KeyringError>([&] { (void)copy.toKeyring(); }) == "KeyConfig holds no keys");
    copy = config;
    requireSameKeyring(copy.toKeyring(), config.toKeyring());
  }
}

TEST_CASE("key bytes leave a KeyConfig only through the InsecureKeyAccess gate") {
  SECTION("the tag has one factory, and the accessor needs it") {
    STATIC_REQUIRE_FALSE(std::is_default_constructible_v<cc::InsecureKeyAccess>);
    STATIC_REQUIRE_FALSE(std::is_aggregate_v<cc::InsecureKeyAccess>);
    STATIC_REQUIRE(std::is_empty_v<cc::InsecureKeyAccess>);
    STATIC_REQUIRE_FALSE(KeyBase64WithoutTag<KeyConfig>::value);
    STATIC_REQUIRE(HasKeyBase64<KeyConfig>::value);
    STATIC_REQUIRE_FALSE(HasKeyBase64<cc::Keyring>::value);  // a keyring exposes no key
  }
  KeyConfig config = KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", " " + kKeyA + "\n"}}));
  SECTION("the key as canonical standard base64") {
    CHECK(str(config.keyBase64("v1", cc::insecureKeyAccess())) == kKeyA);
  }
  SECTION("a minted key, read out, is the key the keyring holds") {
    config.addGeneratedKey("v2");
    const std::string minted = str(config.keyBase64("v2", cc::insecureKeyAccess()));
    CHECK(minted.size() == 44);
    CHECK(cc::Keyring::fromBase64({{"v2", minted}}, "v2").fingerprint("v2") ==
          config.toKeyring().fingerprint("v2"));
  }
  SECTION("an unknown kid") {
    CHECK(messageOf<cc::UnknownKidError>([&] {
            config.keyBase64("v9", cc::insecureKeyAccess());
          }) == "keyBase64: kid \"v9\" is not in the configuration");
    CHECK(messageOf<cc::UnknownKidError>([&] {
            config.keyBase64(kKeyB, cc::insecureKeyAccess());
          }) == "keyBase64: the kid is not in the configuration");
  }
}

// Each way a key commonly goes wrong gets its own message, naming the variable and never the key.
TEST_CASE("a key that is not canonical padded base64 of 32 bytes: the message says which problem") {
  const std::string standard = "++/77/vv++/77/vv++/77/vv++/77/vv++/77/vv++8=";  // 16 x fb ef
  std::string urlSafe = standard;
  std::replace(urlSafe.begin(), urlSafe.end(), '+', '-');
  std::replace(urlSafe.begin(), urlSafe.end(), '/', '_');
  REQUIRE(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY", standard}})).kids().size() == 1);
  const std::string lengthRule =
      " (expected 44 characters of standard padded base64, as `connector-crypto keygen` prints)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\"" + kKeyA + "\"",
       "CONNECTOR_CRED_KEY is quoted: remove the quotes around the key (a key is bare standard "
       "base64, as `connector-crypto keygen` prints it)"},
      {"'" + kKeyA + "'",
       "CONNECTOR_CRED_KEY is quoted: remove the quotes around the key (a key is bare standard "
       "base64, as `connector-crypto keygen` prints it)"},
      {" \"" + kKeyA + "\"\n",
       "CONNECTOR_CRED_KEY is quoted: remove the quotes around the key (a key is bare standard "
       "base64, as `connector-crypto keygen` prints it)"},
      {urlSafe,
       "CONNECTOR_CRED_KEY is URL-safe base64 ('-', '_'): write the key in standard base64 "
       "('+', '/', '=' padding), as `connector-crypto keygen` prints it"},
      {urlSafe.substr(0, 43),
       "CONNECTOR_CRED_KEY is URL-safe base64 ('-', '_'): write the key in standard base64 "
       "('+', '/', '=' padding), as `connector-crypto keygen` prints it"},
      {kKeyA.substr(0, 43),
       "CONNECTOR_CRED_KEY is unpadded base64: a 32-byte key is 44 characters, the last one "
       "'=' (standard padded base64, as `connector-crypto keygen` prints)"},
      {"AAECAwQFBgcICQoLDA0ODw==",
       "CONNECTOR_CRED_KEY is a 16-byte key (AES-128): this library needs a 32-byte key "
       "(AES-256; mint one with `connector-crypto keygen`)"},
      {"AAECAwQFBgcICQoLDA0ODw",
       "CONNECTOR_CRED_KEY is a 16-byte key (AES-128): this library needs a 32-byte key "
       "(AES-256; mint one with `connector-crypto keygen`)"},
      {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
       "CONNECTOR_CRED_KEY is not a base64 32-byte key: it decodes to 31 bytes" + lengthRule},
      {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g",
       "CONNECTOR_CRED_KEY is not a base64 32-byte key: it decodes to 33 bytes" + lengthRule},
      {kKeyA.substr(0, 42) + "9=",
       "CONNECTOR_CRED_KEY is not canonical base64: the character before '=' has unused bits "
       "set (a mistyped key?)"},
      {kKeyA + "=",
       "CONNECTOR_CRED_KEY is not valid standard base64: its 45 characters (2 of them '=' "
       "padding) cannot be base64 (a character lost or added?)"},
      {kKeyA.substr(0, 10) + "=" + kKeyA.substr(11),
       "CONNECTOR_CRED_KEY is not valid standard base64: a character outside A-Z a-z 0-9 + / "
       "(a space or line break inside the key counts), or '=' anywhere but at the end"},
      {standard.substr(0, 20) + "-" + standard.substr(21),
       "CONNECTOR_CRED_KEY is not valid standard base64: a character outside A-Z a-z 0-9 + / "
       "(a space or line break inside the key counts), or '=' anywhere but at the end"},
      {kKeyA.substr(0, 41),
       "CONNECTOR_CRED_KEY is not valid standard base64: its 41 characters (0 of them '=' "
       "padding) cannot be base64 (a character lost or added?)"},
  };
  for (const auto& [key, message] : cases) {
    INFO("key: " << key);
    const std::string got = configError({{"CONNECTOR_CRED_KEY", key}});
    CHECK(got == message);
    requireNoSecret(got, {key, kKeyA, standard.substr(0, 20), urlSafe.substr(0, 20)});
    // The same rule for every source: a map entry, a file, Keyring::fromBase64.
    const std::string inMap = configError(
        {{"CONNECTOR_CRED_KEYS", "{\"v1\":" + nlohmann::json(key).dump() + "}"}});
    CHECK(inMap == "CONNECTOR_CRED_KEYS[\"v1\"]" + message.substr(message.find(' ')));
    const std::string& text = key;  // a structured binding is not captured before C++20
    CHECK(messageOf<KeyringError>([&] { cc::Keyring::fromBase64({{"v1", text}}, "v1"); }) ==
          "kidToKey[\"v1\"]" + message.substr(message.find(' ')));
  }
}

// The environment's edge rules, as README's "Environment" section states them, one CHECK each.
TEST_CASE("the environment's edge rules, as README states them") {
  const auto activeOf = [](std::map<std::string, std::string> vars) {
    return KeyConfig::fromEnv(envOf(vars)).activeKid();
  };
  const TempFile keyFile("edge_key", "\n " + kKeyA + " \r\n");
  const TempFile emptyFile("edge_empty", "");
  SECTION("an empty variable, _FILE included, counts as unset") {
    CHECK(configError({{"CONNECTOR_CRED_KEY", ""}}).rfind("CONNECTOR_CRED_KEY is not set", 0) == 0);
    CHECK(activeOf({{"CONNECTOR_CRED_KEY", kKeyA},
                    {"CONNECTOR_CRED_KEY_FILE", ""},
                    {"CONNECTOR_CRED_KEYS", ""},
                    {"CONNECTOR_CRED_KEYS_FILE", ""},
                    {"CONNECTOR_CRED_KID", ""},
                    {"CONNECTOR_CRED_ACTIVE_KID", ""},
                    {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", ""},
                    {"CONNECTOR_CRED_BIND_CONTEXT", ""},
                    {"CONNECTOR_CRED_REQUIRE_CONTEXT", ""}}) == "v1");
  }
  SECTION("but a value of only whitespace, or an empty file, is an empty key") {
    CHECK(configError({{"CONNECTOR_CRED_KEY", " \t"}}) ==
          "CONNECTOR_CRED_KEY is empty: expected a base64 32-byte key");
    CHECK(configError({{"CONNECTOR_CRED_KEY_FILE", emptyFile.path()}}) ==
          "CONNECTOR_CRED_KEY_FILE is empty: expected a base64 32-byte key");
  }
  SECTION("ACTIVE_KID without KEYS must equal KID (default v1)") {
    CHECK(activeOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}) == "v1");
    CHECK(activeOf({{"CONNECTOR_CRED_KEY", kKeyA},
                    {"CONNECTOR_CRED_KID", "k2"},
                    {"CONNECTOR_CRED_ACTIVE_KID", "k2"}}) == "k2");
    CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA},
                       {"CONNECTOR_CRED_KID", "k9"},
                       {"CONNECTOR_CRED_ACTIVE_KID", "v1"}})
              .rfind("CONNECTOR_CRED_ACTIVE_KID is set but does not match CONNECTOR_CRED_KID", 0) ==
          0);
  }
  SECTION("KID is ignored beside KEYS, even one that breaks the kid rule") {
    CHECK(activeOf({{"CONNECTOR_CRED_KEYS", keysJson({{"a1", kKeyA}})},
                    {"CONNECTOR_CRED_KID", "bad kid"}}) == "a1");
  }
  SECTION("whitespace around a key is trimmed: in KEY, in KEYS values, in a _FILE") {
    CHECK(KeyConfig::fromEnv(
              envOf({{"CONNECTOR_CRED_KEYS", "{ \"a1\" : \" \\t" + kKeyA + "\\n\" }"}}))
              .toKeyring()
              .fingerprint("a1") == kFingerprintA);
    CHECK(KeyConfig::fromEnv(envOf({{"CONNECTOR_CRED_KEY_FILE", keyFile.path()}}))
              .toKeyring()
              .fingerprint("v1") == kFingerprintA);
  }
  SECTION("kids are never trimmed and compare case-sensitively") {
    CHECK(configError({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", " v1"}}) ==
          "CONNECTOR_CRED_KID is not a valid kid (1 to 64 printable ASCII characters without "
          "spaces)");
    CHECK(activeOf({{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "V1"}}) == "V1");
    CHECK(configError({{"CONNECTOR_CRED_KEYS", keysJson({{"v1", kKeyA}, {"v2", kKeyB}})},
                       {"CONNECTOR_CRED_ACTIVE_KID", "V2"}}) ==
          "CONNECTOR_CRED_ACTIVE_KID names kid \"V2\", which CONNECTOR_CRED_KEYS does not hold");
  }
}
