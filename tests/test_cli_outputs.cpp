// Every CLI output path through runCli: standard output that cannot be written, each -o target
// kind, each input that cannot be read (missing, parent a file, a folder, a read error, a NUL
// byte), and a signal during an atomic write: the documented exit code and message, and nothing
// written or replaced that should not be.
//
// As root, chmod 000 does not stop a read, so "unreadable" is a path whose parent is a file
// (ENOTDIR), a folder (EISDIR) and /proc/self/mem, which opens but fails every read at offset 0
// (EIO).
#include <dirent.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <streambuf>

#include "atomic_file.hpp"
#include "cli/cli_fixture.hpp"

using namespace cli_fixture;

namespace {

// A stream buffer whose writes fail (kWrite), or which takes every write but fails the flush.
class FailingBuf : public std::streambuf {
 public:
  enum class Mode { kWrite, kFlush };
  explicit FailingBuf(Mode mode) : mode_(mode) {}

 protected:
  int_type overflow(int_type c) override {
    if (mode_ == Mode::kWrite || traits_type::eq_int_type(c, traits_type::eof())) {
      return traits_type::eof();
    }
    return c;
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    return mode_ == Mode::kWrite ? 0 : n;
  }
  int sync() override { return mode_ == Mode::kFlush ? -1 : 0; }

 private:
  Mode mode_;
};

Run runTo(std::ostream& out, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env, const std::string& stdinText) {
  std::ostringstream err;
  std::istringstream in(stdinText);
  connector_crypto::cli::CliEnv cliEnv;
  cliEnv.in = &in;
  cliEnv.env = test_support::envOf(env);
  const int code = connector_crypto::cli::runCli(args, out, err, cliEnv);
  return {code, "", err.str()};
}

// The bytes of a string literal, NUL bytes included.
template <std::size_t N>
std::string bytes(const char (&text)[N]) {
  return std::string(text, N - 1);
}

std::string exportLine() { return "{\"_id\":1,\"credentials\":{\"token\":\"tok-out-0001\"}}\n"; }

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

// What a path is: its type, mode, device number, link target or bytes.
std::string stateOf(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "absent";
  std::string s = "mode " + std::to_string(st.st_mode) + " rdev " + std::to_string(st.st_rdev);
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    const ssize_t n = ::readlink(path.c_str(), target, sizeof target);
    REQUIRE(n > 0);
    s += " -> " + std::string(target, static_cast<std::size_t>(n));
  } else if (S_ISREG(st.st_mode)) {
    s += " bytes " + readFile(path);
  } else if (S_ISDIR(st.st_mode)) {
    for (const std::string& name : listing(path)) s += " [" + name + "]";
  }
  return s;
}

mode_t modeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

}  // namespace

TEST_CASE("every command checks its standard output to the final flush") {
  TempDir dir;
  const std::string plain = R"({"token":"tok-out-0001"})";
  const std::string envelope =
      envelopeText(nlohmann::json::parse(plain), "v1", test_support::kKeyA);
  struct Row {
    std::vector<std::string> args;
    std::string stdinText;
    std::string name;  // in the message; empty for the top-level options
  };
  const std::vector<Row> rows = {
      {{"keygen"}, "", "keygen"},
      {{"keygen", "--format", "env"}, "", "keygen"},
      {{"check"}, "", "check"},
      {{"encrypt"}, plain, "encrypt"},
      {{"decrypt"}, envelope, "decrypt"},
      {{"inspect"}, envelope, "inspect"},
      {{"rotate", "--kid", "v3"}, "", "rotate"},
      {{"rotate", "--activate", "v1"}, "", "rotate"},
      {{"rotate", "--kid", "v3", "--format", "keys-file"}, "", "rotate"},
      {{"audit"}, exportLine(), "audit"},
      {{"rewrap"}, exportLine(), "rewrap"},
      {{"rewrap", "--format", "updates"}, exportLine(), "rewrap"},
      {{"keygen", "--help"}, "", "keygen"},
      {{"--help"}, "", ""},
      {{"--version"}, "", ""},
  };
  for (const auto mode : {FailingBuf::Mode::kWrite, FailingBuf::Mode::kFlush}) {
    for (const Row& row : rows) {
      INFO("args: " << row.args[0] << " " << (row.args.size() > 1 ? row.args[1] : "")
                    << (mode == FailingBuf::Mode::kWrite ? " (write fails)" : " (flush fails)"));
      FailingBuf buf(mode);
      std::ostream out(&buf);
      const Run r = runTo(out, row.args, envV1V2(), row.stdinText);
      CHECK(r.code == 1);
      const std::string message = "connector-crypto" + (row.name.empty() ? "" : " " + row.name) +
                                  ": cannot write standard output; the output is incomplete\n";
      // Said once, last, by runCli (rewrap stops reading at the first failed write).
      REQUIRE(r.err.size() >= message.size());
      CHECK(r.err.substr(r.err.size() - message.size()) == message);
      CHECK(r.err.find(message) == r.err.size() - message.size());
      CHECK(r.err.find("done") == std::string::npos);
      test_support::requireNoSecret(r.err, allKeys());
    }
  }
  SECTION("a command that fails for another reason keeps its code; a lost write is still said") {
    FailingBuf buf(FailingBuf::Mode::kWrite);
    std::ostream out(&buf);
    const Run usage = runTo(out, {"keygen", "--bogus"}, {}, "");
    CHECK(usage.code == 2);
    CHECK(usage.err.find("cannot write standard output") == std::string::npos);
    // audit's summary is lost and a record is invalid: exit 1, both said.
    const Run audit = runTo(out, {"audit"}, {}, exportLine() + "{\n");
    CHECK(audit.code == 1);
    CHECK(audit.err ==
          "connector-crypto audit: line 2: not valid JSON (or nested deeper than 512 "
          "levels)\nconnector-crypto audit: cannot write standard output; the output "
          "is incomplete\n");
  }
}

TEST_CASE("rewrap and rotate -o refuse every target but a regular file or a new name") {
  TempDir dir;
  writeFile(dir.file("in.jsonl"), exportLine());
  writeFile(dir.file("real.txt"), "the real file\n");
  REQUIRE(::chmod(dir.file("real.txt").c_str(), 0644) == 0);
  REQUIRE(::symlink("real.txt", dir.file("link.txt").c_str()) == 0);
  REQUIRE(::symlink("nowhere.txt", dir.file("dangling.txt").c_str()) == 0);
  REQUIRE(::mkdir(dir.file("folder").c_str(), 0755) == 0);
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
  // As root: a character device like /dev/null (mknod x c 1 3).
  REQUIRE(::mknod(dir.file("device").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0);

  const std::string refusedLink =
      "\" is a symbolic link; -o never follows one: give the path of "
      "the file itself\n";
  const std::string refusedKind =
      "\" exists and is not a regular file (a folder, device, FIFO or socket); -o only replaces "
      "a regular file\n";
  struct Target {
    std::string path;
    int code;
    std::string message;  // after "connector-crypto <command>: "
  };
  const std::vector<Target> targets = {
      {dir.file("link.txt"), 2, "\"" + dir.file("link.txt") + refusedLink},
      {dir.file("dangling.txt"), 2, "\"" + dir.file("dangling.txt") + refusedLink},
      {dir.file("folder"), 2, "\"" + dir.file("folder") + refusedKind},
      {dir.file("fifo"), 2, "\"" + dir.file("fifo") + refusedKind},
      {dir.file("device"), 2, "\"" + dir.file("device") + refusedKind},
      {"/dev/null", 2, "\"/dev/null" + refusedKind},
      {dir.file("missing/out.txt"), 1,
       "cannot create a temporary file next to \"" + dir.file("missing/out.txt") +
           "\" (No such file or directory)\n"},
      {dir.file("real.txt/out.txt"), 1,
       "cannot write \"" + dir.file("real.txt/out.txt") + "\" (Not a directory)\n"},
  };
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"rewrap", {"rewrap", dir.file("in.jsonl"), "-o"}},
      {"rewrap", {"rewrap", "--format", "updates", dir.file("in.jsonl"), "-o"}},
      {"rotate", {"rotate", "--kid", "v3", "-o"}},
      {"rotate", {"rotate", "--kid", "v3", "--force", "-o"}},
  };
  for (const auto& command : commands) {
    for (const Target& t : targets) {
      std::vector<std::string> args = command.second;
      args.push_back(t.path);
      INFO("command: " << args[0] << " " << args[1] << ", target: " << t.path);
      const std::string before = stateOf(dir.path()) + stateOf(t.path) + stateOf("/dev/null");
      const std::string realBefore = stateOf(dir.file("real.txt"));
      const Run r = run(args);
      CHECK(r.code == t.code);
      CHECK(r.out.empty());
      CHECK(r.err == "connector-crypto " + command.first + ": " + t.message);
      CHECK(stateOf(dir.path()) + stateOf(t.path) + stateOf("/dev/null") == before);
      CHECK(stateOf(dir.file("real.txt")) == realBefore);
    }
  }

  SECTION("an existing regular file is replaced by a 0600 file (rewrap, rotate --force)") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"rewrap", dir.file("in.jsonl"), "-o", dir.file("real.txt")},
             {"rotate", "--kid", "v3", "--force", "-o", dir.file("real.txt")}}) {
      INFO("command: " << args[0]);
      writeFile(dir.file("real.txt"), "the real file\n");
      REQUIRE(::chmod(dir.file("real.txt").c_str(), 0644) == 0);
      const Run r = run(args);
      REQUIRE(r.code == 0);
      CHECK(readFile(dir.file("real.txt")) != "the real file\n");
      CHECK(modeOf(dir.file("real.txt")) == (S_IFREG | 0600));
      CHECK(S_ISLNK(modeOf(dir.file("link.txt"))));  // the link still points at it
    }
  }
  SECTION("rotate -o refuses an existing file without --force: a second run mints another key") {
    const Run first = run({"rotate", "--kid", "v3", "-o", dir.file("stage1.env")});
    REQUIRE(first.code == 0);
    const std::string written = readFile(dir.file("stage1.env"));
    const Run second = run({"rotate", "--kid", "v3", "-o", dir.file("stage1.env")});
    CHECK(second.code == 2);
    CHECK(second.err == "connector-crypto rotate: \"" + dir.file("stage1.env") +
                            "\" already exists (--force replaces it)\n");
    CHECK(readFile(dir.file("stage1.env")) == written);
    CHECK(run({"rotate", "--kid", "v3", "--force"}).code == 2);  // --force needs -o
  }
  SECTION("a new name is created 0600, with no temporary file left") {
    const Run r = run({"rewrap", dir.file("in.jsonl"), "-o", dir.file("new.jsonl")});
    REQUIRE(r.code == 0);
    CHECK(modeOf(dir.file("new.jsonl")) == (S_IFREG | 0600));
    for (const std::string& name : listing(dir.path()))
      CHECK(name.find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("a signal during an atomic write removes the temporary file and still stops the run") {
  TempDir dir;
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    INFO("signal " << sig);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::signal(sig, SIG_DFL);  // whatever the test runner installed
      connector_crypto::cli::AtomicFile file;
      const bool ok = file.open(dir.file("out.env")) && file.write("secret-in-progress\n");
      if (!ok || listing(dir.path()).size() != 1) ::_exit(10);  // the temporary file exists
      ::raise(sig);
      ::_exit(11);  // not reached: the signal is re-raised with its default action
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK(listing(dir.path()).empty());
  }
  SECTION("the handlers are installed while the file exists, then the previous ones return") {
    struct sigaction before {
    }, during{}, after{};
    REQUIRE(::sigaction(SIGTERM, nullptr, &before) == 0);
    {
      connector_crypto::cli::AtomicFile file;
      REQUIRE(file.open(dir.file("out.env")));
      REQUIRE(::sigaction(SIGTERM, nullptr, &during) == 0);
      CHECK(during.sa_handler != before.sa_handler);
      REQUIRE(file.write("x\n"));
      REQUIRE(file.commit());
    }
    REQUIRE(::sigaction(SIGTERM, nullptr, &after) == 0);
    CHECK(after.sa_handler == before.sa_handler);
    CHECK(listing(dir.path()) == std::vector<std::string>{"out.env"});
  }
}

TEST_CASE("an input that cannot be read: exit code and the system's reason") {
  TempDir dir;
  writeFile(dir.file("file"), "{}\n");
  REQUIRE(::mkdir(dir.file("folder").c_str(), 0755) == 0);
  struct Input {
    std::string path;
    int code;
    std::string message;      // after "connector-crypto <command>: "
    std::string lineMessage;  // the same for audit and rewrap, when it differs
  };
  const std::vector<Input> inputs = {
      {dir.file("nope.jsonl"), 2,
       "cannot open \"" + dir.file("nope.jsonl") + "\" (No such file or directory)\n", ""},
      {dir.file("file/x"), 2, "cannot open \"" + dir.file("file/x") + "\" (Not a directory)\n", ""},
      {dir.file("folder"), 2, "cannot read \"" + dir.file("folder") + "\" (Is a directory)\n", ""},
      {"/proc/self/mem", 1, "/proc/self/mem: cannot be read, or is larger than 32 MiB\n",
       "/proc/self/mem: cannot read the input\n"},
  };
  for (const std::string command : {"encrypt", "decrypt", "inspect", "audit", "rewrap"}) {
    for (const Input& in : inputs) {
      INFO("command: " << command << ", input: " << in.path);
      std::vector<std::string> args = {command, in.path};
      if (command == "rewrap") args = {"rewrap", in.path, "-o", dir.file("out.jsonl")};
      const Run r = run(args);
      CHECK(r.code == in.code);
      CHECK(r.out.empty());
      const bool lines = command == "audit" || command == "rewrap";
      CHECK(r.err == "connector-crypto " + command + ": " +
                         (lines && !in.lineMessage.empty() ? in.lineMessage : in.message));
      CHECK_FALSE(exists(dir.file("out.jsonl")));
    }
  }
}

TEST_CASE("a NUL byte in a mongoexport line makes the record unreadable") {
  TempDir dir;
  writeFile(dir.file("nul.jsonl"), bytes("{\"_id\":1,\"credentials\":{\"a\":1}}\0{\"b\":2}\n"));
  writeFile(dir.file("out.jsonl"), "kept\n");
  const Run audit = run({"audit", dir.file("nul.jsonl")});
  CHECK(audit.code == 1);
  CHECK(audit.out ==
        "{\"total\":1,\"plaintext\":0,\"encrypted\":{},\"bound\":{},\"unbound\":{},\"missing\":0,"
        "\"invalid\":1,\"sharedIv\":0}\n");
  CHECK(audit.err ==
        "connector-crypto audit: line 1: not valid JSON (or nested deeper than 512 levels)\n");
  const Run rewrap = run({"rewrap", dir.file("nul.jsonl"), "-o", dir.file("out.jsonl")});
  CHECK(rewrap.code == 1);
  CHECK(rewrap.err ==
        "connector-crypto rewrap: unreadable record at line 1: not valid JSON (or "
        "nested deeper than 512 levels); " +
            dir.file("out.jsonl") +
            " was not written (--keep-going copies such records unchanged)\n");
  CHECK(readFile(dir.file("out.jsonl")) == "kept\n");
}

// Needs the library's parseJson to refuse a NUL byte (the library half of issue 9 item 7).
TEST_CASE("a NUL byte in a value is refused by encrypt, decrypt and inspect") {
  TempDir dir;
  writeFile(dir.file("nul.json"), bytes("{\"a\":1}\0{\"b\":2}"));
  const std::string envelope = envelopeText({{"a", 1}}, "v1", test_support::kKeyA);
  writeFile(dir.file("nul-env.json"), envelope + bytes("\0x"));
  for (const std::string command : {"encrypt", "decrypt", "inspect"}) {
    for (const std::string file : {"nul.json", "nul-env.json"}) {
      INFO("command: " << command << ", input: " << file);
      // encrypt states the one more rule it applies: a member name is never written twice.
      const std::string rule = command == "encrypt"
                                   ? " (UTF-8, at most 512 levels of nesting, no member name "
                                     "twice in an object)\n"
                                   : " (UTF-8, at most 512 levels of nesting)\n";
      const Run r = run({command, dir.file(file)});
      CHECK(r.code == 1);
      CHECK(r.out.empty());
      CHECK(r.err == "connector-crypto " + command + ": " + dir.file(file) +
                         ": not one valid JSON value" + rule);
      const Run piped = run({command}, envV1V2(), readFile(dir.file(file)));
      CHECK(piped.code == 1);
      CHECK(piped.err ==
            "connector-crypto " + command + ": standard input: not one valid JSON value" + rule);
    }
  }
}

TEST_CASE("a pretty-printed or --jsonArray export: rewrap and audit say once why") {
  const std::string doc = R"({"_id":1,"credentials":{"token":"tok-out-0001"}})";
  const std::string pretty =
      "{\n  \"_id\": 1,\n  \"credentials\": {\n    \"token\": \"t\"\n  }\n}\n";
  const std::string array = "[" + doc + "," + doc + "]\n";
  const std::string prettyArray = "[\n" + doc + ",\n" + doc + "\n]\n";
  for (const std::string& input : {pretty, pretty + pretty, array, prettyArray}) {
    for (const std::string command : {"audit", "rewrap"}) {
      INFO("command: " << command << ", input: " << input.substr(0, 20));
      const std::string hint = "connector-crypto " + command +
                               ": the input looks like a pretty-printed (--pretty) or --jsonArray "
                               "export; " +
                               command +
                               " reads one JSON document per line, mongoexport's "
                               "default output\n";
      for (const bool keepGoing : {false, true}) {
        std::vector<std::string> args = {command};
        if (keepGoing && command == "rewrap") args.push_back("--keep-going");
        const Run r = run(args, envV1V2(), input);
        CHECK(r.code == (keepGoing && command == "rewrap" ? 3 : 1));
        const auto at = r.err.find(hint);
        CHECK(at != std::string::npos);
        CHECK(r.err.find(hint, at + 1) == std::string::npos);
        // The hint is the last word: no summary of a file that was not read as records.
        if (command == "audit") {
          CHECK(r.out.empty());
          CHECK(r.err.size() == at + hint.size());
        }
      }
      if (command == "audit") {
        // The gates too: a data error (exit 1), not a gate's verdict, and nothing on stdout.
        for (const std::vector<std::string>& gate :
             {std::vector<std::string>{"audit", "--verify"},
              std::vector<std::string>{"audit", "--expect-only", "v2"},
              std::vector<std::string>{"audit", "--expect-bound"}}) {
          const Run r = run(gate, envV1V2(), input);
          CHECK(r.code == 1);
          CHECK(r.out.empty());
          CHECK(r.err.size() == r.err.find(hint) + hint.size());
        }
      }
    }
  }
  SECTION("no hint for a bad line in a JSON Lines export") {
    const Run r = run({"audit"}, envV1V2(), doc + "\n{\"_id\":2,\n");
    CHECK(r.code == 1);
    CHECK(r.err ==
          "connector-crypto audit: line 2: not valid JSON (or nested deeper than 512 "
          "levels)\n");
  }
}

TEST_CASE("keygen and rotate print only plain kids, so their env lines never need quoting") {
  for (const std::string& kid :
       {std::string("v1;touch${IFS}/tmp/pwned"), std::string("$(id)"), std::string("a'b"),
        std::string("a\"b"), std::string("v1`x`"), std::string("a\\b"), std::string("#x"),
        std::string("a|b"), std::string("a&b"), std::string("~x")}) {
    INFO("kid: " << kid);
    const Run keygen = run({"keygen", "--format", "env", "--kid", kid}, {});
    CHECK(keygen.code == 2);
    CHECK(keygen.out.empty());
    CHECK(keygen.err.rfind("connector-crypto keygen: --kid must be 1 to 64 letters, digits, '.', "
                           "'_' or '-'\n",
                           0) == 0);
    const Run rotate = run({"rotate", "--kid", kid});
    CHECK(rotate.code == 2);
    CHECK(rotate.out.empty());
  }
  SECTION("a keyring holding a kid that is not plain is refused by rotate") {
    for (const std::string& kid : {std::string("v1;x"), std::string("v$1"), std::string("a'b")}) {
      INFO("kid: " << kid);
      const std::map<std::string, std::string> env = {
          {"CONNECTOR_CRED_KEYS", nlohmann::json({{kid, test_support::kKeyA}}).dump()},
          {"CONNECTOR_CRED_ACTIVE_KID", kid}};
      REQUIRE(run({"check"}, env).code == 0);  // a valid keyring for a service
      for (const auto& args : std::vector<std::vector<std::string>>{
               {"rotate", "--kid", "v2"}, {"rotate", "--activate", kid}}) {
        const Run r = run(args, env);
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK(r.err ==
              "connector-crypto rotate: the keyring holds a kid that cannot be printed as "
              "a plain sh word (kids must be 1 to 64 letters, digits, '.', '_' or '-'); "
              "rename it\n");
      }
    }
  }
}

TEST_CASE("every --help documents the exit code of a lost write") {
  for (const char* name :
       {"keygen", "check", "encrypt", "decrypt", "inspect", "rotate", "audit", "rewrap"}) {
    INFO("command: " << name);
    const Run r = run({name, "--help"}, {});
    CHECK(r.code == 0);
    CHECK(r.out.find("could not be written") != std::string::npos);
  }
  CHECK(run({"--help"}, {}).out.find("1 data error, or output that could not be written") !=
        std::string::npos);
  SECTION("and the -o rules where -o exists") {
    for (const char* name : {"rotate", "rewrap"}) {
      INFO("command: " << name);
      const std::string help = run({name, "--help"}, {}).out;
      CHECK(help.find("mode 0600") != std::string::npos);
      CHECK(help.find("symbolic link") != std::string::npos);
    }
    CHECK(run({"rotate", "--help"}, {}).out.find("--force") != std::string::npos);
    CHECK(run({"keygen", "--help"}, {}).out.find("POSIX sh") != std::string::npos);
    CHECK(run({"rotate", "--help"}, {}).out.find("POSIX sh") != std::string::npos);
  }
}
