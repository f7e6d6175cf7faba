// connector-crypto check, encrypt, decrypt, inspect and rotate through runCli.
#include "cli/cli_fixture.hpp"

using namespace cli_fixture;
using test_support::kKeyA;
using test_support::kKeyB;

namespace {

// Parses rotate's two lines back into variables (strips the single quotes).
std::map<std::string, std::string> parseEnvLines(const std::string& text) {
  std::map<std::string, std::string> vars;
  for (const std::string& line : lines(text)) {
    const auto eq = line.find('=');
    REQUIRE(eq != std::string::npos);
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    vars[line.substr(0, eq)] = value;
  }
  return vars;
}

}  // namespace

TEST_CASE("check prints the active kid and fingerprints, never a key") {
  // The configuration fingerprint a service holding the same keys and active kid reports.
  const auto configOf = [](const std::map<std::string, std::string>& keys,
                           const std::string& active) {
    return "config_fingerprint " +
           connector_crypto::Keyring::fromBase64(keys, active).configFingerprint() + "\n";
  };
  const std::string v1v2 = configOf({{"v1", kKeyA}, {"v2", kKeyB}}, "v2");
  const Run r = run({"check"});
  REQUIRE(r.code == 0);
  CHECK(r.out == "active_kid v2\nkid v1 fingerprint " + test_support::kFingerprintA +
                     "\nkid v2 fingerprint " + test_support::kFingerprintB +
                     " active\nrequire_encrypted off\nbind_context off\nrequire_context off\n" +
                     v1v2);
  test_support::requireNoSecret(r.out + r.err, allKeys());

  SECTION("single key, strict mode") {
    const Run s =
        run({"check"}, {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "1"}});
    REQUIRE(s.code == 0);
    CHECK(s.out == "active_kid v1\nkid v1 fingerprint " + test_support::kFingerprintA +
                       " active\nrequire_encrypted on\nbind_context off\nrequire_context off\n" +
                       configOf({{"v1", kKeyA}}, "v1"));
  }
  SECTION("the two context switches, each on its own line") {
    const std::string head = "active_kid v2\nkid v1 fingerprint " + test_support::kFingerprintA +
                             "\nkid v2 fingerprint " + test_support::kFingerprintB +
                             " active\nrequire_encrypted off\n";
    const Run bind = run({"check"}, envBind());
    REQUIRE(bind.code == 0);
    CHECK(bind.out == head + "bind_context on\nrequire_context off\n" + v1v2);
    const Run both = run({"check"}, envBind(true));
    REQUIRE(both.code == 0);
    CHECK(both.out == head + "bind_context on\nrequire_context on\n" + v1v2);
    // requireContext alone would refuse what the keyring writes: the library's KeyringError.
    std::map<std::string, std::string> requireOnly = envV1V2();
    requireOnly["CONNECTOR_CRED_REQUIRE_CONTEXT"] = "1";
    const Run refused = run({"check"}, requireOnly);
    CHECK(refused.code == 2);
    CHECK(refused.out.empty());
    CHECK(refused.err ==
          "connector-crypto check: CONNECTOR_CRED_REQUIRE_CONTEXT is on but "
          "CONNECTOR_CRED_BIND_CONTEXT is off: the keyring would refuse the unbound envelopes it "
          "writes; turn on CONNECTOR_CRED_BIND_CONTEXT first\n");
  }
  SECTION("a configuration error exits 2 with the library's message") {
    const Run bad = run({"check"}, {{"CONNECTOR_CRED_KEY", "not-a-key"}});
    CHECK(bad.code == 2);
    CHECK(bad.out.empty());
    CHECK(bad.err ==
          "connector-crypto check: CONNECTOR_CRED_KEY is not valid standard base64: its 9 "
          "characters (0 of them '=' padding) cannot be base64 (a character lost or added?)\n");
    CHECK(run({"check"}, {}).code == 2);
    CHECK(run({"check", "extra"}).code == 2);
  }
}

TEST_CASE("encrypt, decrypt and inspect one value") {
  TempDir dir;
  const std::string plain = R"({"token":"tok-cmd-0001","n":[1,2.5,null]})";
  const Run enc = run({"encrypt"}, envV1V2(), plain + "\n");
  REQUIRE(enc.code == 0);
  CHECK(enc.out.find("tok-cmd-0001") == std::string::npos);
  test_support::requireNoSecret(enc.out + enc.err, allKeys());
  const nlohmann::json envelope = nlohmann::json::parse(enc.out);
  REQUIRE(connector_crypto::isEncrypted(envelope));
  CHECK(envelope.at("kid") == "v2");
  // The text API's envelope: the TypeScript writer's member order, one line.
  CHECK(enc.out.rfind("{\"__enc\":1,\"kid\":\"v2\",\"iv\":\"", 0) == 0);
  CHECK(enc.out.find('\n') == enc.out.size() - 1);

  writeFile(dir.file("env.json"), enc.out);
  const Run dec = run({"decrypt", dir.file("env.json")});
  REQUIRE(dec.code == 0);
  CHECK(nlohmann::json::parse(dec.out) == nlohmann::json::parse(plain));
  test_support::requireNoSecret(dec.out + dec.err, allKeys());

  CHECK(run({"inspect", dir.file("env.json")}, {}).out == "{\"encrypted\":true,\"kid\":\"v2\"}\n");
  CHECK(run({"inspect"}, {}, plain).out == "{\"encrypted\":false}\n");
  CHECK(run({"inspect"}, {}, "null").out == "{\"encrypted\":false}\n");

  SECTION("legacy plaintext and an envelope come back as they are, one newline after them") {
    const std::string spaced = "{ \"a\" : 1 }";
    CHECK(run({"decrypt"}, envV1V2(), spaced + "\n").out == spaced + "\n");
    CHECK(run({"decrypt"}, envV1V2(), spaced).out == spaced + "\n");
    CHECK(run({"encrypt"}, envV1V2(), enc.out).out == enc.out);
    CHECK(run({"encrypt"}, envV1V2(), "null").out == "null\n");
  }

  SECTION("a leading byte order mark is dropped from the input, never sealed") {
    const std::string bom = "\xEF\xBB\xBF";
    const Run withBom = run({"encrypt"}, envV1V2(), bom + plain + "\n");
    REQUIRE(withBom.code == 0);
    // decrypt refuses a plaintext that starts with a BOM (docs/FORMAT.md): it opens, without one.
    const Run back = run({"decrypt"}, envV1V2(), withBom.out);
    REQUIRE(back.code == 0);
    CHECK(back.out == dec.out);
    CHECK(back.out.rfind(bom, 0) == std::string::npos);
    // A BOM ahead of a stored envelope is dropped the same way.
    CHECK(run({"decrypt"}, envV1V2(), bom + enc.out).out == dec.out);
    CHECK(run({"encrypt"}, envV1V2(), bom + enc.out).out == enc.out);
  }

  SECTION("an old-kid envelope decrypts; an unknown kid and tampering exit 1") {
    CHECK(run({"decrypt"}, envV1V2(), envelopeText({{"a", 1}}, "v1", kKeyA)).out == "{\"a\":1}\n");
    const Run unknown =
        run({"decrypt"}, envV1V2(), envelopeText({{"a", 1}}, "v9", test_support::kKeyC));
    CHECK(unknown.code == 1);
    CHECK(unknown.err ==
          "connector-crypto decrypt: envelope: \"kid\" \"v9\" is not in the keyring\n");
    nlohmann::json t = envelope;
    std::string ct = t["ct"];
    ct[1] = ct[1] == 'A' ? 'B' : 'A';
    t["ct"] = ct;
    const Run tampered = run({"decrypt"}, envV1V2(), t.dump());
    CHECK(tampered.code == 1);
    CHECK(tampered.out.empty());
  }
  SECTION("input errors") {
    const Run notJson = run({"encrypt"}, envV1V2(), "{\"token\":\"tok-cmd-0001\"");
    CHECK(notJson.code == 1);
    CHECK(notJson.err.find("tok-cmd-0001") == std::string::npos);
    const Run malformed = run({"inspect"}, {}, R"({"__enc":1,"kid":"v1","iv":"AAAA","ct":"AAAA"})");
    CHECK(malformed.code == 1);
    CHECK(malformed.err ==
          "connector-crypto inspect: envelope: \"iv\" must be standard base64 of 12 bytes (16 "
          "characters)\n");
    CHECK(run({"encrypt"}, envV1V2(), R"({"__enc":2})").code == 1);
    const Run twice = run({"encrypt"}, envV1V2(), R"({"token":"tok-cmd-0001","token":"x"})");
    CHECK(twice.code == 1);
    CHECK(twice.out.empty());
    CHECK(twice.err ==
          "connector-crypto encrypt: standard input: not one valid JSON value (UTF-8, at most 512 "
          "levels of nesting, no member name twice in an object)\n");
    CHECK(run({"decrypt", "/nonexistent"}).code == 2);
    CHECK(run({"inspect", "a", "b"}).code == 2);
    CHECK(run({"encrypt"}, {}, "{}").code == 2);
    const std::string deep = std::string(600, '[') + std::string(600, ']');
    CHECK(run({"inspect"}, {}, deep).code == 1);
  }
}

TEST_CASE("encrypt and decrypt --context: a bound envelope opens only under its own context") {
  const std::string plain = R"({"token":"tok-ctx-0001"})";
  // Values typed as documents' are (oid:, str:); never echoed in any message below.
  const std::string tenantA = "oid:6650f0c2a1b2c3d4e5f60718", tenantB = "oid:6650f0c2a1b2c3d4e5f6071a";
  const std::vector<std::string> ctxA = {"--context", "tenant=" + tenantA, "--context",
                                         "collection=connectorinstances"};
  const Run enc = run(with({"encrypt"}, ctxA), envBind(), plain);
  REQUIRE(enc.code == 0);
  CHECK(enc.err.empty());
  CHECK(enc.out.find("tok-ctx-0001") == std::string::npos);
  CHECK(enc.out.find(tenantA) == std::string::npos);
  // The text API's order, "ctx" last: the sorted names, never a value.
  CHECK(enc.out.rfind("{\"__enc\":1,\"kid\":\"v2\",\"iv\":\"", 0) == 0);
  CHECK(enc.out.substr(enc.out.size() - 31) == "\"ctx\":[\"collection\",\"tenant\"]}\n");
  const nlohmann::json envelope = nlohmann::json::parse(enc.out);
  CHECK(connector_crypto::isEncrypted(envelope));

  SECTION("it opens under the same pairs, in any order, with or without the switch") {
    const std::vector<std::string> reordered = {"--context", "collection=connectorinstances",
                                                "--context", "tenant=" + tenantA};
    for (const auto& env : {envBind(), envV1V2(), envBind(true)}) {
      const Run dec = run(with({"decrypt"}, reordered), env, enc.out);
      CHECK(dec.code == 0);
      CHECK(dec.out == plain + "\n");
      CHECK(dec.err == (env.count("CONNECTOR_CRED_BIND_CONTEXT") ? "" : kReadsUnbound("decrypt")));
    }
    CHECK(run({"inspect"}, {}, enc.out).out ==
          "{\"encrypted\":true,\"kid\":\"v2\",\"bound\":true,\"ctx\":[\"collection\",\"tenant\"]}\n");
  }
  SECTION("the swap: under another record's context it fails authentication, exit 1") {
    const Run swapped = run({"decrypt", "--context", "tenant=" + tenantB, "--context",
                             "collection=connectorinstances"},
                            envV1V2(), enc.out);
    CHECK(swapped.code == 1);
    CHECK(swapped.out.empty());
    CHECK(swapped.err ==
          kReadsUnbound("decrypt") +
              "connector-crypto decrypt: envelope: authentication failed under kid \"v2\" (wrong "
              "key, \"iv\"/\"ct\"/\"ctx\" modified, or the envelope belongs to another record)\n");
  }
  SECTION("other names: exit 1 naming both lists; no context: exit 2 naming the envelope's") {
    const Run fewer = run({"decrypt", "--context", "tenant=" + tenantA}, envV1V2(), enc.out);
    CHECK(fewer.code == 1);
    CHECK(fewer.out.empty());
    CHECK(fewer.err ==
          kReadsUnbound("decrypt") +
              "connector-crypto decrypt: envelope: context names differ: the envelope is bound to "
              "[collection, tenant], the caller gave [tenant]\n");
    const Run none = run({"decrypt"}, envV1V2(), enc.out);
    CHECK(none.code == 2);
    CHECK(none.out.empty());
    CHECK(none.err ==
          "connector-crypto decrypt: envelope: context required: the envelope is bound to the "
          "context names [collection, tenant]; pass the record's EncryptionContext (--context "
          "NAME=VALUE)\nRun 'connector-crypto decrypt --help' for usage.\n");
  }
  SECTION("an envelope given to encrypt with a context comes back only if it opens under it") {
    CHECK(run(with({"encrypt"}, ctxA), envBind(), enc.out).out == enc.out);
    const Run other = run({"encrypt", "--context", "tenant=" + tenantB, "--context",
                           "collection=connectorinstances"},
                          envBind(), enc.out);
    CHECK(other.code == 1);
    CHECK(other.out.empty());
  }
  SECTION("without CONNECTOR_CRED_BIND_CONTEXT a context is accepted, the envelope unbound") {
    const Run unbound = run(with({"encrypt"}, ctxA), envV1V2(), plain);
    REQUIRE(unbound.code == 0);
    CHECK(unbound.out.find("ctx") == std::string::npos);
    CHECK(run({"inspect"}, {}, unbound.out).out == "{\"encrypted\":true,\"kid\":\"v2\"}\n");
    CHECK(run({"decrypt"}, envV1V2(), unbound.out).out == plain + "\n");
    CHECK(run(with({"decrypt"}, ctxA), envV1V2(), unbound.out).out == plain + "\n");
    // CONNECTOR_CRED_REQUIRE_CONTEXT refuses it, with a context or without.
    const Run refused = run(with({"decrypt"}, ctxA), envBind(true), unbound.out);
    CHECK(refused.code == 1);
    CHECK(refused.out.empty());
    CHECK(run({"decrypt"}, envBind(true), unbound.out).code == 1);
  }
  SECTION("CONNECTOR_CRED_BIND_CONTEXT=1 without --context: exit 2, null aside") {
    const Run r = run({"encrypt"}, envBind(), plain);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "connector-crypto encrypt: encryptCredentialsText: context required: this keyring binds "
          "envelopes to their records (bindContext / CONNECTOR_CRED_BIND_CONTEXT=1); pass the "
          "record's EncryptionContext (--context NAME=VALUE)\nRun 'connector-crypto encrypt "
          "--help' for usage.\n");
    CHECK(run({"encrypt"}, envBind(), "null").out == "null\n");
  }
}

// Passing contexts with binding off is a rollout stage (docs/ROTATION.md), so it works as before,
// but never silently: each command given a --context option says so once on standard error.
TEST_CASE("a --context without CONNECTOR_CRED_BIND_CONTEXT=1: said once, the behaviour kept") {
  const std::string plain = R"({"token":"tok-note-0001"})";
  const std::vector<std::string> ctx = {"--context", "tenant=oid:6650f0c2a1b2c3d4e5f60718",
                                        "--context", "collection=connectorinstances"};
  SECTION("encrypt writes an unbound envelope and says so") {
    const Run r = run(with({"encrypt"}, ctx), envV1V2(), plain);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("ctx") == std::string::npos);
    CHECK(r.err == kWritesUnbound("encrypt"));
    CHECK(run({"encrypt"}, envV1V2(), plain).err.empty());  // no context: nothing to say
    CHECK(run(with({"encrypt"}, ctx), envBind(), plain).err.empty());
    SECTION("decrypt opens it and says what binding off means for a reader") {
      const Run d = run(with({"decrypt"}, ctx), envV1V2(), r.out);
      CHECK(d.code == 0);
      CHECK(d.out == plain + "\n");
      CHECK(d.err == kReadsUnbound("decrypt"));
      CHECK(run({"decrypt"}, envV1V2(), r.out).err.empty());
      CHECK(run(with({"decrypt"}, ctx), envBind(), r.out).err.empty());
    }
  }
}

TEST_CASE("a --context that breaks a rule is a usage error that never quotes a value") {
  const std::string secret = "oid:6650f0c2a1b2c3d4e5f60718";
  const std::string usage = "\nRun 'connector-crypto encrypt --help' for usage.\n";
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<std::string> seventeen = {"encrypt"};
  for (int i = 0; i < 17; ++i) {
    seventeen.push_back("--context");
    seventeen.push_back("n" + std::to_string(i) + "=" + secret);
  }
  const std::vector<Case> cases = {
      {{"encrypt", "--context", "tenant=" + secret, "--context", "tenant=" + secret},
       "encryption context: the name \"tenant\" is given twice"},
      {{"encrypt", "--context", "tenant="}, "encryption context: the value of \"tenant\" is 0 "
                                            "bytes; 1 to 4096 are allowed"},
      {{"encrypt", "--context", "tenant=" + std::string(4097, 'v')},
       "encryption context: the value of \"tenant\" is 4097 bytes; 1 to 4096 are allowed"},
      {{"encrypt", "--context", "tenant=a" + std::string(1, '\0') + secret},
       "encryption context: the value of \"tenant\" holds a NUL byte"},
      {{"encrypt", "--context", "id=x", "--context", "bad name=" + secret},
       "encryption context: the name of pair 2 is not 1 to 64 characters of [A-Za-z0-9_.-]"},
      {{"encrypt", "--context", "=" + secret},
       "encryption context: the name of pair 1 is not 1 to 64 characters of [A-Za-z0-9_.-]"},
      {{"encrypt", "--context", secret}, "--context needs NAME=VALUE (its argument has no '=')"},
      {{"encrypt", "--context"}, "--context needs NAME=VALUE"},
      {seventeen, "encryption context: 17 pairs; 1 to 16 are allowed"},
      {{"encrypt", "--context-id", "id"}, "unknown option '--context-id'"},
  };
  for (const Case& c : cases) {
    INFO("message: " << c.message);
    const Run r = run(c.args, envBind(), "{\"a\":1}");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "connector-crypto encrypt: " + c.message + usage);
    CHECK(r.err.find(secret) == std::string::npos);
    std::vector<std::string> decrypt = c.args;
    decrypt[0] = "decrypt";
    CHECK(run(decrypt, envBind(), "{\"a\":1}").code == 2);
  }
  const Run inspect = run({"inspect", "--context", "a=b"}, {}, "{}");
  CHECK(inspect.code == 2);
  CHECK(inspect.err.rfind("connector-crypto inspect: unknown option '--context'\n", 0) == 0);
}

TEST_CASE("rotate stages a new key, then activates it") {
  TempDir dir;
  const Run stage1 = run({"rotate", "--kid", "v3"});
  REQUIRE(stage1.code == 0);
  const std::vector<std::string> l = lines(stage1.out);
  REQUIRE(l.size() == 2);
  CHECK(l[0].rfind(
            "CONNECTOR_CRED_KEYS='{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\",\"v3\":\"",
            0) == 0);
  CHECK(l[1] == "CONNECTOR_CRED_ACTIVE_KID=v2");
  std::map<std::string, std::string> vars = parseEnvLines(stage1.out);
  const auto keyring = connector_crypto::keyringFromEnv(test_support::envOf(vars));
  CHECK(keyring.kids() == std::vector<std::string>{"v1", "v2", "v3"});
  CHECK(keyring.activeKid() == "v2");
  CHECK(keyring.fingerprint("v1") == test_support::kFingerprintA);

  SECTION("stage 2 mints nothing and only moves the active kid") {
    const Run stage2 = run({"rotate", "--activate", "v3"}, vars);
    REQUIRE(stage2.code == 0);
    CHECK(lines(stage2.out)[0] == l[0]);
    CHECK(lines(stage2.out)[1] == "CONNECTOR_CRED_ACTIVE_KID=v3");
    CHECK(run({"rotate", "--activate", "v4"}, vars).code == 2);
  }
  SECTION("from a single CONNECTOR_CRED_KEY, and from _FILE twins") {
    const Run single = run({"rotate", "--kid", "k2"}, {{"CONNECTOR_CRED_KEY", " " + kKeyA + "\n"},
                                                       {"CONNECTOR_CRED_KID", "k1"}});
    REQUIRE(single.code == 0);
    CHECK(lines(single.out)[0].rfind("CONNECTOR_CRED_KEYS='{\"k1\":\"" + kKeyA + "\",\"k2\":\"",
                                     0) == 0);
    CHECK(lines(single.out)[1] == "CONNECTOR_CRED_ACTIVE_KID=k1");
    writeFile(dir.file("keys.json"), vars.at("CONNECTOR_CRED_KEYS"));
    const Run fromFile = run(
        {"rotate", "--activate", "v1"},
        {{"CONNECTOR_CRED_KEYS_FILE", dir.file("keys.json")}, {"CONNECTOR_CRED_ACTIVE_KID", "v3"}});
    REQUIRE(fromFile.code == 0);
    CHECK(lines(fromFile.out)[0] == l[0]);
    CHECK(lines(fromFile.out)[1] == "CONNECTOR_CRED_ACTIVE_KID=v1");
  }
  SECTION("-o writes a 0600 file instead of standard output") {
    const Run toFile = run({"rotate", "--activate", "v3", "-o", dir.file("rotation.env")}, vars);
    REQUIRE(toFile.code == 0);
    CHECK(toFile.out.empty());
    test_support::requireNoSecret(toFile.err, allKeys());
    CHECK(lines(readFile(dir.file("rotation.env")))[1] == "CONNECTOR_CRED_ACTIVE_KID=v3");
    struct stat st {};
    REQUIRE(::stat(dir.file("rotation.env").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  SECTION("refusals") {
    const Run exists = run({"rotate", "--kid", "v2"});
    CHECK(exists.code == 2);
    CHECK(exists.out.empty());
    CHECK(exists.err == "connector-crypto rotate: kid \"v2\" already exists; choose a new kid\n");
    CHECK(run({"rotate"}).code == 2);
    CHECK(run({"rotate", "--kid", "v3", "--activate", "v2"}).code == 2);
    CHECK(run({"rotate", "--kid", "bad'kid"}).code == 2);
    CHECK(run({"rotate", "--kid"}).code == 2);
    CHECK(run({"rotate", "--kid", "v3"}, {}).code == 2);
    CHECK(run({"rotate", "--kid", "v3", "-o", "/nonexistent/dir/x.env"}).code == 1);
    const Run help = run({"rotate", "--help"});
    CHECK(help.out.find("no service may read ciphertext before it holds the") != std::string::npos);
  }
}

TEST_CASE("rotate --retire drops a kid: stage 3, the configuration without it") {
  TempDir dir;
  SECTION("the env lines hold every key but the retired one; the active kid stays") {
    const Run stage3 = run({"rotate", "--retire", "v1"});
    REQUIRE(stage3.code == 0);
    CHECK(stage3.err.empty());
    CHECK(stage3.out ==
          "CONNECTOR_CRED_KEYS='{\"v2\":\"" + kKeyB + "\"}'\nCONNECTOR_CRED_ACTIVE_KID=v2\n");
    const auto keyring =
        connector_crypto::keyringFromEnv(test_support::envOf(parseEnvLines(stage3.out)));
    CHECK(keyring.kids() == std::vector<std::string>{"v2"});
    CHECK(keyring.fingerprint("v2") == test_support::kFingerprintB);
  }
  SECTION("--format keys-file: the map a CONNECTOR_CRED_KEYS_FILE holds, the active kid named") {
    const Run stage3 = run({"rotate", "--retire", "v1", "--format", "keys-file"});
    REQUIRE(stage3.code == 0);
    CHECK(stage3.out == "{\"v2\":\"" + kKeyB + "\"}\n");
    CHECK(stage3.err ==
          "connector-crypto rotate: a keys file does not carry the active kid: set "
          "CONNECTOR_CRED_ACTIVE_KID=v2 beside CONNECTOR_CRED_KEYS_FILE on every service\n");
  }
  SECTION("-o: a 0600 file, an existing one refused without --force") {
    const std::string target = dir.file("stage3.env");
    const Run toFile = run({"rotate", "--retire", "v1", "-o", target});
    REQUIRE(toFile.code == 0);
    CHECK(toFile.out.empty());
    CHECK(toFile.err == "connector-crypto rotate: wrote " + target + " (mode 0600)\n");
    CHECK(readFile(target) ==
          "CONNECTOR_CRED_KEYS='{\"v2\":\"" + kKeyB + "\"}'\nCONNECTOR_CRED_ACTIVE_KID=v2\n");
    struct stat st {};
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const Run again = run({"rotate", "--retire", "v1", "-o", target});
    CHECK(again.code == 2);
    CHECK(again.err.find("exists") != std::string::npos);
    CHECK(run({"rotate", "--retire", "v1", "-o", target, "--force"}).code == 0);
    ::symlink(target.c_str(), dir.file("link.env").c_str());
    CHECK(run({"rotate", "--retire", "v1", "-o", dir.file("link.env"), "--force"}).code == 2);
  }
  SECTION("refusals: the active kid, an unknown kid, a second stage, no configuration") {
    const Run active = run({"rotate", "--retire", "v2"});
    CHECK(active.code == 2);
    CHECK(active.out.empty());
    CHECK(active.err ==
          "connector-crypto rotate: kid \"v2\" is the active kid: activate another kid first "
          "(rotation stage 2)\n");
    const Run unknown = run({"rotate", "--retire", "v9"});
    CHECK(unknown.code == 2);
    CHECK(unknown.out.empty());
    CHECK(unknown.err == "connector-crypto rotate: kid \"v9\" is not in the keyring\n");
    const Run keyAsKid = run({"rotate", "--retire", test_support::kKeyC});
    CHECK(keyAsKid.code == 2);
    CHECK(keyAsKid.err == "connector-crypto rotate: the kid is not in the keyring\n");
    const Run two = run({"rotate", "--retire", "v1", "--activate", "v2"});
    CHECK(two.code == 2);
    CHECK(two.err.rfind("connector-crypto rotate: give exactly one of --kid NEW, --activate KID "
                        "or --retire KID\n",
                        0) == 0);
    CHECK(run({"rotate", "--retire"}).code == 2);
    CHECK(run({"rotate", "--retire", "v1"}, {}).code == 2);
    const Run single = run({"rotate", "--retire", "v1"}, {{"CONNECTOR_CRED_KEY", kKeyA}});
    CHECK(single.code == 2);
    CHECK(single.err ==
          "connector-crypto rotate: kid \"v1\" is the active kid: activate another kid first "
          "(rotation stage 2)\n");
    CHECK(run({"rotate", "--help"}).out.find("--retire KID") != std::string::npos);
  }
}

TEST_CASE("the runbook's three stages, layered in one shell (docs/ROTATION.md)") {
  // The services' configuration before the rotation: a single key under v1.
  const std::map<std::string, std::string> shell = {{"CONNECTOR_CRED_KEY", kKeyA},
                                                    {"CONNECTOR_CRED_KID", "v1"}};
  const auto layered = [&](const std::string& envLines, bool unsetSingle) {
    std::map<std::string, std::string> vars = shell;
    if (unsetSingle) {
      vars.erase("CONNECTOR_CRED_KEY");
      vars.erase("CONNECTOR_CRED_KID");
    }
    for (const auto& v : parseEnvLines(envLines)) vars[v.first] = v.second;
    return vars;
  };
  const Run stage1 = run({"rotate", "--kid", "v2"}, shell);
  REQUIRE(stage1.code == 0);
  const Run stage2 = run({"rotate", "--activate", "v2"}, layered(stage1.out, true));
  REQUIRE(stage2.code == 0);
  const Run stage3 = run({"rotate", "--retire", "v1"}, layered(stage2.out, true));
  REQUIRE(stage3.code == 0);
  const Run check = run({"check"}, layered(stage3.out, true));
  REQUIRE(check.code == 0);
  CHECK(check.out.rfind("active_kid v2\nkid v2 fingerprint ", 0) == 0);
  CHECK(check.out.find("kid v1") == std::string::npos);
  SECTION("stages 1 and 2 load over a leftover CONNECTOR_CRED_KEY: its key is in the map") {
    CHECK(run({"check"}, layered(stage1.out, false)).code == 0);
    CHECK(run({"check"}, layered(stage2.out, false)).code == 0);
  }
  SECTION("stage 3 over a leftover CONNECTOR_CRED_KEY is refused: unset it first") {
    const Run leftover = run({"check"}, layered(stage3.out, false));
    CHECK(leftover.code == 2);
    CHECK(leftover.err ==
          "connector-crypto check: CONNECTOR_CRED_KEY and CONNECTOR_CRED_KEYS are both set and "
          "the single key is not in the map: two contradicting configurations; keep only "
          "CONNECTOR_CRED_KEYS\n");
  }
}

TEST_CASE("rotate --format keys-file writes what a CONNECTOR_CRED_KEYS_FILE holds") {
  TempDir dir;
  const std::string hint =
      "connector-crypto rotate: a keys file does not carry the active kid: set "
      "CONNECTOR_CRED_ACTIVE_KID=v2 beside CONNECTOR_CRED_KEYS_FILE on every service\n";
  const Run stage1 = run({"rotate", "--kid", "v3", "--format", "keys-file"});
  REQUIRE(stage1.code == 0);
  CHECK(stage1.err == hint);
  test_support::requireNoSecret(stage1.err, allKeys());
  // One JSON object and a newline, the kids in order, the old keys as they were.
  REQUIRE(stage1.out.size() > 1);
  CHECK(stage1.out.back() == '\n');
  CHECK(stage1.out.find('\n') == stage1.out.size() - 1);
  CHECK(stage1.out.rfind("{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\",\"v3\":\"", 0) == 0);
  const nlohmann::json map = nlohmann::json::parse(stage1.out);
  REQUIRE(map.size() == 3);
  const std::string newKey = map.at("v3").get<std::string>();

  SECTION("fed back as CONNECTOR_CRED_KEYS_FILE, it is the same keyring") {
    writeFile(dir.file("keys.json"), stage1.out);
    const std::map<std::string, std::string> vars = {
        {"CONNECTOR_CRED_KEYS_FILE", dir.file("keys.json")}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}};
    const auto fromFile = connector_crypto::keyringFromEnv(test_support::envOf(vars));
    const auto expected = connector_crypto::Keyring::fromBase64(
        {{"v1", kKeyA}, {"v2", kKeyB}, {"v3", newKey}}, "v2");
    REQUIRE(fromFile.kids() == expected.kids());
    for (const std::string& kid : expected.kids()) {
      CHECK(fromFile.fingerprint(kid) == expected.fingerprint(kid));
    }
    CHECK(fromFile.fingerprint("v1") == test_support::kFingerprintA);
    const Run check = run({"check"}, vars);
    REQUIRE(check.code == 0);
    CHECK(check.out.find("kid v3 fingerprint " + expected.fingerprint("v3")) != std::string::npos);

    SECTION("stage 2 from the keys file: the same map, the new active kid on standard error") {
      const Run stage2 = run({"rotate", "--activate", "v3", "--format", "keys-file", "-o",
                              dir.file("keys2.json")},
                             vars);
      REQUIRE(stage2.code == 0);
      CHECK(stage2.out.empty());
      CHECK(stage2.err == "connector-crypto rotate: wrote " + dir.file("keys2.json") +
                              " (mode 0600)\n"
                              "connector-crypto rotate: a keys file does not carry the active "
                              "kid: set CONNECTOR_CRED_ACTIVE_KID=v3 beside "
                              "CONNECTOR_CRED_KEYS_FILE on every service\n");
      CHECK(readFile(dir.file("keys2.json")) == stage1.out);
      struct stat st {};
      REQUIRE(::stat(dir.file("keys2.json").c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
      CHECK(run({"rotate", "--activate", "v3", "--format", "keys-file", "-o",
                 dir.file("keys2.json")},
                vars)
                .code == 2);  // an existing file, without --force
    }
    SECTION("the env format of the same configuration holds the same map") {
      const Run env = run({"rotate", "--activate", "v2"}, vars);
      REQUIRE(env.code == 0);
      CHECK(env.err.empty());
      CHECK(env.out == "CONNECTOR_CRED_KEYS='" + stage1.out.substr(0, stage1.out.size() - 1) +
                           "'\nCONNECTOR_CRED_ACTIVE_KID=v2\n");
    }
  }
  SECTION("from a single CONNECTOR_CRED_KEY_FILE") {
    writeFile(dir.file("key"), kKeyA + "\n");
    const Run single = run({"rotate", "--kid", "v2", "--format", "keys-file"},
                           {{"CONNECTOR_CRED_KEY_FILE", dir.file("key")}});
    REQUIRE(single.code == 0);
    CHECK(single.out.rfind("{\"v1\":\"" + kKeyA + "\",\"v2\":\"", 0) == 0);
    CHECK(single.err.find("set CONNECTOR_CRED_ACTIVE_KID=v1 beside") != std::string::npos);
  }
  SECTION("refusals") {
    const Run bad = run({"rotate", "--kid", "v3", "--format", "json"});
    CHECK(bad.code == 2);
    CHECK(bad.out.empty());
    CHECK(bad.err.rfind("connector-crypto rotate: --format must be env or keys-file\n", 0) == 0);
    CHECK(run({"rotate", "--kid", "v3", "--format"}).code == 2);
    const Run exists = run({"rotate", "--kid", "v1", "--format", "keys-file"});
    CHECK(exists.code == 2);
    CHECK(exists.out.empty());
    CHECK(exists.err == "connector-crypto rotate: kid \"v1\" already exists; choose a new kid\n");
    const Run unknown = run({"rotate", "--activate", "v9", "--format", "keys-file"});
    CHECK(unknown.code == 2);
    CHECK(unknown.out.empty());
    CHECK(unknown.err ==
          "connector-crypto rotate: kid \"v9\" is not in the keyring: run 'rotate --kid' and "
          "deploy its output first\n");
    const Run config = run({"rotate", "--kid", "v3", "--format", "keys-file"},
                           {{"CONNECTOR_CRED_KEYS_FILE", dir.file("missing.json")}});
    CHECK(config.code == 2);
    CHECK(config.out.empty());
    CHECK(config.err == "connector-crypto rotate: CONNECTOR_CRED_KEYS_FILE (\"" +
                            dir.file("missing.json") +
                            "\"): cannot open the file: No such file or directory\n");
  }
}

TEST_CASE(
    "no subcommand but keygen and rotate prints a key, only decrypt prints plaintext (and an "
    "updates filter the exported value)") {
  const std::string plain = R"({"token":"tok-leak-check"})";
  const std::string env1 = envelopeText(nlohmann::json::parse(plain), "v1", kKeyA);
  const std::string doc =
      "{\"_id\":1,\"credentials\":" + env1 + "}\n{\"_id\":2,\"credentials\":" + plain + "}\n";
  for (const auto& c :
       std::vector<std::pair<std::vector<std::string>, std::string>>{{{"check"}, ""},
                                                                     {{"encrypt"}, plain},
                                                                     {{"inspect"}, env1},
                                                                     {{"audit", "--verify"}, doc},
                                                                     {{"rewrap"}, doc},
                                                                     {{"rewrap", "--dry-run"}, doc},
                                                                     {{"decrypt"}, "{\"__enc\":1}"},
                                                                     {{"--help"}, ""}}) {
    INFO("command: " << c.first[0]);
    const Run r = run(c.first, envV1V2(), c.second);
    test_support::requireNoSecret(r.out + r.err, allKeys());
    CHECK((r.out + r.err).find("tok-leak-check") == std::string::npos);
  }
  // A plaintext record's update pins the exported value (docs/ROTATION.md): the plaintext is in
  // that filter, as the export held it, and nowhere else.
  const Run u = run({"rewrap", "--format", "updates"}, envV1V2(), doc);
  REQUIRE(u.code == 0);
  test_support::requireNoSecret(u.out + u.err, allKeys());
  CHECK(u.err.find("tok-leak-check") == std::string::npos);
  const std::vector<std::string> updates = lines(u.out);
  REQUIRE(updates.size() == 2);
  CHECK(updates[0].find("tok-leak-check") == std::string::npos);
  nlohmann::json plainUpdate = nlohmann::json::parse(updates[1]);
  CHECK(plainUpdate.at("filter").at("$expr").at("$eq").at(1).at("$literal") ==
        nlohmann::json::parse(plain));
  plainUpdate.at("filter").erase("$expr");
  CHECK(plainUpdate.dump().find("tok-leak-check") == std::string::npos);
}

TEST_CASE("every subcommand has --help") {
  for (const char* name :
       {"keygen", "check", "encrypt", "decrypt", "inspect", "rotate", "audit", "rewrap"}) {
    INFO("command: " << name);
    const Run r = run({name, "--help"}, {});
    CHECK(r.code == 0);
    CHECK(r.out.rfind(std::string("usage: connector-crypto ") + name, 0) == 0);
    CHECK(run({"--help"}).out.find(std::string("  ") + name + " ") != std::string::npos);
  }
}

TEST_CASE("encrypt, decrypt, inspect, audit: one verdict and one exit code for an envelope") {
  const std::string refusing =
      "; the value carries \"__enc\" but is not a valid envelope, refusing to wrap it\n";
  SECTION("a malformed envelope: exit 1 everywhere, under CONNECTOR_CRED_BIND_CONTEXT=1 too") {
    const std::string v = R"({"__enc":1,"kid":"v1","iv":"","ct":""})";
    const std::string why = "envelope: \"iv\" must be standard base64 of 12 bytes (16 characters)";
    for (const auto& env : {envV1V2(), envBind()}) {
      const Run enc = run({"encrypt"}, env, v);
      CHECK(enc.code == 1);
      CHECK(enc.out.empty());
      CHECK(enc.err == "connector-crypto encrypt: encryptCredentialsText: " + why + refusing);
      CHECK(run({"decrypt"}, env, v).err == "connector-crypto decrypt: " + why + "\n");
      CHECK(run({"decrypt"}, env, v).code == 1);
    }
    CHECK(run({"inspect"}, {}, v).code == 1);
  }
  SECTION("a kid that breaks the kid rule: exit 1 and one message everywhere") {
    const std::string why =
        "envelope: \"kid\" is not a valid kid (1 to 64 printable ASCII characters without spaces, "
        "never a key), so no keyring holds it";
    nlohmann::json e = nlohmann::json::parse(envelopeText({{"a", 1}}, "v2", test_support::kKeyB));
    for (const std::string& kid : {std::string(""), std::string(65, 'k'), std::string("v 1"),
                                   std::string("v\xc3\xa9"), std::string("v\x01")}) {
      e["kid"] = kid;
      const std::string v = e.dump();
      INFO(v);
      const Run dec = run({"decrypt"}, envV1V2(), v);
      CHECK(dec.code == 1);
      CHECK(dec.err == "connector-crypto decrypt: " + why + "\n");
      const Run ins = run({"inspect"}, {}, v);
      CHECK(ins.code == 1);
      CHECK(ins.err == "connector-crypto inspect: " + why + "\n");
      const Run enc = run({"encrypt"}, envV1V2(), v);
      CHECK(enc.code == 1);
      CHECK(enc.out.empty());
      CHECK(enc.err == "connector-crypto encrypt: encryptCredentialsText: " + why +
                           "; refusing to wrap the value\n");
      const Run audit = run({"audit"}, {}, "{\"_id\":1,\"credentials\":" + v + "}\n");
      CHECK(audit.out.find("\"invalid\":1") != std::string::npos);
    }
  }
  SECTION("a bound envelope without --context: exit 2, as decrypt") {
    const Run bound = run({"encrypt", "--context", "tenant=str:a"}, envBind(), "{\"a\":1}");
    REQUIRE(bound.code == 0);
    CHECK(run({"encrypt"}, envV1V2(), bound.out).code == 2);
    CHECK(run({"decrypt"}, envV1V2(), bound.out).code == 2);
    CHECK(run({"encrypt", "--context", "tenant=str:a"}, envV1V2(), bound.out).out == bound.out);
  }
}
