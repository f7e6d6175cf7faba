// connector-crypto rewrap, run through runCli on generated mongoexport files in real folders.
#include "cli/cli_fixture.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "rewrap.hpp"

using namespace cli_fixture;
using Expect = Record::Expect;
using nlohmann::ordered_json;

namespace {

const connector_crypto::Keyring& keyring() {
  static const connector_crypto::Keyring k = test_support::keyringV1V2("v2");
  return k;
}

// The changed record keeps every other field, in order, and its new envelope under v2 holds want.
void checkChangedDocument(const std::string& in, const std::string& out, const nlohmann::json& want,
                          const std::vector<std::string>& path = {"credentials"}) {
  const ordered_json a = ordered_json::parse(in), b = ordered_json::parse(out);
  std::vector<std::string> keysA, keysB;
  for (auto it = a.begin(); it != a.end(); ++it) keysA.push_back(it.key());
  for (auto it = b.begin(); it != b.end(); ++it) keysB.push_back(it.key());
  CHECK(keysA == keysB);
  const ordered_json* fieldB = &b;
  ordered_json stripA = a, stripB = b;
  ordered_json* sa = &stripA;
  ordered_json* sb = &stripB;
  for (std::size_t i = 0; i < path.size(); ++i) {
    fieldB = &fieldB->at(path[i]);
    if (i + 1 == path.size()) {
      sa->erase(path[i]);
      sb->erase(path[i]);
    } else {
      sa = &sa->at(path[i]);
      sb = &sb->at(path[i]);
    }
  }
  CHECK(stripA.dump() == stripB.dump());
  const nlohmann::json envelope = nlohmann::json::parse(fieldB->dump());
  REQUIRE(connector_crypto::isEncrypted(envelope));
  CHECK(envelope.at("kid") == "v2");
  CHECK(connector_crypto::decryptCredentials(envelope, keyring()) == want);
}

void checkDocuments(const std::vector<Record>& records, const std::string& output, bool keepGoing) {
  const std::vector<std::string> out = lines(output);
  REQUIRE(out.size() == records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    INFO("record " << i + 1);
    const Record& r = records[i];
    if (r.expect == Expect::kUnchanged || r.expect == Expect::kUnreadable) {
      CHECK(keepGoing | (r.expect != Expect::kUnreadable));
      CHECK(out[i] == r.line);  // byte for byte
    } else {
      CHECK(out[i] != r.line);
      checkChangedDocument(r.line, out[i], r.plaintext);
    }
  }
}

void checkNoSecrets(const Run& r) {
  test_support::requireNoSecret(r.out + r.err, allKeys());
  for (const char* token :
       {"tok-plain-0001", "tok-old-0002", "tok-current-0003", "tok-unknown-0009"}) {
    CHECK(r.out.find(token) == std::string::npos);
    CHECK(r.err.find(token) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("rewrap --format documents brings every record to the active kid") {
  TempDir dir;
  const std::vector<Record> records = mixedExport(false);
  writeFile(dir.file("in.jsonl"), joinLines(records));

  SECTION("to a file with -o") {
    const Run r = run({"rewrap", dir.file("in.jsonl"), "-o", dir.file("out.jsonl")});
    REQUIRE(r.code == 0);
    CHECK(r.out.empty());
    checkNoSecrets(r);
    checkDocuments(records, readFile(dir.file("out.jsonl")), false);
    CHECK(r.err.find("records read              7\n") != std::string::npos);
    CHECK(r.err.find("encrypted from plaintext  3\n") != std::string::npos);
    CHECK(r.err.find("rewrapped from v1         1\n") != std::string::npos);
    CHECK(r.err.find("unchanged                 3\n") != std::string::npos);
    CHECK(r.err.find("skipped                   0\n") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat(dir.file("out.jsonl").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    SECTION("a second rewrap changes nothing") {
      const Run again = run({"rewrap", dir.file("out.jsonl"), "-o", dir.file("out2.jsonl")});
      REQUIRE(again.code == 0);
      CHECK(readFile(dir.file("out2.jsonl")) == readFile(dir.file("out.jsonl")));
      CHECK(again.err.find("unchanged                 7\n") != std::string::npos);
      const Run updates = run({"rewrap", "--format", "updates", dir.file("out.jsonl")});
      REQUIRE(updates.code == 0);
      CHECK(updates.out.empty());
    }
    SECTION("OUTPUT may be INPUT (rename over it)") {
      const Run inPlace = run({"rewrap", dir.file("out.jsonl"), "-o", dir.file("out.jsonl")});
      CHECK(inPlace.code == 0);
    }
  }
  SECTION("standard input to standard output, one thread or many") {
    for (const char* threads : {"1", "3"}) {
      const Run r = run({"rewrap", "--threads", threads, "-"}, envV1V2(), joinLines(records));
      REQUIRE(r.code == 0);
      checkNoSecrets(r);
      checkDocuments(records, r.out, false);
    }
  }
  SECTION("--dry-run writes nothing") {
    const Run r = run({"rewrap", "--dry-run", dir.file("in.jsonl")});
    REQUIRE(r.code == 0);
    CHECK(r.out.empty());
    CHECK(r.err.find("dry run, nothing written") != std::string::npos);
    CHECK(r.err.find("encrypted from plaintext  3\n") != std::string::npos);
  }
  SECTION("a last line without a newline stays without one") {
    std::string text = joinLines(records);
    text.pop_back();
    const Run r = run({"rewrap"}, envV1V2(), text);
    REQUIRE(r.code == 0);
    CHECK(r.out.back() == '}');
    checkDocuments(records, r.out, false);
  }
}

TEST_CASE("rewrap --format updates writes one conditional update per changed record") {
  const std::vector<Record> records = mixedExport(false);
  const Run r = run({"rewrap", "--format", "updates"}, envV1V2(), joinLines(records));
  REQUIRE(r.code == 0);
  // The plaintext filters hold the exported plaintext (docs/ROTATION.md); nothing else does.
  test_support::requireNoSecret(r.out + r.err, allKeys());
  CHECK(r.err.find("tok-") == std::string::npos);
  const std::vector<std::string> out = lines(r.out);
  std::size_t next = 0;
  for (const Record& rec : records) {
    if (rec.expect == Expect::kUnchanged) continue;
    INFO("record: " << rec.line);
    REQUIRE(next < out.size());
    const ordered_json u = ordered_json::parse(out[next++]);
    const ordered_json in = ordered_json::parse(rec.line);
    REQUIRE(u.size() == 2);
    CHECK(u.at("filter").at("_id") == in.at("_id"));
    REQUIRE(u.at("filter").size() == 2);
    if (rec.expect == Expect::kFromV1) {
      CHECK(u.at("filter").at("credentials.ct") == in.at("credentials").at("ct"));
    } else {
      // The whole exported value, wrappers and key order kept, compared by $expr as one value.
      const ordered_json want = {{"$eq", {"$credentials", {{"$literal", in.at("credentials")}}}}};
      CHECK(u.at("filter").at("$expr").dump() == want.dump());
      CHECK_FALSE(u.at("filter").contains("credentials.__enc"));
    }
    const ordered_json& set = u.at("update").at("$set");
    REQUIRE(set.size() == 1);
    CHECK(set.dump().find("tok-") == std::string::npos);
    const nlohmann::json envelope = nlohmann::json::parse(set.at("credentials").dump());
    CHECK(envelope.at("kid") == "v2");
    CHECK(connector_crypto::decryptCredentials(envelope, keyring()) == rec.plaintext);
  }
  CHECK(next == out.size());
  CHECK(out.size() == 4);
}

TEST_CASE("a plaintext update's filter holds the exported field's exact bytes") {
  // Wrappers, number spelling and key order as exported: EJSON.parse in the script rebuilds the
  // BSON types from them (an int64 beyond 2^53 stays exact, a date stays a date).
  const std::string field =
      "{ \"at\" : {\"$date\":\"2021-03-04T10:15:30Z\"}, \"big\":{\"$numberLong\":"
      "\"9007199254740993\"},\"f\":1.50,\"s\":\"$not-a-path\\u00e9\",\"a\":[1,[2]] }";
  for (const std::string& value : {field, std::string("\"just-a-string\""), std::string("[1,[2]]"),
                                   std::string("-0.0"), std::string("false")}) {
    INFO("value: " << value);
    const std::string line = "{\"_id\":{\"$numberLong\":\"0\"} , \"credentials\" : " + value + " }";
    const Run r = run({"rewrap", "--format", "updates"}, envV1V2(), line + "\n");
    REQUIRE(r.code == 0);
    const std::string want =
        "{\"filter\":{\"_id\":{\"$numberLong\":\"0\"},\"$expr\":{\"$eq\":[\"$"
        "credentials\",{\"$literal\":" +
        value + "}]}},\"update\":{\"$set\":{\"credentials\":{\"__enc\":1,";
    CHECK(r.out.substr(0, want.size()) == want);
    const ordered_json u = ordered_json::parse(r.out);
    CHECK(u.at("filter").size() == 2);
    CHECK(u.at("update").at("$set").at("credentials").at("kid") == "v2");
  }
}

TEST_CASE("an integer beyond 2^53 reaches the filter as an exact int64") {
  // A relaxed export writes an int64 as a bare number; EJSON.parse would read it as a double.
  const std::string line =
      "{\"_id\":9007199254740993,\"credentials\":{\"n\":-9223372036854775808,\"m\":["
      "9007199254740991,"
      "9007199254740992,1e300,9223372036854775808,-9007199254740992.5],\"s\":\"9007199254740993\"}"
      "}";
  const Run r = run({"rewrap", "--format", "updates"}, envV1V2(), line + "\n");
  REQUIRE(r.code == 0);
  const std::string want =
      "{\"filter\":{\"_id\":{\"$numberLong\":\"9007199254740993\"},\"$expr\":{\"$eq\":[\"$"
      "credentials\","
      "{\"$literal\":{\"n\":{\"$numberLong\":\"-9223372036854775808\"},\"m\":[9007199254740991,{\"$"
      "numberLong\":\"9007199254740992\"},1e300,9223372036854775808,-9007199254740992.5],\"s\":"
      "\"9007199254740993\"}}]}},\"update\":";
  CHECK(r.out.substr(0, want.size()) == want);
}

TEST_CASE("rewrap reaches a nested field with a dotted --field") {
  const nlohmann::json auth = {{"password", "tok-nested-0011"}};
  const std::string plainLine = "{\"_id\":" + oid(1) +
                                ",\"config\":{\"host\":\"h\",\"auth\":" + auth.dump() +
                                ",\"port\":5}}";
  const std::string oldLine = "{\"_id\":" + oid(2) + ",\"config\":{\"auth\":" +
                              envelopeText(auth, "v1", test_support::kKeyA) + "}}";
  const std::string noConfig = "{\"_id\":" + oid(3) + ",\"credentials\":{\"a\":1}}";
  const std::string scalarConfig = "{\"_id\":" + oid(4) + ",\"config\":7}";
  const Run r = run({"rewrap", "--field", "config.auth"}, envV1V2(),
                    plainLine + "\n" + oldLine + "\n" + noConfig + "\n" + scalarConfig + "\n");
  REQUIRE(r.code == 0);
  const std::vector<std::string> out = lines(r.out);
  REQUIRE(out.size() == 4);
  checkChangedDocument(plainLine, out[0], auth, {"config", "auth"});
  checkChangedDocument(oldLine, out[1], auth, {"config", "auth"});
  CHECK(out[2] == noConfig);
  CHECK(out[3] == scalarConfig);
  CHECK(r.out.find("tok-nested-0011") == std::string::npos);

  const Run u = run({"rewrap", "--field", "config.auth", "--format", "updates"}, envV1V2(),
                    oldLine + "\n" + plainLine + "\n");
  REQUIRE(u.code == 0);
  const std::vector<std::string> updates = lines(u.out);
  REQUIRE(updates.size() == 2);
  const ordered_json update = ordered_json::parse(updates[0]);
  CHECK(update.at("filter").contains("config.auth.ct"));
  CHECK(update.at("update").at("$set").contains("config.auth"));
  // Only config.auth is compared and set: the rest of config is never part of the update.
  CHECK(updates[1] ==
        "{\"filter\":{\"_id\":" + oid(1) + ",\"$expr\":{\"$eq\":[\"$config.auth\",{\"$literal\":" +
            auth.dump() + "}]}},\"update\":{\"$set\":{\"config.auth\":" +
            ordered_json::parse(updates[1]).at("update").at("$set").at("config.auth").dump() +
            "}}}");
}

TEST_CASE("an unreadable record stops rewrap and leaves OUTPUT untouched") {
  TempDir dir;
  std::vector<Record> records = mixedExport(true);
  struct Case {
    std::size_t index;
    std::string reason;
  };
  // 8: corrupt JSON, 9: unknown kid, 10: $binary.
  const std::vector<Case> cases = {
      {7, "not valid JSON"},
      {8, "credentials: envelope: \"kid\" \"v9\" is not in the keyring"},
      {9, "credentials: the Extended JSON wrapper \"$binary\" has no JSON.stringify equivalent"}};
  for (const Case& c : cases) {
    INFO("bad record " << c.index + 1);
    std::vector<Record> input(records.begin(), records.begin() + 7);
    input.push_back(records[c.index]);
    input.push_back(records[0]);
    writeFile(dir.file("in.jsonl"), joinLines(input));

    DYNAMIC_SECTION("OUTPUT is not created, bad record " << c.index) {
      const Run r = run({"rewrap", dir.file("in.jsonl"), "-o", dir.file("new.jsonl")});
      CHECK(r.code == 1);
      CHECK_FALSE(exists(dir.file("new.jsonl")));
      // A line that is not JSON has no _id to name.
      CHECK(r.err.find(c.index == 7 ? std::string("line 8: ")
                                    : "line 8 (_id " + oid(static_cast<int>(c.index) + 1) +
                                          "): ") != std::string::npos);
      CHECK(r.err.find(c.reason) != std::string::npos);
      checkNoSecrets(r);
      // No temporary file is left behind either.
      CHECK(std::system(("test -z \"$(ls -A '" + dir.path() + "' | grep -v in.jsonl)\"").c_str()) ==
            0);
    }
    DYNAMIC_SECTION("an existing OUTPUT keeps its bytes, bad record " << c.index) {
      writeFile(dir.file("old.jsonl"), "previous contents\n");
      const Run r = run({"rewrap", dir.file("in.jsonl"), "-o", dir.file("old.jsonl")});
      CHECK(r.code == 1);
      CHECK(readFile(dir.file("old.jsonl")) == "previous contents\n");
    }
    DYNAMIC_SECTION("--keep-going copies it, lists it and exits 3, bad record " << c.index) {
      const Run r =
          run({"rewrap", "--keep-going", dir.file("in.jsonl"), "-o", dir.file("kg.jsonl")});
      CHECK(r.code == 3);
      std::vector<Record> expect = input;
      checkDocuments(expect, readFile(dir.file("kg.jsonl")), true);
      CHECK(r.err.find("skipped line 8") != std::string::npos);
      const Run u = run({"rewrap", "--keep-going", "--format", "updates", dir.file("in.jsonl")});
      CHECK(u.code == 3);
      CHECK(lines(u.out).size() == 5);  // 4 changed records before the bad one, 1 after
      CHECK(u.out.find("\"name\"") == std::string::npos);
      CHECK(r.err.find("skipped                   1\n") != std::string::npos);
      checkNoSecrets(r);
    }
  }
}

TEST_CASE("rewrap keeps input order across many batches and names the line of a late failure") {
  const std::vector<Record> records = mixedExport(false);
  std::string text;
  std::vector<Record> all;
  for (int i = 0; i < 5000; ++i) {
    const Record& r = records[static_cast<std::size_t>(i) % records.size()];
    all.push_back(r);
    text += r.line + "\n";
  }
  const Run ok = run({"rewrap", "--threads", "2"}, envV1V2(), text);
  REQUIRE(ok.code == 0);
  checkDocuments(all, ok.out, false);

  const std::size_t at = 4321;
  std::string bad;
  for (std::size_t i = 0; i < all.size(); ++i)
    bad += (i + 1 == at ? std::string("{oops") : all[i].line) + "\n";
  const Run stop = run({"rewrap", "--threads", "2"}, envV1V2(), bad);
  CHECK(stop.code == 1);
  CHECK(stop.err.find("unreadable record at line 4321: not valid JSON") != std::string::npos);
}

TEST_CASE("rewrap usage and configuration errors exit 2") {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"rewrap", "--format", "csv"},
                                             {"rewrap", "--threads", "0"},
                                             {"rewrap", "--threads", "x"},
                                             {"rewrap", "--field", ""},
                                             {"rewrap", "--field", "a..b"},
                                             {"rewrap", "--field", "$where"},
                                             {"rewrap", "--bogus"},
                                             {"rewrap", "a", "b"},
                                             {"rewrap", "--dry-run", "-o", "x"},
                                             {"rewrap", "/nonexistent/input.jsonl"}}) {
    INFO("args: " << nlohmann::json(args).dump());
    const Run r = run(args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
  }
  const Run noKey = run({"rewrap"}, {}, "{}\n");
  CHECK(noKey.code == 2);
  CHECK(noKey.err.find("CONNECTOR_CRED_KEY is not set") != std::string::npos);
  const Run help = run({"rewrap", "--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("NEVER merge it into a live\n                    collection") !=
        std::string::npos);
  CHECK(help.out.find("the only way to write to a live collection") != std::string::npos);
  CHECK(help.out.find("HOLDS THE PLAINTEXT") != std::string::npos);
  CHECK(help.out.find("WRITE FREEZE") == std::string::npos);
}

TEST_CASE("rewrap draws a progress bar only when stderr is a terminal") {
  TempDir dir;
  std::string text;
  const std::vector<Record> records = mixedExport(false);
  for (int i = 0; i < 3000; ++i)
    text += records[static_cast<std::size_t>(i) % records.size()].line + "\n";
  writeFile(dir.file("big.jsonl"), text);
  auto runTerminal = [&](bool terminal) {
    std::ostringstream out, err;
    connector_crypto::cli::CliEnv cliEnv;
    cliEnv.env = test_support::envOf(envV1V2());
    cliEnv.stderrIsTerminal = terminal;
    const int code = connector_crypto::cli::runCli(
        {"rewrap", "--dry-run", "--threads", "1", dir.file("big.jsonl")}, out, err, cliEnv);
    CHECK(code == 0);
    return err.str();
  };
  const std::string quiet = runTerminal(false);
  CHECK(quiet.find('\r') == std::string::npos);
  // Drawn after the first batch, then at most every 200 ms, and erased before the summary.
  const std::string bar = runTerminal(true);
  const auto at = bar.find("\r[");
  REQUIRE(at != std::string::npos);
  CHECK(bar.find("records/s", at) != std::string::npos);
  CHECK(bar.find("%", at) != std::string::npos);
  CHECK(bar.find("\r\033[K", at) < bar.find("records read"));
  CHECK(bar.find("records read              3000") != std::string::npos);
}

TEST_CASE("rewrap keeps CRLF line ends and accepts an empty input") {
  const Run crlf =
      run({"rewrap"}, envV1V2(), "{\"_id\":1,\"credentials\":{\"a\":1}}\r\n{\"_id\":2}\r\n");
  REQUIRE(crlf.code == 0);
  const std::vector<std::string> out = lines(crlf.out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].back() == '\r');
  CHECK(out[1] == "{\"_id\":2}\r");
  checkChangedDocument("{\"_id\":1,\"credentials\":{\"a\":1}}", out[0].substr(0, out[0].size() - 1),
                       {{"a", 1}});
  const Run empty = run({"rewrap"}, envV1V2(), "");
  CHECK(empty.code == 0);
  CHECK(empty.out.empty());
  CHECK(empty.err.find("records read              0\n") != std::string::npos);
}

TEST_CASE("classifyRecord: one verdict per record for audit and rewrap, by the library's codes") {
  using connector_crypto::ErrorCode;
  using connector_crypto::cli::classifyRecord;
  using connector_crypto::cli::RecordClass;
  using Kind = RecordClass::Kind;
  const auto path = *connector_crypto::cli::parseFieldPath("credentials");
  const std::string v1 = envelopeText({{"t", "tok-old-0002"}}, "v1", test_support::kKeyA);
  CHECK(classifyRecord(" \t", path).kind == Kind::kBlank);
  CHECK(classifyRecord("{\"_id\":1}", path).kind == Kind::kMissing);
  CHECK(classifyRecord("{\"_id\":1,\"credentials\":null}", path).kind == Kind::kMissing);
  {
    const RecordClass c = classifyRecord("{\"_id\":1,\"credentials\":{\"a\":1}}", path);
    CHECK(c.kind == Kind::kPlaintext);
    CHECK(c.convertible);
  }
  {
    const RecordClass c = classifyRecord(
        "{\"_id\":1,\"credentials\":{\"k\":{\"$numberDecimal\":\"1.5\"}}}", path);
    CHECK(c.kind == Kind::kPlaintext);
    CHECK_FALSE(c.convertible);
    CHECK(c.reason.find("$numberDecimal") != std::string::npos);
  }
  {
    const RecordClass c = classifyRecord("{\"_id\":1,\"credentials\":" + v1 + "}", path);
    CHECK(c.kind == Kind::kEnvelope);
    CHECK(c.kid == "v1");
    CHECK(c.envelopeTextAsIs);
  }
  {
    // A canonical export's {"$numberInt":"1"}: an envelope once converted, but not as its bytes.
    nlohmann::json canonical = nlohmann::json::parse(v1);
    canonical["__enc"] = {{"$numberInt", "1"}};
    const RecordClass c =
        classifyRecord("{\"_id\":1,\"credentials\":" + canonical.dump() + "}", path);
    CHECK(c.kind == Kind::kEnvelope);
    CHECK_FALSE(c.envelopeTextAsIs);
  }
  const std::vector<std::pair<std::string, ErrorCode>> bad = {
      {"{\"_id\":1,\"credentials\":", ErrorCode::kInvalidText},
      {"[1]", ErrorCode::kInvalidText},
      {"{\"_id\":1,\"credentials\":1,\"credentials\":2}", ErrorCode::kInvalidText},
      {"{\"_id\":1,\"credentials\":{\"__enc\":2,\"kid\":\"v1\",\"iv\":\"\",\"ct\":\"\"}}",
       ErrorCode::kEnvelopeBadVersion},
      {"{\"_id\":1,\"credentials\":{\"__enc\":1,\"kid\":\"v1\"}}", ErrorCode::kEnvelopeMissing},
      {"{\"_id\":1,\"credentials\":{\"__enc\":1,\"kid\":1,\"iv\":\"\",\"ct\":\"\"}}",
       ErrorCode::kEnvelopeType},
      // The library's conversion refuses the wrapper with its own code.
      {"{\"_id\":1,\"credentials\":{\"__enc\":{\"$binary\":\"x\"}}}", ErrorCode::kExtendedJson},
  };
  for (const auto& [line, code] : bad) {
    INFO(line);
    const RecordClass c = classifyRecord(line, path);
    CHECK(c.kind == Kind::kMalformed);
    CHECK(c.error == code);
    CHECK_FALSE(c.reason.empty());
  }
}

TEST_CASE("an old envelope is re-sealed from its bytes: the writer's spelling and order survive") {
  // Plaintext as the TypeScript writer's JSON.stringify may spell it: members out of order, a
  // number the value API would respell. The value API would come back {"a":[1.5e3],"b":2.50}.
  const std::string plaintext = R"({"b":2.50,"a":[1.5E3]})";
  const auto v1 = connector_crypto::Keyring::fromBase64({{"v1", test_support::kKeyA}}, "v1");
  const std::string line =
      "{\"_id\":1,\"credentials\":" + connector_crypto::encryptCredentialsText(plaintext, v1) + "}";
  connector_crypto::cli::RewrapConfig config;
  config.path = *connector_crypto::cli::parseFieldPath("credentials");
  const auto r = connector_crypto::cli::rewrapRecord(line, config, keyring());
  REQUIRE(r.status == connector_crypto::cli::RecordResult::Status::kChanged);
  CHECK(r.fromKid == "v1");
  const auto where = connector_crypto::cli::locate(r.output, config.path);
  REQUIRE(where.field);
  const std::string envelope(where.field->of(r.output));
  CHECK(envelope.rfind("{\"__enc\":1,\"kid\":\"v2\",\"iv\":\"", 0) == 0);
  const connector_crypto::SecretBuffer plain =
      connector_crypto::decryptCredentialsText(envelope, keyring());
  CHECK(std::string(plain.data(), plain.size()) == plaintext);
}

TEST_CASE("rewrapLines: the pipeline without the command line") {
  using connector_crypto::cli::LineReader;
  using connector_crypto::cli::RewrapOptions;
  using connector_crypto::cli::RewrapSinks;
  using connector_crypto::cli::RewrapSkip;
  using connector_crypto::cli::RewrapTotals;
  const std::vector<Record> records = mixedExport(true);  // records 8-10 are unreadable
  const std::string text = joinLines(records);
  RewrapOptions options;
  options.config.path = *connector_crypto::cli::parseFieldPath("credentials");
  options.threads = 2;
  std::string written;
  std::vector<RewrapSkip> skips;
  std::uint64_t progressCalls = 0;
  RewrapSinks sinks;
  sinks.write = [&](std::string_view bytes) {
    written.append(bytes);
    return true;
  };
  sinks.skipped = [&](const RewrapSkip& s) { skips.push_back(s); };
  sinks.progress = [&](const RewrapTotals&) { ++progressCalls; };
  const auto runOn = [&](const std::string& input) {
    std::istringstream in(input);
    LineReader reader(in);
    return connector_crypto::cli::rewrapLines(reader, options, keyring(), sinks);
  };
  SECTION("without --keep-going the first unreadable record stops it, unwritten") {
    const RewrapTotals t = runOn(text);
    REQUIRE(t.stoppedAt);
    CHECK(t.stoppedAt->line == 8);
    CHECK(t.stoppedAt->id.empty());  // not JSON: no _id to name
    CHECK(written.empty());  // one batch, holding the failure: nothing of it written
    CHECK(t.readOk);
  }
  SECTION("--keep-going: every line written in order, the skips handed on and counted") {
    options.keepGoing = true;
    const RewrapTotals t = runOn(text);
    CHECK_FALSE(t.stoppedAt);
    CHECK(t.records == 10);
    CHECK(t.fromPlaintext == 3);
    CHECK(t.fromKid == std::map<std::string, std::uint64_t>{{"v1", 1}});
    CHECK(t.unchanged == 3);
    CHECK(t.skipped == 3);
    REQUIRE(skips.size() == 3);
    CHECK(skips[0].line == 8);
    CHECK(skips[2].line == 10);
    CHECK(progressCalls == 1);
    checkDocuments(records, written, true);
  }
  SECTION("--dry-run counts and writes nothing") {
    options.keepGoing = true;
    options.dryRun = true;
    const RewrapTotals t = runOn(text);
    CHECK(t.records == 10);
    CHECK(written.empty());
  }
  SECTION("a write that fails stops the run") {
    options.keepGoing = true;
    sinks.write = [](std::string_view) { return false; };
    const RewrapTotals t = runOn(text);
    CHECK(t.writeStopped);
    CHECK(t.records == 0);
  }
}
