// connector-crypto rotate --format keys-file -o DIR: keys.json and active-kid, the two entries of
// one secret (CONNECTOR_CRED_KEYS_FILE and CONNECTOR_CRED_ACTIVE_KID_FILE).
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include "atomic_file.hpp"
#include "cli/cli_fixture.hpp"

using namespace cli_fixture;
using test_support::kKeyA;
using test_support::kKeyB;

namespace {

// The names in a folder, sorted.
std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// A folder's names, each with its type, mode and bytes (or link target): what "touched" means.
std::string stateOf(const std::string& dir) {
  std::string s;
  for (const std::string& name : listing(dir)) {
    const std::string path = dir + "/" + name;
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    s += name + " mode " + std::to_string(st.st_mode);
    if (S_ISREG(st.st_mode)) s += " bytes " + readFile(path);
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      const ssize_t n = ::readlink(path.c_str(), target, sizeof target);
      REQUIRE(n > 0);
      s += " -> " + std::string(target, static_cast<std::size_t>(n));
    }
    s += "\n";
  }
  return s;
}

mode_t modeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

std::string wrote(const std::string& folder) {
  return "connector-crypto rotate: wrote " + folder + "/keys.json and " + folder +
         "/active-kid (mode 0600): point CONNECTOR_CRED_KEYS_FILE and "
         "CONNECTOR_CRED_ACTIVE_KID_FILE at them\n";
}

}  // namespace

TEST_CASE("rotate --format keys-file -o DIR writes keys.json and active-kid, each 0600") {
  TempDir dir;
  const std::string out = dir.file("secret");
  REQUIRE(::mkdir(out.c_str(), 0700) == 0);

  const Run stage1 = run({"rotate", "--kid", "v3", "--format", "keys-file", "-o", out});
  REQUIRE(stage1.code == 0);
  CHECK(stage1.out.empty());
  CHECK(stage1.err == wrote(out));
  test_support::requireNoSecret(stage1.err, allKeys());
  // Two files and nothing else (no temporary file left), each 0600.
  CHECK(listing(out) == std::vector<std::string>{"active-kid", "keys.json"});
  CHECK(modeOf(out + "/keys.json") == (S_IFREG | 0600));
  CHECK(modeOf(out + "/active-kid") == (S_IFREG | 0600));
  // keys.json is what --format keys-file prints: one JSON object and a newline, the old keys as
  // they were; active-kid is the active kid, unchanged by stage 1, and a newline.
  const std::string keys = readFile(out + "/keys.json");
  CHECK(keys.rfind("{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\",\"v3\":\"", 0) == 0);
  CHECK(keys.find('\n') == keys.size() - 1);
  REQUIRE(nlohmann::json::parse(keys).size() == 3);
  CHECK(readFile(out + "/active-kid") == "v2\n");

  const std::map<std::string, std::string> stage1Env = {
      {"CONNECTOR_CRED_KEYS_FILE", out + "/keys.json"}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}};
  SECTION("read back, it is the keyring rotate built") {
    const std::string newKey = nlohmann::json::parse(keys).at("v3").get<std::string>();
    const auto expected =
        connector_crypto::Keyring::fromBase64({{"v1", kKeyA}, {"v2", kKeyB}, {"v3", newKey}}, "v2");
    const auto fromFiles = connector_crypto::keyringFromEnv(test_support::envOf(stage1Env));
    REQUIRE(fromFiles.kids() == expected.kids());
    CHECK(fromFiles.activeKid() == "v2");
    for (const std::string& kid : expected.kids()) {
      CHECK(fromFiles.fingerprint(kid) == expected.fingerprint(kid));
    }
  }
  SECTION("a service reads the two files; check prints the fingerprint it reports") {
    const std::map<std::string, std::string> files = {
        {"CONNECTOR_CRED_KEYS_FILE", out + "/keys.json"},
        {"CONNECTOR_CRED_ACTIVE_KID_FILE", out + "/active-kid"}};
    const auto stage1Keyring = connector_crypto::keyringFromEnv(test_support::envOf(files));
    CHECK(stage1Keyring.activeKid() == "v2");
    CHECK(stage1Keyring.kids() == std::vector<std::string>{"v1", "v2", "v3"});
    const std::string line1 = "config_fingerprint " + stage1Keyring.configFingerprint() + "\n";
    const Run check1 = run({"check"}, files);
    REQUIRE(check1.code == 0);
    CHECK(check1.out.find(line1) != std::string::npos);

    REQUIRE(
        run({"rotate", "--activate", "v3", "--format", "keys-file", "-o", out, "--force"}, files)
            .code == 0);
    const auto stage2Keyring = connector_crypto::keyringFromEnv(test_support::envOf(files));
    CHECK(stage2Keyring.activeKid() == "v3");
    CHECK(stage2Keyring.configFingerprint() != stage1Keyring.configFingerprint());
    const Run check2 = run({"check"}, files);
    REQUIRE(check2.code == 0);
    CHECK(check2.out.find("config_fingerprint " + stage2Keyring.configFingerprint() + "\n") !=
          std::string::npos);
  }
  SECTION("stage 2 into the same folder (--force): the same keys.json, the new active kid") {
    const Run stage2 = run(
        {"rotate", "--activate", "v3", "--format", "keys-file", "-o", out, "--force"}, stage1Env);
    REQUIRE(stage2.code == 0);
    CHECK(stage2.out.empty());
    CHECK(stage2.err == wrote(out));
    CHECK(readFile(out + "/keys.json") == keys);
    CHECK(readFile(out + "/active-kid") == "v3\n");
    CHECK(listing(out) == std::vector<std::string>{"active-kid", "keys.json"});
  }
  SECTION("a name ending in '/' is the same folder") {
    const Run again =
        run({"rotate", "--activate", "v1", "--format", "keys-file", "-o", out + "//", "--force"},
            stage1Env);
    REQUIRE(again.code == 0);
    CHECK(again.err == wrote(out));
    CHECK(readFile(out + "/active-kid") == "v1\n");
  }
  SECTION("--force replaces regular files of any mode by 0600 files") {
    REQUIRE(::chmod((out + "/keys.json").c_str(), 0644) == 0);
    REQUIRE(::chmod((out + "/active-kid").c_str(), 0644) == 0);
    REQUIRE(run({"rotate", "--activate", "v3", "--format", "keys-file", "-o", out, "--force"},
                stage1Env)
                .code == 0);
    CHECK(modeOf(out + "/keys.json") == (S_IFREG | 0600));
    CHECK(modeOf(out + "/active-kid") == (S_IFREG | 0600));
  }
}

TEST_CASE("rotate -o DIR checks both targets before it writes either, and touches nothing then") {
  TempDir dir;
  const std::string out = dir.file("secret");
  REQUIRE(::mkdir(out.c_str(), 0700) == 0);
  const std::string notFolder = "\" is not a folder";
  const std::string tail = " (--format keys-file -o DIR writes into an existing folder)\n";
  struct Case {
    std::string name;
    std::vector<std::string> extra;  // after rotate --kid v3 --format keys-file
    std::string setup;               // what the folder holds
    int code;
    std::string message;  // after "connector-crypto rotate: "
  };
  const std::vector<Case> cases = {
      {"an existing keys.json",
       {"-o", out},
       "keys.json",
       2,
       "\"" + out + "/keys.json\" already exists (--force replaces it)\n"},
      {"an existing active-kid alone: keys.json is not written either",
       {"-o", out},
       "active-kid",
       2,
       "\"" + out + "/active-kid\" already exists (--force replaces it)\n"},
      {"keys.json a symbolic link, even with --force",
       {"-o", out, "--force"},
       "link keys.json",
       2,
       "\"" + out +
           "/keys.json\" is a symbolic link; -o never follows one: give the path of the "
           "file itself\n"},
      {"active-kid a folder, even with --force",
       {"-o", out, "--force"},
       "folder active-kid",
       2,
       "\"" + out +
           "/active-kid\" exists and is not a regular file (a folder, device, FIFO or socket); -o "
           "only replaces a regular file\n"},
      {"active-kid a FIFO, even with --force",
       {"-o", out, "--force"},
       "fifo active-kid",
       2,
       "\"" + out +
           "/active-kid\" exists and is not a regular file (a folder, device, FIFO or socket); -o "
           "only replaces a regular file\n"},
      {"a folder that does not exist",
       {"-o", dir.file("missing/")},
       "",
       2,
       "\"" + dir.file("missing/") + notFolder + tail},
      {"a regular file named as a folder",
       {"-o", out + "/plain/"},
       "plain",
       2,
       "\"" + out + "/plain/" + notFolder + tail},
      {"a symbolic link to a folder",
       {"-o", out + "/link/"},
       "dirlink link",
       2,
       "\"" + out + "/link/" + notFolder + " but a symbolic link; -o never follows one" + tail},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      if (c.setup == "keys.json" || c.setup == "active-kid" || c.setup == "plain") {
        writeFile(out + "/" + c.setup, "old\n");
      } else if (c.setup == "link keys.json") {
        writeFile(out + "/elsewhere.json", "old\n");
        REQUIRE(::symlink("elsewhere.json", (out + "/keys.json").c_str()) == 0);
      } else if (c.setup == "folder active-kid") {
        REQUIRE(::mkdir((out + "/active-kid").c_str(), 0700) == 0);
      } else if (c.setup == "fifo active-kid") {
        REQUIRE(::mkfifo((out + "/active-kid").c_str(), 0600) == 0);
      } else if (c.setup == "dirlink link") {
        REQUIRE(::mkdir((out + "/real").c_str(), 0700) == 0);
        REQUIRE(::symlink("real", (out + "/link").c_str()) == 0);
      }
      const std::string before = stateOf(out);
      std::vector<std::string> args = {"rotate", "--kid", "v3", "--format", "keys-file"};
      args.insert(args.end(), c.extra.begin(), c.extra.end());
      const Run r = run(args);
      CHECK(r.code == c.code);
      CHECK(r.out.empty());
      CHECK(r.err == "connector-crypto rotate: " + c.message);
      CHECK(stateOf(out) == before);
    }
  }
  SECTION("a configuration error after the targets were opened leaves no file behind") {
    const Run r = run({"rotate", "--kid", "v3", "--format", "keys-file", "-o", out}, {});
    CHECK(r.code == 2);
    CHECK(listing(out).empty());
  }
  SECTION("--format env never writes into a folder") {
    const Run r = run({"rotate", "--kid", "v3", "-o", out});
    CHECK(r.code == 2);
    CHECK(listing(out).empty());
  }
}

TEST_CASE("a signal while rotate -o DIR holds two temporary files removes both") {
  TempDir dir;
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    INFO("signal " << sig);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::signal(sig, SIG_DFL);  // whatever the test runner installed
      connector_crypto::cli::AtomicFile keys, kid;
      const bool ok = keys.open(dir.file("keys.json")) && keys.write("{\"v1\":\"secret\"}\n") &&
                      kid.open(dir.file("active-kid")) && kid.write("v1\n");
      if (!ok || listing(dir.path()).size() != 2) ::_exit(10);  // both temporary files exist
      ::raise(sig);
      ::_exit(11);  // not reached: the signal is re-raised with its default action
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK(listing(dir.path()).empty());
  }
  SECTION("the previous handlers return only when the last of the two files is done") {
    struct sigaction before {
    }, during{}, after{};
    REQUIRE(::sigaction(SIGTERM, nullptr, &before) == 0);
    {
      connector_crypto::cli::AtomicFile keys;
      REQUIRE(keys.open(dir.file("keys.json")));
      {
        connector_crypto::cli::AtomicFile kid;
        REQUIRE(kid.open(dir.file("active-kid")));
        REQUIRE(kid.write("v1\n"));
        REQUIRE(kid.commit());
      }
      REQUIRE(::sigaction(SIGTERM, nullptr, &during) == 0);
      CHECK(during.sa_handler != before.sa_handler);
      REQUIRE(keys.write("{}\n"));
      REQUIRE(keys.commit());
    }
    REQUIRE(::sigaction(SIGTERM, nullptr, &after) == 0);
    CHECK(after.sa_handler == before.sa_handler);
    CHECK(listing(dir.path()) == std::vector<std::string>{"active-kid", "keys.json"});
  }
}
