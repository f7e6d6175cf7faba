// connector-crypto audit on generated mongoexport files.
#include "cli/cli_fixture.hpp"

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
          "{\"total\":12,\"plaintext\":4,\"encrypted\":{\"v1\":1,\"v2\":2,\"v9\":1},\"missing\":2,"
          "\"invalid\":2}\n");
    CHECK(r.code == 1);
    CHECK(r.err.find("line 8: not valid JSON") != std::string::npos);
    CHECK(r.err.find("line 12 (_id " + oid(12) + "): credentials: envelope: \"iv\" is missing") !=
          std::string::npos);
    test_support::requireNoSecret(r.out + r.err, allKeys());
  }
  SECTION("--verify decrypts every envelope and counts failures as invalid") {
    const Run r = run({"audit", "--verify", dir.file("export.jsonl")});
    CHECK(r.out ==
          "{\"total\":12,\"plaintext\":4,\"encrypted\":{\"v1\":1,\"v2\":1},\"missing\":2,"
          "\"invalid\":4}\n");
    CHECK(r.code == 1);
    CHECK(r.err.find("(_id " + oid(9) +
                     "): credentials: envelope: \"kid\" \"v9\" is not in the keyring") !=
          std::string::npos);
    CHECK(r.err.find("(_id " + oid(11) +
                     "): credentials: envelope: authentication failed under kid \"v2\"") !=
          std::string::npos);
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
    CHECK(r.out ==
          "{\"total\":7,\"plaintext\":0,\"encrypted\":{\"v2\":5},\"missing\":2,\"invalid\":0}\n");
  }
  SECTION("--field reaches a nested field; standard input") {
    const std::string text =
        "{\"_id\":1,\"config\":{\"auth\":" + envelopeText({{"p", 1}}, "v1", test_support::kKeyA) +
        "}}\n{\"_id\":2,\"config\":{\"auth\":{\"p\":2}}}\n{\"_id\":3}\n";
    const Run r = run({"audit", "--field", "config.auth", "-"}, {}, text);
    CHECK(r.code == 0);
    CHECK(r.out ==
          "{\"total\":3,\"plaintext\":1,\"encrypted\":{\"v1\":1},\"missing\":1,\"invalid\":0}\n");
  }
  SECTION("usage errors") {
    CHECK(run({"audit", "--field"}).code == 2);
    CHECK(run({"audit", "--bogus"}).code == 2);
    CHECK(run({"audit", "a", "b"}).code == 2);
    CHECK(run({"audit", "/nonexistent/x.jsonl"}).code == 2);
  }
}
