// Bound envelopes through the CLI's rewrap and audit (issue 11): each record's context from
// --context, --context-id, --context-path and --context-from; binding under
// CONNECTOR_CRED_BIND_CONTEXT=1, refused for a shared IV; audit's bound, unbound and sharedIv.
#include "cli/cli_fixture.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "rewrap.hpp"

using namespace cli_fixture;
namespace cc = connector_crypto;
using nlohmann::json;

namespace {

// The hex digits of fixture oid(n), and the typed value every side derives from them.
std::string oidHex(int n) { return json::parse(oid(n)).at("$oid").get<std::string>(); }
std::string typedOid(int n) { return "oid:" + oidHex(n); }

// Tenants as exported: one in uppercase hex (typed in lowercase), one a string.
const std::string kTenantA = "6650F0C2A1B2C3D4E5F60718";
const std::string kTypedTenantA = "oid:6650f0c2a1b2c3d4e5f60718";
const std::string kTenantB = "6650f0c2a1b2c3d4e5f6071a";

const std::vector<std::string> kAllSources = {"--context",      "collection=connectorinstances",
                                              "--context-id",   "id",
                                              "--context-path", "field",
                                              "--context-from", "tenant=tenant"};

// The recommended context, as the test expects the CLI to build it.
cc::EncryptionContext fullContext(const std::string& typedId, const std::string& typedTenant) {
  return {{"collection", "connectorinstances"},
          {"field", "credentials"},
          {"id", typedId},
          {"tenant", typedTenant}};
}

// v1 (key A), v2 (key B), v2 active, binding.
const cc::Keyring& bindKeyring() {
  static const cc::Keyring k = [] {
    cc::KeyringOptions options;
    options.bindContext = true;
    return cc::Keyring::fromBase64({{"v1", test_support::kKeyA}, {"v2", test_support::kKeyB}}, "v2",
                                   options);
  }();
  return k;
}

std::string doc(const std::string& id, const std::string& tenant, const std::string& field) {
  return "{\"_id\":" + id + (tenant.empty() ? "" : ",\"tenant\":" + tenant) +
         ",\"credentials\":" + field + "}";
}

std::string oidJson(const std::string& hex) { return "{\"$oid\":\"" + hex + "\"}"; }

json credentialsOf(const std::string& line) { return json::parse(line).at("credentials"); }

// The envelope is bound under v2 to names and opens under context to want, and not under other.
void checkBound(const json& envelope, const cc::EncryptionContext& context, const json& want,
                const cc::EncryptionContext& other) {
  REQUIRE(cc::isEncrypted(envelope));
  CHECK(envelope.at("kid") == "v2");
  CHECK(envelope.at("ctx") == json(context.names()));
  CHECK(cc::decryptCredentials(envelope, bindKeyring(), context) == want);
  CHECK_THROWS_AS(cc::decryptCredentials(envelope, bindKeyring(), other), cc::DecryptError);
}

}  // namespace

TEST_CASE("rewrap binds each record to the context its --context options build") {
  TempDir dir;
  const json p1 = {{"token", "tok-bind-0001"}}, p2 = {{"token", "tok-bind-0002"}},
             p3 = {{"token", "tok-bind-0003"}}, p5 = {{"token", "tok-bind-0005"}};
  const std::string boundLine =
      doc(oid(5), oidJson(kTenantB),
          cc::encryptCredentialsText(p5.dump(), bindKeyring(),
                                     fullContext(typedOid(5), "oid:" + kTenantB)));
  const std::vector<std::string> in = {
      doc(oid(1), oidJson(kTenantA), p1.dump()),
      doc("\"str-2\"", "\"acme\"", envelopeText(p2, "v1", test_support::kKeyA)),
      doc(oid(3), oidJson(kTenantA), envelopeText(p3, "v2", test_support::kKeyB)),
      doc(oid(4), "", "null"),
      boundLine,
  };
  std::string text;
  for (const std::string& l : in) text += l + "\n";
  writeFile(dir.file("in.jsonl"), text);

  const Run r = run(
      with({"rewrap", dir.file("in.jsonl"), "-o", dir.file("out.jsonl")}, kAllSources), envBind());
  REQUIRE(r.code == 0);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "connector-crypto rewrap: done\n"
        "  records read              5\n"
        "  encrypted from plaintext  1\n"
        "  rewrapped from v1         1\n"
        "  rewrapped from v2         1\n"
        "  newly bound               3\n"
        "  unchanged                 2\n"
        "  skipped                   0\n");
  const std::vector<std::string> out = lines(readFile(dir.file("out.jsonl")));
  REQUIRE(out.size() == 5);
  const auto other = fullContext(typedOid(9), kTypedTenantA);
  // Typed as every side types them: oid: and lowercase hex, str: and the string.
  checkBound(credentialsOf(out[0]), fullContext(typedOid(1), kTypedTenantA), p1, other);
  checkBound(credentialsOf(out[1]), fullContext("str:str-2", "str:acme"), p2, other);
  checkBound(credentialsOf(out[2]), fullContext(typedOid(3), kTypedTenantA), p3, other);
  CHECK(out[3] == in[3]);
  CHECK(out[4] == in[4]);  // bound already, under the active kid: byte for byte
  // Every other byte of a changed document stays.
  CHECK(out[0].rfind("{\"_id\":" + oid(1) + ",\"tenant\":" + oidJson(kTenantA) +
                         ",\"credentials\":{\"__enc\":1,\"kid\":\"v2\",\"iv\":\"",
                     0) == 0);
  CHECK(readFile(dir.file("out.jsonl")).find("tok-bind") == std::string::npos);

  SECTION("a second run changes nothing") {
    const Run again =
        run(with({"rewrap", dir.file("out.jsonl"), "-o", dir.file("again.jsonl")}, kAllSources),
            envBind());
    REQUIRE(again.code == 0);
    CHECK(readFile(dir.file("again.jsonl")) == readFile(dir.file("out.jsonl")));
    CHECK(again.err.find("  newly bound               0\n  unchanged                 5\n") !=
          std::string::npos);
  }
  SECTION("audit then finds only bound envelopes, each opening under its own context") {
    const Run a = run({"audit", dir.file("out.jsonl")}, {});
    CHECK(a.code == 0);
    CHECK(
        a.out ==
        "{\"total\":5,\"plaintext\":0,\"encrypted\":{\"v2\":4},\"bound\":{\"v2\":4},\"unbound\":{},"
        "\"missing\":1,\"invalid\":0,\"sharedIv\":0}\n");
    const Run v = run(with({"audit", "--verify", dir.file("out.jsonl")}, kAllSources), envBind());
    CHECK(v.code == 0);
    CHECK(
        v.out ==
        "{\"total\":5,\"plaintext\":0,\"encrypted\":{\"v2\":4},\"bound\":{\"v2\":4},\"unbound\":{},"
        "\"missing\":1,\"invalid\":0,\"unreadable\":0,\"sharedIv\":0}\n");
    CHECK(v.err.empty());
  }
  SECTION("--expect-bound: exit 0 only when every record is a bound envelope (missing aside)") {
    CHECK(run({"audit", "--expect-bound", dir.file("out.jsonl")}, {}).code == 0);
    CHECK(run({"audit", "--expect-bound", "--expect-only", "v2", dir.file("out.jsonl")}, {}).code ==
          0);
    const Run v1Only = run({"audit", "--expect-bound", "--expect-only", "v1", dir.file("out.jsonl")}, {});
    CHECK(v1Only.code == 3);
    CHECK(v1Only.err == "connector-crypto audit: 4 records not a bound envelope under \"v1\"\n");
    // The input: one plaintext, two unbound envelopes, a missing field and a bound envelope.
    const Run before = run({"audit", "--expect-bound", dir.file("in.jsonl")}, {});
    CHECK(before.code == 3);
    CHECK(before.err == "connector-crypto audit: 3 records not a bound envelope\n");
    const Run verified =
        run(with({"audit", "--verify", "--expect-bound", dir.file("in.jsonl")}, kAllSources),
            envBind());
    CHECK(verified.code == 3);
    CHECK(verified.err ==
          "connector-crypto audit: 3 records not a bound envelope that decrypts\n");
  }
  SECTION("--format updates sets the bound envelope under the old ct") {
    const Run u =
        run(with({"rewrap", "--format", "updates", dir.file("in.jsonl")}, kAllSources), envBind());
    REQUIRE(u.code == 0);
    const std::vector<std::string> updates = lines(u.out);
    REQUIRE(updates.size() == 3);
    const json second = json::parse(updates[1]);
    CHECK(second.at("filter") ==
          json({{"_id", "str-2"}, {"credentials.ct", credentialsOf(in[1]).at("ct")}}));
    checkBound(second.at("update").at("$set").at("credentials"),
               fullContext("str:str-2", "str:acme"), p2, other);
  }
  SECTION("without CONNECTOR_CRED_BIND_CONTEXT a context binds nothing") {
    const Run plain = run(with({"rewrap", dir.file("in.jsonl")}, kAllSources), envV1V2());
    REQUIRE(plain.code == 0);
    const std::vector<std::string> o = lines(plain.out);
    REQUIRE(o.size() == 5);
    CHECK_FALSE(credentialsOf(o[0]).contains("ctx"));
    CHECK_FALSE(credentialsOf(o[1]).contains("ctx"));
    CHECK(o[2] == in[2]);  // unbound under the active kid: left alone
    CHECK(o[4] == in[4]);
    CHECK(plain.err.find("newly bound") == std::string::npos);
  }
}

TEST_CASE("each --context source on its own") {
  TempDir dir;
  const json plain = {{"token", "tok-source"}};
  const std::string line = "{\"_id\":" + oid(7) +
                           ",\"meta\":{\"tenant\":\"acme\"},\"config\":{\"auth\":" + plain.dump() +
                           "}}";
  writeFile(dir.file("in.jsonl"), line + "\n");
  struct Case {
    std::vector<std::string> options;
    cc::EncryptionContext expected;
  };
  const std::vector<Case> cases = {
      {{"--context", "collection=connectorinstances"}, {{"collection", "connectorinstances"}}},
      {{"--context-id", "id"}, {{"id", typedOid(7)}}},
      {{"--context-path", "field"}, {{"field", "config.auth"}}},
      {{"--context-from", "tenant=meta.tenant"}, {{"tenant", "str:acme"}}},
  };
  for (const Case& c : cases) {
    INFO("options: " << json(c.options).dump());
    const Run r =
        run(with({"rewrap", "--field", "config.auth", dir.file("in.jsonl")}, c.options), envBind());
    REQUIRE(r.code == 0);
    const json envelope = json::parse(r.out).at("config").at("auth");
    CHECK(envelope.at("ctx") == json(c.expected.names()));
    CHECK(cc::decryptCredentials(envelope, bindKeyring(), c.expected) == plain);
    const cc::EncryptionContext other{{c.expected.names()[0], "str:another"}};
    CHECK_THROWS_AS(cc::decryptCredentials(envelope, bindKeyring(), other), cc::DecryptError);
  }
}

TEST_CASE("a record whose context cannot be built is unreadable, not a usage error") {
  TempDir dir;
  const std::string good = doc(oid(1), "\"acme\"", "{\"token\":\"tok-good\"}");
  struct Case {
    std::string line;
    std::string reason;
  };
  const std::string plain = "{\"token\":\"tok-unbuildable\"}";
  const std::vector<Case> cases = {
      {"{\"tenant\":\"acme\",\"credentials\":" + plain + "}",
       "credentials: context \"id\": the document has no _id"},
      {doc("5", "\"acme\"", plain),
       "credentials: context \"id\": _id is a number; only an ObjectId or a string can be a "
       "context value"},
      {doc("{\"$numberLong\":\"5\"}", "\"acme\"", plain),
       "credentials: context \"id\": _id is an object other than an ObjectId; only an ObjectId or "
       "a string can be a context value"},
      {doc(oid(2), "", plain), "credentials: context \"tenant\": the field \"tenant\" is missing"},
      {doc(oid(2), "null", plain),
       "credentials: context \"tenant\": the field \"tenant\" is null; only an ObjectId or a "
       "string can be a context value"},
      {doc(oid(2), "[\"acme\"]", plain),
       "credentials: context \"tenant\": the field \"tenant\" is an array; only an ObjectId or a "
       "string can be a context value"},
      {doc(oid(2), "{\"$oid\":\"abc\"}", plain),
       "credentials: context \"tenant\": the field \"tenant\": typedObjectId: an ObjectId is 24 "
       "hexadecimal digits"},
      {doc(oid(2), "\"" + std::string(4093, 't') + "\"", plain),
       "credentials: encryption context: the value of \"tenant\" is 4097 bytes; 1 to 4096 are "
       "allowed"},
      {doc(oid(2), "\"a\\u0000b\"", plain),
       "credentials: encryption context: the value of \"tenant\" holds a NUL byte"},
      {"{\"_id\":" + oid(2) + ",\"tenant\":\"a\",\"tenant\":\"b\",\"credentials\":" + plain + "}",
       "credentials: context \"tenant\": the field \"tenant\" appears twice"},
      // An envelope, too: a current one needs its context to be checked against.
      {doc(oid(2), "7", envelopeText({{"t", 1}}, "v2", test_support::kKeyB)),
       "credentials: context \"tenant\": the field \"tenant\" is a number; only an ObjectId or a "
       "string can be a context value"},
  };
  const std::vector<std::string> options = {"--context-id", "id", "--context-from",
                                            "tenant=tenant"};
  for (const Case& c : cases) {
    INFO(c.reason);
    writeFile(dir.file("in.jsonl"), good + "\n" + c.line + "\n" + good + "\n");
    const std::string id = json::parse(c.line).contains("_id")
                               ? " (_id " + json::parse(c.line).at("_id").dump() + ")"
                               : "";
    const Run stop = run(
        with({"rewrap", dir.file("in.jsonl"), "-o", dir.file("out.jsonl")}, options), envBind());
    CHECK(stop.code == 1);
    CHECK(stop.err == "connector-crypto rewrap: unreadable record at line 2" + id + ": " +
                          c.reason + "; " + dir.file("out.jsonl") +
                          " was not written (--keep-going copies such records unchanged)\n");
    CHECK_FALSE(exists(dir.file("out.jsonl")));
    const Run kept =
        run(with({"rewrap", "--keep-going", dir.file("in.jsonl")}, options), envBind());
    CHECK(kept.code == 3);
    CHECK(kept.err.rfind("connector-crypto rewrap: skipped line 2" + id + ": " + c.reason + "\n",
                         0) == 0);
    CHECK(kept.err.find("  newly bound               2\n") != std::string::npos);
    const std::vector<std::string> out = lines(kept.out);
    REQUIRE(out.size() == 3);
    CHECK(out[1] == c.line);
    CHECK(credentialsOf(out[0]).contains("ctx"));
    CHECK(kept.err.find("tok-") == std::string::npos);
    // audit --verify reads it as rewrap does: unreadable.
    const Run audit = run(with({"audit", "--verify", dir.file("in.jsonl")}, options), envBind());
    CHECK(audit.code == 1);
    CHECK(audit.err.find("connector-crypto audit: line 2" + id + ": " + c.reason + "\n") !=
          std::string::npos);
    CHECK(audit.out.find("\"unreadable\":1,") != std::string::npos);
  }
  SECTION("a record with nothing to rewrap needs no context") {
    writeFile(dir.file("in.jsonl"), "{\"n\":1}\n{\"_id\":5,\"credentials\":null}\n");
    const Run r = run(with({"rewrap", dir.file("in.jsonl")}, options), envBind());
    CHECK(r.code == 0);
    CHECK(r.out == "{\"n\":1}\n{\"_id\":5,\"credentials\":null}\n");
  }
}

TEST_CASE("rewrap refuses to bind an envelope whose IV another record holds") {
  TempDir dir;
  const std::string copied = envelopeText({{"token", "tok-copied"}}, "v1", test_support::kKeyA);
  // The same IV spelled with a JSON escape: compared as decoded bytes, it is the same IV.
  json parsed = json::parse(copied);
  const std::string iv = parsed.at("iv");
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(iv[0]));
  std::string respelled = copied;
  respelled.replace(respelled.find(iv), 1, escaped);
  REQUIRE(respelled != copied);
  const std::vector<std::string> in = {
      doc(oid(1), "\"a\"", copied),
      doc(oid(2), "\"b\"", envelopeText({{"token", "tok-own"}}, "v1", test_support::kKeyA)),
      doc(oid(3), "\"c\"", respelled),
      doc(oid(4), "\"d\"", "{\"token\":\"tok-plain\"}"),
  };
  std::string text;
  for (const std::string& l : in) text += l + "\n";
  writeFile(dir.file("in.jsonl"), text);
  const std::string holders =
      "its iv is held by 2 records (line 1 (_id " + oid(1) + "), line 3 (_id " + oid(3) + "))";
  const std::string refusal = "credentials: not bound: " + holders +
                              ": a copied envelope must not become its new record's own; a "
                              "person decides which record it belongs to";

  SECTION("without --keep-going: exit 1 at the first, OUTPUT not written") {
    const Run r =
        run(with({"rewrap", dir.file("in.jsonl"), "-o", dir.file("out.jsonl")}, kAllSources),
            envBind());
    CHECK(r.code == 1);
    CHECK(r.err == "connector-crypto rewrap: unreadable record at line 1 (_id " + oid(1) +
                       "): " + refusal + "; " + dir.file("out.jsonl") +
                       " was not written (--keep-going copies such records unchanged)\n");
    CHECK_FALSE(exists(dir.file("out.jsonl")));
  }
  SECTION("--keep-going: both copied unchanged and listed, the others bound; exit 3") {
    const Run r =
        run(with({"rewrap", "--keep-going", dir.file("in.jsonl")}, kAllSources), envBind());
    CHECK(r.code == 3);
    CHECK(r.err == "connector-crypto rewrap: skipped line 1 (_id " + oid(1) + "): " + refusal +
                       "\nconnector-crypto rewrap: skipped line 3 (_id " + oid(3) +
                       "): " + refusal +
                       "\nconnector-crypto rewrap: done\n"
                       "  records read              4\n"
                       "  encrypted from plaintext  1\n"
                       "  rewrapped from v1         1\n"
                       "  newly bound               2\n"
                       "  unchanged                 0\n"
                       "  skipped                   2\n");
    const std::vector<std::string> out = lines(r.out);
    REQUIRE(out.size() == 4);
    CHECK(out[0] == in[0]);
    CHECK(out[2] == in[2]);
    CHECK(credentialsOf(out[1]).contains("ctx"));
    CHECK(credentialsOf(out[3]).contains("ctx"));
  }
  SECTION("not binding, nothing is refused: both are rewrapped, unbound") {
    const Run r = run(with({"rewrap", dir.file("in.jsonl")}, kAllSources), envV1V2());
    CHECK(r.code == 0);
    CHECK(r.err.find("rewrapped from v1         3\n") != std::string::npos);
  }
  SECTION("audit counts and lists them, without changing the exit status") {
    const Run a = run({"audit", dir.file("in.jsonl")}, {});
    CHECK(a.code == 0);
    CHECK(
        a.out ==
        "{\"total\":4,\"plaintext\":1,\"encrypted\":{\"v1\":3},\"bound\":{},\"unbound\":{\"v1\":3},"
        "\"missing\":0,\"invalid\":0,\"sharedIv\":2}\n");
    CHECK(a.err == "connector-crypto audit: one iv held by 2 records: line 1 (_id " + oid(1) +
                       "), line 3 (_id " + oid(3) + ")\n");
  }
}

TEST_CASE("binding needs a context and INPUT as a regular file") {
  TempDir dir;
  const std::string line = doc(oid(1), "\"a\"", "{\"token\":\"tok-stdin\"}") + "\n";
  writeFile(dir.file("in.jsonl"), line);
  const Run fromStdin = run(with({"rewrap"}, kAllSources), envBind(), line);
  CHECK(fromStdin.code == 2);
  CHECK(fromStdin.out.empty());
  CHECK(fromStdin.err ==
        "connector-crypto rewrap: binding (CONNECTOR_CRED_BIND_CONTEXT=1) reads INPUT twice, every "
        "IV first: give INPUT as a regular file, not standard input or a pipe\n"
        "Run 'connector-crypto rewrap --help' for usage.\n");
  CHECK(run(with({"rewrap", "-"}, kAllSources), envBind(), line).code == 2);
  const Run noContext = run({"rewrap", dir.file("in.jsonl")}, envBind());
  CHECK(noContext.code == 2);
  CHECK(noContext.out.empty());
  CHECK(noContext.err ==
        "connector-crypto rewrap: CONNECTOR_CRED_BIND_CONTEXT=1 binds every record to its "
        "context: give --context, --context-id, --context-path or --context-from\n"
        "Run 'connector-crypto rewrap --help' for usage.\n");
  // Not binding, standard input stays fine.
  CHECK(run(with({"rewrap"}, kAllSources), envV1V2(), line).code == 0);
}

TEST_CASE("context options that break a rule are usage errors of rewrap and audit") {
  struct Case {
    std::vector<std::string> options;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--context", "id=oid:6650f0c2a1b2c3d4e5f60718", "--context-id", "id"},
       "encryption context: the name \"id\" is given twice"},
      {{"--context-path", "f", "--context-from", "f=tenant"},
       "encryption context: the name \"f\" is given twice"},
      {{"--context-id", "bad name"},
       "encryption context: the name of pair 1 is not 1 to 64 characters of [A-Za-z0-9_.-]"},
      {{"--context", "c=" + std::string(4097, 'v')},
       "encryption context: the value of \"c\" is 4097 bytes; 1 to 4096 are allowed"},
      {{"--context-from", "tenant"},
       "--context-from needs NAME=FIELD, FIELD a dotted path of non-empty names not starting "
       "with '$'"},
      {{"--context-from", "tenant=a..b"},
       "--context-from needs NAME=FIELD, FIELD a dotted path of non-empty names not starting "
       "with '$'"},
      {{"--context-from", "tenant=credentials.tenant"},
       "--context-from \"tenant\": FIELD must not be the --field path, nor lie inside or around "
       "it"},
      {{"--context-id"}, "--context-id needs a NAME"},
      {{"--context-path"}, "--context-path needs a NAME"},
      {{"--context-from"}, "--context-from needs NAME=FIELD"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    const Run r = run(with({"rewrap"}, c.options), envBind(), "{}\n");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "connector-crypto rewrap: " + c.message +
                       "\nRun 'connector-crypto rewrap --help' for usage.\n");
    CHECK(r.err.find("6650f0c2") == std::string::npos);
    const Run a = run(with({"audit", "--verify"}, c.options), envBind(), "{}\n");
    CHECK(a.code == 2);
    CHECK(a.err == "connector-crypto audit: " + c.message +
                       "\nRun 'connector-crypto audit --help' for usage.\n");
  }
  const Run noVerify = run({"audit", "--context-id", "id"}, {}, "{}\n");
  CHECK(noVerify.code == 2);
  CHECK(noVerify.err ==
        "connector-crypto audit: the --context options need --verify (without it nothing is "
        "opened)\nRun 'connector-crypto audit --help' for usage.\n");
}

TEST_CASE("audit --verify with a context finds a swapped bound envelope") {
  TempDir dir;
  const json plain = {{"token", "tok-swap"}};
  const std::string ownA = cc::encryptCredentialsText(plain.dump(), bindKeyring(),
                                                      fullContext(typedOid(1), kTypedTenantA));
  const std::vector<std::string> in = {
      doc(oid(1), oidJson(kTenantA), ownA),
      doc(oid(2), oidJson(kTenantA), ownA),  // A's envelope copied into record 2
      doc(oid(3), oidJson(kTenantA), envelopeText(plain, "v1", test_support::kKeyA)),
      doc(oid(4), oidJson(kTenantA), "null"),
  };
  std::string text;
  for (const std::string& l : in) text += l + "\n";
  writeFile(dir.file("in.jsonl"), text);
  const std::string shared = "connector-crypto audit: one iv held by 2 records: line 1 (_id " +
                             oid(1) + "), line 2 (_id " + oid(2) + ")\n";

  SECTION("no key: both counted bound under v2, the IV shared") {
    const Run r = run({"audit", dir.file("in.jsonl")}, {});
    CHECK(r.code == 0);
    CHECK(r.out ==
          "{\"total\":4,\"plaintext\":0,\"encrypted\":{\"v1\":1,\"v2\":2},\"bound\":{\"v2\":2},"
          "\"unbound\":{\"v1\":1},\"missing\":1,\"invalid\":0,\"sharedIv\":2}\n");
    CHECK(r.err == shared);
  }
  SECTION("--verify under each record's context: the copy is invalid") {
    const Run r = run(with({"audit", "--verify", dir.file("in.jsonl")}, kAllSources), envV1V2());
    CHECK(r.code == 1);
    CHECK(r.out ==
          "{\"total\":4,\"plaintext\":0,\"encrypted\":{\"v1\":1,\"v2\":1},\"bound\":{\"v2\":1},"
          "\"unbound\":{\"v1\":1},\"missing\":1,\"invalid\":1,\"unreadable\":0,\"sharedIv\":2}\n");
    CHECK(r.err == kReadsUnbound("audit") + "connector-crypto audit: line 2 (_id " + oid(2) +
                       "): credentials: envelope: authentication failed under kid \"v2\" (wrong "
                       "key, \"iv\"/\"ct\"/\"ctx\" modified, or the envelope belongs to another "
                       "record)\n" +
                       shared +
                       "connector-crypto audit: 2 records hold an iv another record holds (a "
                       "copied envelope, or a connector duplicated on purpose: a person decides); "
                       "the gate fails until sharedIv is 0\n");
    const Run gate =
        run(with({"audit", "--verify", "--expect-only", "v2", dir.file("in.jsonl")}, kAllSources),
            envV1V2());
    CHECK(gate.code == 3);
  }
  SECTION("--verify with other names: invalid too") {
    const Run r = run({"audit", "--verify", "--context-id", "id", dir.file("in.jsonl")}, envV1V2());
    CHECK(r.code == 1);
    CHECK(r.out.find("\"invalid\":2,\"unreadable\":0,") != std::string::npos);
    CHECK(r.err.find("line 1 (_id " + oid(1) +
                     "): credentials: envelope: context names differ: the envelope is bound to "
                     "[collection, field, id, tenant], the caller gave [id]\n") !=
          std::string::npos);
  }
  SECTION("--verify without a context: bound envelopes are unreadable, not invalid") {
    const Run r = run({"audit", "--verify", dir.file("in.jsonl")}, envV1V2());
    CHECK(r.code == 1);
    CHECK(r.out ==
          "{\"total\":4,\"plaintext\":0,\"encrypted\":{\"v1\":1,\"v2\":2},\"bound\":{\"v2\":2},"
          "\"unbound\":{\"v1\":1},\"missing\":1,\"invalid\":0,\"unreadable\":2,\"sharedIv\":2}\n");
    CHECK(r.err.find("envelope: context required: the envelope is bound to the context names "
                     "[collection, field, id, tenant]") != std::string::npos);
  }
}

TEST_CASE("rewrapRecord: binding without an index of the input's IVs binds nothing") {
  cc::cli::RewrapConfig config;
  config.path = *cc::cli::parseFieldPath("credentials");
  std::size_t i = 0;
  std::string problem;
  const std::vector<std::string> args = {"--context-id", "id"};
  REQUIRE(cc::cli::parseContextOption(args, i, true, config.context, problem) ==
          cc::cli::ContextOption::kTaken);
  REQUIRE_FALSE(cc::cli::resolveContextSpec(config.context, config.path));
  const std::string line =
      doc(oid(1), "", envelopeText({{"token", "tok-index"}}, "v1", test_support::kKeyA));
  const auto refused = cc::cli::rewrapRecord(line, config, bindKeyring());
  CHECK(refused.status == cc::cli::RecordResult::Status::kUnreadable);
  CHECK(refused.reason ==
        "credentials: not bound: the input's IVs were not indexed (internal error)");
  cc::cli::IvIndex none;
  none.finish();
  config.sharedIvs = &none;
  const auto bound = cc::cli::rewrapRecord(line, config, bindKeyring());
  REQUIRE(bound.status == cc::cli::RecordResult::Status::kChanged);
  CHECK(bound.newlyBound);
  CHECK(bound.fromKid == "v1");
}

// The case: rewrap with every context source but without the switch printed "unchanged"
// and exit 0 as if it had bound. It still does what it did (a rollout stage), and says so once.
TEST_CASE("rewrap and audit --verify with --context options but binding off: said once") {
  TempDir dir;
  const json p1 = {{"token", "tok-note-0001"}}, p2 = {{"token", "tok-note-0002"}};
  const std::string in =
      doc(oid(1), oidJson(kTenantA), envelopeText(p1, "v2", test_support::kKeyB)) + "\n" +
      doc(oid(2), oidJson(kTenantB), p2.dump()) + "\n";
  writeFile(dir.file("in.jsonl"), in);
  SECTION("rewrap writes unbound envelopes, as before, and says so before its summary") {
    const Run r = run(with({"rewrap", dir.file("in.jsonl")}, kAllSources), envV1V2());
    REQUIRE(r.code == 0);
    CHECK(r.err.rfind(kWritesUnbound("rewrap") + "connector-crypto rewrap: done\n", 0) == 0);
    CHECK(r.err.find("binding is off", r.err.find("binding is off") + 1) == std::string::npos);
    for (const std::string& line : lines(r.out)) CHECK_FALSE(credentialsOf(line).contains("ctx"));
    CHECK(run({"rewrap", dir.file("in.jsonl")}, envV1V2()).err.find("binding is off") ==
          std::string::npos);
    const Run binding = run(with({"rewrap", dir.file("in.jsonl")}, kAllSources), envBind());
    REQUIRE(binding.code == 0);
    CHECK(binding.err.find("binding is off") == std::string::npos);
  }
  SECTION("audit --verify opens them as before, and says what binding off means for a reader") {
    const Run r = run(with({"audit", "--verify", dir.file("in.jsonl")}, kAllSources), envV1V2());
    CHECK(r.code == 0);
    CHECK(r.err == kReadsUnbound("audit"));
    CHECK(run({"audit", "--verify", dir.file("in.jsonl")}, envV1V2()).err.empty());
    CHECK(
        run(with({"audit", "--verify", dir.file("in.jsonl")}, kAllSources), envBind()).err.empty());
  }
}
