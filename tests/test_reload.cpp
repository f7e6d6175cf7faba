// Keyring::reload: a keyring built from the environment re-reads its sources, validates them and
// swaps the configuration in whole, or refuses and keeps the current one (issue 22).
#include <atomic>
#include <csignal>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "reload_support.hpp"

using namespace test_support;
using namespace reload_support;
namespace cc = connector_crypto;
using nlohmann::json;

namespace {

const Version kV1{{{"v1", kKeyA}}, "v1"};
const Version kStaged{{{"v1", kKeyA}, {"v2", kKeyB}}, "v1"};
const Version kActivated{{{"v1", kKeyA}, {"v2", kKeyB}}, "v2"};
const Version kRetired{{{"v2", kKeyB}}, "v2"};

// The value sealed by keyring under its active kid, and whether it opens under other.
bool opensUnder(const cc::Keyring& writer, const cc::Keyring& reader) {
  const json plain = {{"password", "p"}};
  return cc::decryptCredentials(cc::encryptCredentials(plain, writer), reader) == plain;
}

}  // namespace

TEST_CASE("reload follows the files: stage, activate, retire") {
  KeyFolder folder("cycle");
  folder.projectVersion(kV1);
  const cc::EnvLookup env = envOf(folder.env());
  const cc::Keyring k = cc::keyringFromEnv(env);
  const cc::Keyring copy = k;  // copies share the live configuration
  CHECK(k.reloadable());
  CHECK(k.configFingerprint() == kV1.fingerprint());
  const json underV1 = cc::encryptCredentials({{"a", 1}}, k);

  SECTION("nothing changed") {
    const cc::ReloadResult r = k.reload();
    CHECK(r.ok);
    CHECK_FALSE(r.changed);
    CHECK(r.message == "the configuration is unchanged");
    CHECK(r.configFingerprint == kV1.fingerprint());
    CHECK(k.stats().reloads == 1);
    CHECK(k.stats().reloadsChanged == 0);
  }
  SECTION("each stage is taken in whole, by every copy") {
    for (const Version& v : {kStaged, kActivated, kRetired}) {
      folder.projectVersion(v);
      const cc::ReloadResult r = k.reload();
      CHECK(r.ok);
      CHECK(r.changed);
      CHECK(r.message == "reloaded a new configuration");
      CHECK(r.configFingerprint == v.fingerprint());
      CHECK(copy.configFingerprint() == v.fingerprint());
      CHECK(copy.activeKid() == v.active);
      CHECK(copy.kids().size() == v.keys.size());
    }
    CHECK(k.stats().reloadsChanged == 3);
    CHECK(k.stats().reloadFailures == 0);
    CHECK(k.stats().configFingerprint == kRetired.fingerprint());
    // Retired: v1 is gone, as the runbook's last stage wants.
    CHECK_FALSE(k.contains("v1"));
    CHECK_THROWS_AS(cc::decryptCredentials(underV1, k), cc::UnknownKidError);
  }
  SECTION("a kid kept across a reload keeps its counters") {
    CHECK(cc::decryptCredentials(underV1, k) == json{{"a", 1}});
    folder.projectVersion(kStaged);
    REQUIRE(k.reload().changed);
    CHECK(k.stats().perKid.at("v1").encryptions == 1);
    CHECK(k.stats().perKid.at("v1").decryptions == 1);
    CHECK(k.stats().perKid.at("v2").encryptions == 0);
  }
}

TEST_CASE("a keyring with nothing to re-read says so and changes nothing") {
  const cc::Keyring k = keyringV1V2("v2");
  CHECK_FALSE(k.reloadable());
  const cc::ReloadResult r = k.reload();
  CHECK(r.ok);
  CHECK_FALSE(r.changed);
  CHECK(r.message ==
        "nothing to re-read: the keyring was not built from the environment (keyringFromEnv); "
        "the configuration is unchanged");
  CHECK(r.configFingerprint == k.configFingerprint());
  CHECK(k.stats().reloads == 0);
}

TEST_CASE("the configuration fingerprint") {
  const std::string f = kActivated.fingerprint();
  CHECK(f.size() == 16);
  CHECK(f.find_first_not_of("0123456789abcdef") == std::string::npos);
  // It changes with the active kid, a kid's name and a key; not with how the keyring was built.
  CHECK(f != kStaged.fingerprint());
  CHECK(f != Version{{{"v1", kKeyA}, {"v3", kKeyB}}, "v1"}.fingerprint());
  CHECK(f != Version{{{"v1", kKeyA}, {"v2", kKeyC}}, "v2"}.fingerprint());
  CHECK(cc::keyringFromEnv(envOf({{"CONNECTOR_CRED_KEYS", kActivated.keysJson()},
                                  {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}))
            .configFingerprint() == f);
  CHECK(keyringV1().stats().configFingerprint == kV1.fingerprint());
}

TEST_CASE("a refused reload keeps the current keyring, and says why") {
  KeyFolder folder("refuse");
  folder.projectVersion(kStaged);
  std::map<std::string, std::string> vars = folder.env();
  const cc::Keyring k =
      cc::keyringFromEnv([&vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      });
  const json underV1 = cc::encryptCredentials({{"a", 1}}, k);
  const auto refused = [&](const std::string& why) {
    const cc::ReloadResult r = k.reload();
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.changed);
    CHECK(r.message == "reload refused, the current configuration is kept: " + why);
    CHECK(r.configFingerprint == kStaged.fingerprint());
    const cc::KeyringStats stats = k.stats();
    CHECK(stats.reloadFailures == 1);
    CHECK(stats.lastReloadError == r.message);
    CHECK(stats.lastReloadErrorTime.time_since_epoch().count() != 0);
    CHECK(stats.configFingerprint == kStaged.fingerprint());
    // The old keyring keeps working.
    CHECK(cc::decryptCredentials(underV1, k) == json{{"a", 1}});
    CHECK(opensUnder(k, k));
    requireNoSecret(r.message, {kKeyA, kKeyB, kKeyC});
  };
  SECTION("a held kid given different key bytes") {
    folder.projectVersion(Version{{{"v1", kKeyC}, {"v2", kKeyB}}, "v1"});
    refused(
        "CONNECTOR_CRED_KEYS_FILE gives kid \"v1\" a different key than the keyring holds: every "
        "envelope under it would become unreadable; refused (a restart takes any configuration)");
  }
  SECTION("an invalid configuration: the active kid not in the map") {
    folder.projectVersion(Version{{{"v1", kKeyA}, {"v2", kKeyB}}, "v9"});
    refused(
        "CONNECTOR_CRED_ACTIVE_KID_FILE names kid \"v9\", which CONNECTOR_CRED_KEYS_FILE does not "
        "hold");
  }
  SECTION("garbage") {
    folder.projectVersion(kStaged);
    writeWhole(folder.dir() + "/..v2/keys.json", "{\"v1\": garbage");
    refused(
        "CONNECTOR_CRED_KEYS_FILE is not valid JSON (syntax error near byte 7); expected "
        "{\"kid\":\"<base64 key>\", ...}");
  }
  SECTION("a missing file") {
    vars["CONNECTOR_CRED_KEYS_FILE"] = folder.dir() + "/missing.json";
    refused("CONNECTOR_CRED_KEYS_FILE (\"" + folder.dir() +
            "/missing.json\"): cannot open the file: No such file or directory");
  }
  SECTION("a folder") {
    vars["CONNECTOR_CRED_KEYS_FILE"] = folder.dir();
    refused("CONNECTOR_CRED_KEYS_FILE (\"" + folder.dir() +
            "\"): cannot read the file: Is a directory");
  }
  SECTION("a FIFO") {
    const std::string fifo = folder.dir() + "/fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    vars["CONNECTOR_CRED_KEYS_FILE"] = fifo;
    ::alarm(20);  // a hang fails the test
    refused("CONNECTOR_CRED_KEYS_FILE (\"" + fifo +
            "\"): not a regular file (a FIFO, socket or device); point it at the file that holds "
            "the secret");
    ::alarm(0);
  }
  SECTION("KEY and KEY_FILE both set") {
    vars["CONNECTOR_CRED_KEY"] = kKeyA;
    vars["CONNECTOR_CRED_KEY_FILE"] = folder.keysPath();
    refused("CONNECTOR_CRED_KEY and CONNECTOR_CRED_KEY_FILE are both set; set only one of them");
  }
  SECTION("a lookup that throws") {
    const cc::Keyring other =
        cc::keyringFromEnv([&](const std::string& name) -> std::optional<std::string> {
          if (name == "CONNECTOR_CRED_KEYS" && vars.count("throw") != 0)
            throw std::runtime_error(kKeyA);
          return name == "CONNECTOR_CRED_KEY" ? std::optional<std::string>(kKeyA) : std::nullopt;
        });
    vars["throw"] = "1";
    const cc::ReloadResult r = other.reload();
    CHECK_FALSE(r.ok);
    CHECK(r.message ==
          "reload refused, the current configuration is kept: the EnvLookup threw an exception");
    CHECK(other.fingerprint("v1") == kFingerprintA);
  }
  SECTION("dropping a kid is allowed, and a later good version is taken") {
    folder.projectVersion(Version{{{"v2", kKeyB}}, "v2"});
    CHECK(k.reload().changed);
    CHECK(k.kids() == std::vector<std::string>{"v2"});
    CHECK(k.stats().reloadFailures == 0);
  }
}

TEST_CASE("never half a configuration") {
  KeyFolder folder("half");
  const Version a{{{"v1", kKeyA}, {"v2", kKeyB}}, "v1"};
  const Version b{{{"v2", kKeyB}, {"v3", kKeyC}}, "v2"};
  // What a reader reading a's keys.json and b's active-kid would build: valid, and neither.
  const Version mixed{{{"v1", kKeyA}, {"v2", kKeyB}}, "v2"};
  REQUIRE(mixed.fingerprint() != a.fingerprint());
  std::function<void()> hook;
  // The hook runs after keys.json was read and before active-kid is.
  const auto keyring = [&] {
    return cc::keyringFromEnv(hookedEnv(folder.env(), "CONNECTOR_CRED_ACTIVE_KID_FILE", &hook));
  };
  SECTION("Kubernetes swaps ..data between the two reads") {
    folder.projectVersion(a);
    const cc::Keyring k = keyring();
    hook = [&] { folder.projectVersion(b); };
    const cc::ReloadResult r = k.reload();
    CHECK(r.ok);
    CHECK(r.changed);
    CHECK(k.configFingerprint() == b.fingerprint());
  }
  SECTION("keys.json renamed over between the two reads") {
    folder.renameVersion(a);
    const cc::Keyring k = keyring();
    hook = [&] { folder.renameVersion(b); };
    CHECK(k.reload().changed);
    CHECK(k.configFingerprint() == b.fingerprint());
  }
  SECTION("keys.json rewritten in place, same size and the same instant, between the reads") {
    const Version a2{{{"v1", kKeyA}, {"v2", kKeyC}}, "v1"};  // a's size, v2's key changed
    folder.renameVersion(a);
    const cc::Keyring k = keyring();
    hook = [&] {
      folder.rewriteKeysInPlace(a2.keysJson(), [] {});
      folder.writeActive("v2");
    };
    // v2 would get other bytes: refused once the consistent read sees it, never a mix.
    const cc::ReloadResult r = k.reload();
    CHECK_FALSE(r.ok);
    CHECK(r.message ==
          "reload refused, the current configuration is kept: CONNECTOR_CRED_KEYS_FILE gives kid "
          "\"v2\" a different key than the keyring holds: every envelope under it would become "
          "unreadable; refused (a restart takes any configuration)");
    CHECK(k.configFingerprint() == a.fingerprint());
  }
  SECTION("an in-place rewrite seen half-written fails, and the next reload takes it") {
    folder.renameVersion(a);
    const cc::Keyring k = keyring();
    cc::ReloadResult during;
    folder.rewriteKeysInPlace(b.keysJson(), [&] { during = k.reload(); });
    CHECK_FALSE(during.ok);
    CHECK(k.configFingerprint() == a.fingerprint());
    CHECK(opensUnder(k, k));
    folder.writeActive("v2");
    CHECK(k.reload().changed);
    CHECK(k.configFingerprint() == b.fingerprint());
    CHECK(k.stats().reloadFailures == 1);
  }
  SECTION("delete, then recreate") {
    folder.renameVersion(a);
    const cc::Keyring k = keyring();
    REQUIRE(::unlink(folder.keysPath().c_str()) == 0);
    const cc::ReloadResult gone = k.reload();
    CHECK_FALSE(gone.ok);
    CHECK(gone.message ==
          "reload refused, the current configuration is kept: "
          "CONNECTOR_CRED_KEYS_FILE (\"" +
              folder.keysPath() + "\"): cannot open the file: No such file or directory");
    CHECK(opensUnder(k, k));
    folder.renameVersion(b);
    CHECK(k.reload().changed);
    CHECK(k.configFingerprint() == b.fingerprint());
  }
  SECTION("files that never stop changing: refused after a few attempts") {
    folder.renameVersion(a);
    int swaps = -1;  // no swapping while the keyring is built
    const cc::Keyring k =
        cc::keyringFromEnv([&](const std::string& name) -> std::optional<std::string> {
          if (name == "CONNECTOR_CRED_ACTIVE_KID_FILE" && swaps >= 0) {
            folder.renameVersion(++swaps % 2 == 0 ? a : b);
          }
          const auto vars = folder.env();
          auto it = vars.find(name);
          if (it == vars.end()) return std::nullopt;
          return it->second;
        });
    swaps = 0;
    const cc::ReloadResult r = k.reload();
    CHECK_FALSE(r.ok);
    CHECK(r.message ==
          "reload refused, the current configuration is kept: the key files (_FILE variables) "
          "changed while they were read, 4 times in a row: a rotation is being written; the "
          "current configuration is kept");
    swaps = -1;
  }
}

TEST_CASE("automatic reload: the first call after the interval checks, with no thread") {
  KeyFolder folder("auto");
  folder.projectVersion(kV1);
  const cc::Keyring k = cc::keyringFromEnv(envOf(folder.env()), std::chrono::milliseconds(100));
  CHECK(k.options().reloadInterval == std::chrono::milliseconds(100));
  folder.projectVersion(kStaged);
  // Within the interval, nothing is read.
  CHECK(k.configFingerprint() == kV1.fingerprint());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  // The first call after it checks the sources and takes the new configuration.
  CHECK(k.contains("v2"));
  CHECK(k.configFingerprint() == kStaged.fingerprint());
  CHECK(k.stats().reloadsChanged == 1);
  SECTION("CONNECTOR_CRED_RELOAD_SECONDS") {
    auto vars = folder.env();
    vars["CONNECTOR_CRED_RELOAD_SECONDS"] = "30";
    CHECK(cc::keyringFromEnv(envOf(vars)).options().reloadInterval == std::chrono::seconds(30));
    vars["CONNECTOR_CRED_RELOAD_SECONDS"] = "0";
    CHECK(cc::keyringFromEnv(envOf(vars)).options().reloadInterval.count() == 0);
    vars["CONNECTOR_CRED_RELOAD_SECONDS"] = "";
    CHECK(cc::keyringFromEnv(envOf(vars)).options().reloadInterval.count() == 0);
    vars["CONNECTOR_CRED_RELOAD_SECONDS"] = "3600";
    CHECK(cc::keyringFromEnv(envOf(vars)).options().reloadInterval == std::chrono::hours(1));
    for (const char* bad : {"3601", "-1", "1.5", " 5", "5s", "x", "99999"}) {
      INFO("value: " << bad);
      vars["CONNECTOR_CRED_RELOAD_SECONDS"] = bad;
      // The interval argument replaces the variable, which is then not read.
      vars["CONNECTOR_CRED_RELOAD_SECONDS"] = "x";
      CHECK(cc::keyringFromEnv(envOf(vars), std::chrono::seconds(2)).options().reloadInterval ==
            std::chrono::seconds(2));
      CHECK(messageOf<cc::KeyringError>([&] { cc::keyringFromEnv(envOf(vars)); }) ==
            "CONNECTOR_CRED_RELOAD_SECONDS must be a whole number of seconds from 1 to 3600 (how "
            "often the key files are checked), or 0, empty or unset (off)");
    }
    // The interval argument replaces the variable, which is then not read.
    vars["CONNECTOR_CRED_RELOAD_SECONDS"] = "x";
    CHECK(cc::keyringFromEnv(envOf(vars), std::chrono::seconds(2)).options().reloadInterval ==
          std::chrono::seconds(2));
    CHECK(messageOf<cc::KeyringError>([&] {
            cc::keyringFromEnv(envOf(folder.env()), std::chrono::milliseconds(-1));
          }) == "reloadInterval must not be negative");
  }
}

TEST_CASE("the activation race: an unknown kid reloads once, then decrypts") {
  // Two instances on one folder; the writer activates v2 and writes before the reader's interval
  // has elapsed.
  KeyFolder folder("race");
  folder.projectVersion(kStaged);
  const cc::Keyring reader = cc::keyringFromEnv(envOf(folder.env()), std::chrono::hours(1));
  folder.projectVersion(Version{{{"v1", kKeyA}, {"v2", kKeyB}, {"v3", kKeyC}}, "v3"});
  const cc::Keyring writer = cc::keyringFromEnv(envOf(folder.env()), std::chrono::hours(1));
  const json plain = {{"password", "p"}};
  const json underV3 = cc::encryptCredentials(plain, writer);
  CHECK(cc::decryptCredentials(underV3, reader) == plain);
  CHECK(reader.stats().reloadsChanged == 1);
  SECTION("at most once per second: a kid no version holds throws at once") {
    const json unknown = sealRaw(kKeyD, "v9", R"({"x":1})");
    CHECK_THROWS_AS(cc::decryptCredentials(unknown, reader), cc::UnknownKidError);
    CHECK_THROWS_AS(cc::decryptCredentials(unknown, reader), cc::UnknownKidError);
    CHECK(reader.stats().reloads == 1);  // the reload for v3 counted; none since
  }
  SECTION("the text API and rewrap too") {
    folder.projectVersion(
        Version{{{"v1", kKeyA}, {"v2", kKeyB}, {"v3", kKeyC}, {"v4", kKeyD}}, "v4"});
    const cc::Keyring writer4 = cc::keyringFromEnv(envOf(folder.env()), std::chrono::hours(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const std::string text = cc::encryptCredentialsText(R"({"k":"v"})", writer4);
    const cc::SecretBuffer opened = cc::decryptCredentialsText(text, reader);
    CHECK(std::string(opened.begin(), opened.end()) == R"({"k":"v"})");
  }
  SECTION("a keyring without automatic reload throws as before") {
    const cc::Keyring still = cc::keyringFromEnv(envOf(folder.env()));
    folder.projectVersion(
        Version{{{"v1", kKeyA}, {"v2", kKeyB}, {"v3", kKeyC}, {"v4", kKeyD}}, "v4"});
    const cc::Keyring writer4 = cc::keyringFromEnv(envOf(folder.env()));
    CHECK_THROWS_AS(cc::decryptCredentials(cc::encryptCredentials(plain, writer4), still),
                    cc::UnknownKidError);
    CHECK(still.stats().reloads == 0);
  }
}
