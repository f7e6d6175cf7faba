// connector-crypto audit on generated mongoexport files.
#include "cli/cli_fixture.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "rewrap.hpp"

using namespace cli_fixture;

TEST_CASE("audit counts records by the state of the credentials field") {
  TempDir dir;
  std::vector<Record> records = mixedExport(true);
  // A tampered v2 envelope (well-formed, fails authentication) and a malformed one.
  nlohmann::json tampered =
      nlohmann::json::parse(envelopeText({{"t", "tok-tampered"}}, "v2", test_support::kKeyB));
  std::string ct = tampered["ct"];
  ct[0] = ct[0] == 'A' ? 'B' : 'A';
  tampered["ct"] = ct;
  records.push_back({"{\"_id\":" + oid(11) + ",\"credentials\":" + tampered.dump() + "}",
                     Record::Expect::kUnreadable, nullptr});
  records.push_back({"{\"_id\":" + oid(12) + ",\"credentials\":{\"__enc\":1,\"kid\":\"v2\"}}",
                     Record::Expect::kUnreadable, nullptr});
  records.push_back({"", Record::Expect::kUnchanged, nullptr});  // a blank line is no record
  writeFile(dir.file("export.jsonl"), joinLines(records));

  SECTION("without --verify no key is needed") {
    const Run r = run({"audit", dir.file("export.jsonl")}, {});
    CHECK(r.out ==
          "{\"total\":12,\"plaintext\":4,\"encrypted\":{\"v1\":1,\"v2\":2,\"v9\":1},\"bound\":{},"
          "\"unbound\":{\"v1\":1,\"v2\":2,\"v9\":1},"
          "\"missing\":2,"
          "\"invalid\":2,\"sharedIv\":0}\n");
    CHECK(r.code == 1);
    CHECK(r.err.find("line 8: not valid JSON") != std::string::npos);
    CHECK(r.err.find("line 12 (_id " + oid(12) + "): credentials: envelope: \"iv\" is missing") !=
          std::string::npos);
    test_support::requireNoSecret(r.out + r.err, allKeys());
  }
  SECTION("--verify checks every record as rewrap reads it and counts failures as unreadable") {
    const Run r = run({"audit", "--verify", dir.file("export.jsonl")});
    // The unknown-kid and the tampered envelope stay in their kid's count; the $binary plaintext
    // in plaintext; all three are unreadable (rewrap refuses each of them).
    CHECK(r.out ==
          "{\"total\":12,\"plaintext\":4,\"encrypted\":{\"v1\":1,\"v2\":2,\"v9\":1},\"bound\":{},"
          "\"unbound\":{\"v1\":1,\"v2\":2,\"v9\":1},"
          "\"missing\":2,"
          "\"invalid\":2,\"unreadable\":3,\"sharedIv\":0}\n");
    CHECK(r.code == 1);
    CHECK(r.err.find("(_id " + oid(9) +
                     "): credentials: envelope: \"kid\" \"v9\" is not in the keyring") !=
          std::string::npos);
    CHECK(r.err.find("(_id " + oid(11) +
                     "): credentials: envelope: authentication failed under kid \"v2\"") !=
          std::string::npos);
    CHECK(r.err.find("line 10 (_id " + oid(10) +
                     "): credentials: the Extended JSON wrapper \"$binary\" has no "
                     "JSON.stringify equivalent") != std::string::npos);
    CHECK(r.err.find("tok-") == std::string::npos);
    test_support::requireNoSecret(r.out + r.err, allKeys());
  }
  SECTION("--verify needs a keyring") {
    const Run r = run({"audit", "--verify", dir.file("export.jsonl")}, {});
    CHECK(r.code == 2);
  }
  SECTION("after a rewrap only the active kid remains") {
    const std::vector<Record> good = mixedExport(false);
    writeFile(dir.file("good.jsonl"), joinLines(good));
    REQUIRE(run({"rewrap", dir.file("good.jsonl"), "-o", dir.file("done.jsonl")}).code == 0);
    const Run r = run({"audit", "--verify", dir.file("done.jsonl")});
    CHECK(r.code == 0);
    CHECK(
        r.out ==
        "{\"total\":7,\"plaintext\":0,\"encrypted\":{\"v2\":5},\"bound\":{},\"unbound\":{\"v2\":5},"
        "\"missing\":2,\"invalid\":0,"
        "\"unreadable\":0,\"sharedIv\":0}\n");
  }
  SECTION("--field reaches a nested field; standard input") {
    const std::string text =
        "{\"_id\":1,\"config\":{\"auth\":" + envelopeText({{"p", 1}}, "v1", test_support::kKeyA) +
        "}}\n{\"_id\":2,\"config\":{\"auth\":{\"p\":2}}}\n{\"_id\":3}\n";
    const Run r = run({"audit", "--field", "config.auth", "-"}, {}, text);
    CHECK(r.code == 0);
    CHECK(
        r.out ==
        "{\"total\":3,\"plaintext\":1,\"encrypted\":{\"v1\":1},\"bound\":{},\"unbound\":{\"v1\":1},"
        "\"missing\":1,\"invalid\":0,\"sharedIv\":0}\n");
  }
  SECTION("usage errors") {
    CHECK(run({"audit", "--field"}).code == 2);
    CHECK(run({"audit", "--expect-only"}).code == 2);
    CHECK(run({"audit", "--expect-only", "", dir.file("export.jsonl")}).code == 2);
    CHECK(run({"audit", "--expect-only", "v 2", dir.file("export.jsonl")}).code == 2);
    const Run keyAsKid =
        run({"audit", "--expect-only", test_support::kKeyA, dir.file("export.jsonl")});
    CHECK(keyAsKid.code == 2);
    test_support::requireNoSecret(keyAsKid.out + keyAsKid.err, allKeys());
    CHECK(run({"audit", "--bogus"}).code == 2);
    CHECK(run({"audit", "a", "b"}).code == 2);
    CHECK(run({"audit", "/nonexistent/x.jsonl"}).code == 2);
  }
}

// The two defects audit --verify had while it classified records by its own code: a $binary
// plaintext that rewrap refuses passed as clean, and an unknown-kid envelope vanished from the
// per-kid counts. Both commands now read every record through classifyRecord.
TEST_CASE("audit --verify and rewrap agree on every record") {
  TempDir dir;
  const std::string binary =
      "{\"_id\":1,\"credentials\":{\"k\":{\"$binary\":{\"base64\":\"AA==\",\"subType\":\"00\"}}}}\n";
  const std::string unknownKid =
      "{\"_id\":2,\"credentials\":" +
      envelopeText({{"t", "tok-unknown"}}, "v9", test_support::kKeyC) + "}\n";
  const std::string good = "{\"_id\":3,\"credentials\":" +
                           envelopeText({{"t", "tok-good"}}, "v2", test_support::kKeyB) + "}\n";
  SECTION("a $binary plaintext: plaintext, and unreadable under --verify, as rewrap refuses it") {
    writeFile(dir.file("in.jsonl"), binary + good);
    CHECK(run({"rewrap", "--dry-run", dir.file("in.jsonl")}).code == 1);
    const Run plain = run({"audit", dir.file("in.jsonl")}, {});
    CHECK(plain.code == 0);
    CHECK(
        plain.out ==
        "{\"total\":2,\"plaintext\":1,\"encrypted\":{\"v2\":1},\"bound\":{},\"unbound\":{\"v2\":1},"
        "\"missing\":0,\"invalid\":0,\"sharedIv\":0}\n");
    const Run verified = run({"audit", "--verify", dir.file("in.jsonl")});
    CHECK(verified.code == 1);
    CHECK(
        verified.out ==
        "{\"total\":2,\"plaintext\":1,\"encrypted\":{\"v2\":1},\"bound\":{},\"unbound\":{\"v2\":1},"
        "\"missing\":0,\"invalid\":0,"
        "\"unreadable\":1,\"sharedIv\":0}\n");
    CHECK(verified.err.find("line 1 (_id 1): credentials: the Extended JSON wrapper \"$binary\"") !=
          std::string::npos);
  }
  SECTION("an unknown kid stays in the per-kid counts under --verify") {
    writeFile(dir.file("in.jsonl"), unknownKid + good);
    CHECK(run({"rewrap", "--dry-run", dir.file("in.jsonl")}).code == 1);
    const Run plain = run({"audit", dir.file("in.jsonl")}, {});
    const Run verified = run({"audit", "--verify", dir.file("in.jsonl")});
    CHECK(plain.out ==
          "{\"total\":2,\"plaintext\":0,\"encrypted\":{\"v2\":1,\"v9\":1},\"bound\":{},\"unbound\":"
          "{\"v2\":1,\"v9\":1},"
          "\"missing\":0,"
          "\"invalid\":0,\"sharedIv\":0}\n");
    CHECK(verified.out ==
          "{\"total\":2,\"plaintext\":0,\"encrypted\":{\"v2\":1,\"v9\":1},\"bound\":{},\"unbound\":"
          "{\"v2\":1,\"v9\":1},"
          "\"missing\":0,"
          "\"invalid\":0,\"unreadable\":1,\"sharedIv\":0}\n");
    CHECK(verified.code == 1);
  }
  SECTION("record by record, over the mixed export: rewrap refuses exactly what audit --verify "
          "does not pass") {
    const auto keyring = connector_crypto::keyringFromEnv(test_support::envOf(envV1V2()));
    connector_crypto::cli::RewrapConfig config;
    config.path = *connector_crypto::cli::parseFieldPath("credentials");
    for (const Record& rec : mixedExport(true)) {
      using connector_crypto::cli::AuditResult;
      using connector_crypto::cli::RecordResult;
      const RecordResult rw = connector_crypto::cli::rewrapRecord(rec.line, config, keyring);
      const AuditResult au = connector_crypto::cli::auditRecord(rec.line, config.path, &keyring);
      INFO(rec.line);
      const bool auditPasses = au.kind != AuditResult::Kind::kInvalid && au.verified;
      CHECK(auditPasses == (rw.status != RecordResult::Status::kUnreadable));
      CHECK((rw.status == RecordResult::Status::kUnreadable) ==
            (rec.expect == Record::Expect::kUnreadable));
    }
  }
}

// --expect-only KID: exit 0 only when every record is an envelope under KID (missing aside).
TEST_CASE("audit --expect-only KID gates on every record being under KID") {
  TempDir dir;
  const auto under = [](int id, const std::string& kid, const std::string& key) {
    return "{\"_id\":" + std::to_string(id) + ",\"credentials\":" +
           envelopeText({{"t", "tok-" + std::to_string(id)}}, kid, key) + "}\n";
  };
  const std::string v2a = under(1, "v2", test_support::kKeyB);
  const std::string v2b = under(2, "v2", test_support::kKeyB);
  const std::string missing = "{\"_id\":3}\n{\"_id\":4,\"credentials\":null}\n\n";
  const auto audit = [&](const std::string& text, bool verify) {
    writeFile(dir.file("in.jsonl"), text);
    std::vector<std::string> args = {"audit", "--expect-only", "v2"};
    if (verify) args.push_back("--verify");
    args.push_back(dir.file("in.jsonl"));
    return verify ? run(args) : run(args, {});
  };
  SECTION("only envelopes under KID, missing and null fields and blank lines: exit 0") {
    CHECK(audit(v2a + missing + v2b, false).code == 0);
    CHECK(audit(v2a + missing + v2b, true).code == 0);
  }
  SECTION("an envelope under another kid: exit 3, and the summary still printed") {
    const Run r = audit(v2a + under(5, "v1", test_support::kKeyA), false);
    CHECK(r.code == 3);
    CHECK(r.out ==
          "{\"total\":2,\"plaintext\":0,\"encrypted\":{\"v1\":1,\"v2\":1},\"bound\":{},\"unbound\":"
          "{\"v1\":1,\"v2\":1},"
          "\"missing\":0,"
          "\"invalid\":0,\"sharedIv\":0}\n");
    CHECK(r.err.find("1 record not an envelope under \"v2\"") != std::string::npos);
    CHECK(audit(v2a + under(5, "v1", test_support::kKeyA), true).code == 3);
  }
  SECTION("plaintext: exit 3") {
    CHECK(audit(v2a + "{\"_id\":6,\"credentials\":{\"t\":\"tok-6\"}}\n", false).code == 3);
    CHECK(audit("{\"_id\":6,\"credentials\":\"just-a-string\"}\n", true).code == 3);
  }
  SECTION("a malformed envelope or an unreadable line: exit 3, not 1") {
    CHECK(audit(v2a + "{\"_id\":7,\"credentials\":{\"__enc\":1,\"kid\":\"v2\"}}\n", false).code == 3);
    CHECK(audit(v2a + "{\"_id\":8,\"credentials\":{\"a\":\n", false).code == 3);
    CHECK(audit(v2a + "[1]\n", true).code == 3);
  }
  SECTION("under --verify, an envelope under KID that does not decrypt: exit 3") {
    // Sealed under "v2" with another key: the right kid, but no service holds its key.
    const std::string wrongKey = under(9, "v2", test_support::kKeyC);
    CHECK(audit(v2a + wrongKey, false).code == 0);  // the shape alone is fine
    const Run r = audit(v2a + wrongKey, true);
    CHECK(r.code == 3);
    CHECK(r.err.find("authentication failed") != std::string::npos);
    test_support::requireNoSecret(r.out + r.err, allKeys());
  }
  SECTION("a file that cannot be read is still a usage error") {
    CHECK(run({"audit", "--expect-only", "v2", "/nonexistent/x.jsonl"}, {}).code == 2);
  }
}

// The gates (--verify, --expect-only, --expect-bound) fail, exit 3, on a shared IV; the expect
// gates also on an export where no record holds the field (empty, or a mistyped --field).
TEST_CASE("audit's gates fail on a shared IV and on an export where no record holds the field") {
  TempDir dir;
  const std::string envelope = envelopeText({{"t", "tok-copied"}}, "v2", test_support::kKeyB);
  const std::string own = envelopeText({{"t", "tok-own"}}, "v2", test_support::kKeyB);
  const auto record = [](int id, const std::string& credentials) {
    return "{\"_id\":" + std::to_string(id) + ",\"credentials\":" + credentials + "}\n";
  };
  const auto audit = [&](const std::string& text, std::vector<std::string> flags) {
    writeFile(dir.file("in.jsonl"), text);
    flags.insert(flags.begin(), "audit");
    flags.push_back(dir.file("in.jsonl"));
    return run(flags);
  };
  const std::string copied = record(1, envelope) + record(2, own) + record(3, envelope);
  const std::string sharedLines =
      "connector-crypto audit: one iv held by 2 records: line 1 (_id 1), line 3 (_id 3)\n"
      "connector-crypto audit: 2 records hold an iv another record holds (a copied envelope, "
      "or a connector duplicated on purpose: a person decides); the gate fails until sharedIv "
      "is 0\n";
  SECTION("--verify: exit 3 on a shared IV, the summary printed") {
    const Run r = audit(copied, {"--verify"});
    CHECK(r.code == 3);
    CHECK(r.out ==
          "{\"total\":3,\"plaintext\":0,\"encrypted\":{\"v2\":3},\"bound\":{},\"unbound\":{"
          "\"v2\":3},\"missing\":0,\"invalid\":0,\"unreadable\":0,\"sharedIv\":2}\n");
    CHECK(r.err == sharedLines);
    CHECK(audit(record(1, envelope) + record(2, own), {"--verify"}).code == 0);
  }
  SECTION("--expect-only and --expect-bound: exit 3 on a shared IV") {
    const Run r = audit(copied, {"--expect-only", "v2"});
    CHECK(r.code == 3);
    CHECK(r.err == sharedLines);
    CHECK(audit(copied, {"--verify", "--expect-only", "v2"}).code == 3);
  }
  SECTION("a count, not a gate, without them: exit 0") {
    const Run r = audit(copied, {});
    CHECK(r.code == 0);
    CHECK(r.err ==
          "connector-crypto audit: one iv held by 2 records: line 1 (_id 1), line 3 (_id 3)\n");
  }
  SECTION("an invalid record under --verify is still exit 1, a shared IV beside it or not") {
    CHECK(audit(copied + "{\"_id\":4,\"credentials\":{\"__enc\":2}}\n", {"--verify"}).code ==
          1);
  }
  const std::string noField =
      "connector-crypto audit: no record holds the field \"credentials\" (%): an empty export or "
      "a mistyped --field passes no gate\n";
  const auto noFieldFor = [&](const std::string& field, const std::string& records) {
    std::string m = noField;
    m.replace(m.find("credentials"), 11, field);
    m.replace(m.find('%'), 1, records);
    return m;
  };
  SECTION("--expect-only / --expect-bound on an empty export: exit 3") {
    for (const auto& flags : std::vector<std::vector<std::string>>{
             {"--expect-only", "v2"}, {"--expect-bound"}, {"--verify", "--expect-only", "v2"}}) {
      INFO(flags[0]);
      for (const std::string& text : {std::string(), std::string("\n\n")}) {
        const Run r = audit(text, flags);
        CHECK(r.code == 3);
        CHECK(r.err == noFieldFor("credentials", "0 records"));
      }
    }
  }
  SECTION("--expect-only with a mistyped --field: every record missing, exit 3") {
    const Run r = audit(record(1, own) + record(2, own) + "{\"_id\":3,\"credentials\":null}\n",
                        {"--expect-only", "v2", "--field", "credential"});
    CHECK(r.code == 3);
    CHECK(r.out ==
          "{\"total\":3,\"plaintext\":0,\"encrypted\":{},\"bound\":{},\"unbound\":{},"
          "\"missing\":3,\"invalid\":0,\"sharedIv\":0}\n");
    CHECK(r.err == noFieldFor("credential", "3 records, each missing it or null"));
    CHECK(audit("{\"_id\":1,\"credentials\":null}\n", {"--expect-bound"}).err ==
          noFieldFor("credentials", "1 record, missing it or null"));
  }
  SECTION("one record holding the field is enough; without a gate no record is fine") {
    CHECK(audit(record(1, own) + "{\"_id\":2}\n", {"--expect-only", "v2"}).code == 0);
    CHECK(audit("", {}).code == 0);
    CHECK(audit("", {"--verify"}).code == 0);
  }
}
