// Golden vectors (tests/vectors/golden): envelopes the Node peer wrote (as the TypeScript package
// does, with @noble/ciphers and with node:crypto) and envelopes this library wrote. They pin the
// wire format of docs/FORMAT.md without Node: a change that breaks them is a breaking change.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "test_support.hpp"

using namespace test_support;
using connector_crypto::decryptCredentials;
using connector_crypto::DecryptError;
using json = nlohmann::json;

namespace {

std::map<std::string, std::string> envMap(const json& doc) {
  return doc.at("env").get<std::map<std::string, std::string>>();
}

// The base64 key of kid in a golden file's env (single-key or rotation form).
std::string keyOf(const json& doc, const std::string& kid) {
  const auto env = envMap(doc);
  if (env.count("CONNECTOR_CRED_KEYS") != 0) {
    return json::parse(env.at("CONNECTOR_CRED_KEYS")).at(kid).get<std::string>();
  }
  const std::string single =
      env.count("CONNECTOR_CRED_KID") != 0 ? env.at("CONNECTOR_CRED_KID") : "v1";
  REQUIRE(kid == single);
  return env.at("CONNECTOR_CRED_KEY");
}

// The exact plaintext bytes under the envelope, opened with the AEAD seam directly.
std::string rawPlaintext(const json& doc, const json& envelope) {
  std::vector<std::uint8_t> key, iv, sealed;
  REQUIRE(base64_oracle::base64Decode(keyOf(doc, envelope.at("kid")), key));
  REQUIRE(base64_oracle::base64Decode(envelope.at("iv").get<std::string>(), iv));
  REQUIRE(base64_oracle::base64Decode(envelope.at("ct").get<std::string>(), sealed));
  REQUIRE(iv.size() == connector_crypto::kIvBytes);
  REQUIRE(sealed.size() >= connector_crypto::kTagBytes);
  std::string out(sealed.size() - connector_crypto::kTagBytes, '\0');
  connector_crypto::detail::Aes256Gcm aead({key.data(), key.size()});
  REQUIRE(aead.open({iv.data(), iv.size()}, {}, {sealed.data(), sealed.size()},
                    reinterpret_cast<std::uint8_t*>(out.data())));
  return out;
}

// name -> decrypted value of every valid case of a golden file, after checking each case.
std::map<std::string, json> decryptAll(const json& doc) {
  const auto keyring = connector_crypto::keyringFromEnv(envOf(envMap(doc)));
  std::map<std::string, json> out;
  for (const json& c : doc.at("cases")) {
    const std::string name = c.at("name");
    INFO("case " << name);
    const json& envelope = c.at("envelope");
    CHECK(envelope.size() == 4);
    CHECK(envelope.at("__enc") == 1);
    CHECK(envelope.at("iv").get<std::string>().size() == 16);
    // The bytes under the envelope are exactly the JSON text the writer serialized.
    CHECK(rawPlaintext(doc, envelope) == c.at("plaintext_json").get<std::string>());
    if (c.contains("error")) {
      REQUIRE(c.at("error") == "DecryptError");
      CHECK(messageOf<DecryptError>([&] { decryptCredentials(envelope, keyring); }) ==
            "envelope: the decrypted plaintext is not valid UTF-8 JSON (or nests deeper than 512 "
            "levels)");
      CHECK(messageOf<DecryptError>([&] {
              connector_crypto::decryptCredentialsText(envelope.dump(), keyring);
            }) ==
            "envelope: the decrypted plaintext is not valid UTF-8 JSON (or nests deeper than 512 "
            "levels)");
      continue;
    }
    json value = decryptCredentials(envelope, keyring);
    CHECK(value == json::parse(c.at("plaintext_json").get<std::string>()));
    // The text API returns the writer's bytes themselves.
    const connector_crypto::SecretBuffer text =
        connector_crypto::decryptCredentialsText(envelope.dump(), keyring);
    CHECK(std::string(text.data(), text.size()) == c.at("plaintext_json").get<std::string>());
    CHECK(out.emplace(name, std::move(value)).second);
  }
  return out;
}

// The nesting depth of v: 0 for a scalar, 1 + the deepest child for a container.
std::size_t depthOf(const json& v) {
  if (!v.is_structured()) return 0;
  std::size_t deepest = 0;
  for (const json& child : v) deepest = std::max(deepest, depthOf(child));
  return deepest + 1;
}

// Meanings pinned independently of the files: what JSON.stringify wrote is what C++ reads.
void checkNodeCorpusMeaning(const std::map<std::string, json>& v) {
  SECTION("typical credentials") {
    CHECK(v.at("oauth_google").at("access_token") == "ya29.a0AfB_byC-secret-access-token-value");
    CHECK(v.at("oauth_google").at("expires_at") == 1764345600000);
    CHECK(v.at("database_password").at("password") == "p@ss:w/rd\"\\ '\xC3\xA9");
    CHECK(v.at("database_password").at("database").is_null());
    CHECK(v.at("aws_keys").at("sessionToken").is_null());
  }
  SECTION("empty values and bare values") {
    CHECK(v.at("empty_object") == json::object());
    CHECK(v.at("empty_array") == json::array());
    CHECK(v.at("empty_strings") == json{{"", ""}, {"a", ""}, {"nested", {{"", {""}}}}});
    CHECK(v.at("bare_string") == "just a bare string token");
    CHECK(v.at("bare_empty_string") == "");
    CHECK(v.at("bare_unicode_string") ==
          std::string("\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\xE2\x80\xA8\0", 13));
    CHECK(v.at("bare_number") == 42);
    CHECK(v.at("bare_float") == -0.1);
    CHECK(v.at("bare_true") == true);
    CHECK(v.at("bare_false") == false);
    CHECK(v.at("top_level_array") ==
          json::parse(R"([1,"two",{"three":3},[4],null,true,false,0.1,""])"));
  }
  SECTION("every escape") {
    const json& e = v.at("escapes");
    std::string controls;
    for (char c = 0; c < 0x20; ++c) controls.push_back(c);
    CHECK(e.at("controls") == controls);
    CHECK(e.at("quote") == "\"");
    CHECK(e.at("backslash") == "\\");
    CHECK(e.at("unicode_escape_look") == "\\u0041");
    CHECK(e.at("del") == "\x7f");
    CHECK(e.at("ls") == "\xE2\x80\xA8");
    CHECK(e.at("ps") == "\xE2\x80\xA9");
    CHECK(e.at("nul") == std::string(1, '\0'));
    CHECK(e.contains(std::string("key\n\t\"\\\0\xE2\x80\xA8", 11)));
    CHECK(v.at("escapes_each").size() == 39);
  }
  SECTION("unicode across planes, unnormalized") {
    const json& p = v.at("unicode_planes");
    CHECK(p.at("bmpEnd") == "\xEF\xBF\xBF");
    CHECK(p.at("supplementaryFirst") == "\xF0\x90\x80\x80");
    CHECK(p.at("emoji") == "\xF0\x9F\x98\x80");
    CHECK(p.at("cjkExtB") == "\xF0\xA0\x80\x80\xF0\xAA\x9B\x96");
    CHECK(p.at("last") == "\xF4\x8F\xBF\xBF");
    CHECK(p.at("pair") == "\xF0\x9F\x98\x80");
    // NFC "é" and NFD "e" + U+0301 stay two distinct keys.
    CHECK(v.at("unicode_combining").at("\xC3\xA9") == "nfc key");
    CHECK(v.at("unicode_combining").at("e\xCC\x81") == "nfd key");
    CHECK(v.at("unicode_zero_width").at("bom") ==
          "\xEF\xBB\xBF"
          "starts with a BOM");
    CHECK(v.at("unicode_cjk").at("zh") == "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAF\x86\xE7\xA0\x81");
  }
  SECTION("numbers") {
    const json& n = v.at("numbers");
    CHECK(n.at("zero") == 0);
    CHECK(n.at("negBig") == -9007199254740991);
    CHECK(n.at("maxSafe").get<std::uint64_t>() == 9007199254740991u);
    CHECK(n.at("pointOne").get<double>() == 0.1);
    CHECK(n.at("sum").get<double>() == 0.30000000000000004);
    CHECK(n.at("sum").get<double>() != 0.3);
    CHECK(n.at("small").get<double>() == 1e-7);
    CHECK(n.at("big").get<double>() == 1e21);
    CHECK(n.at("minSubnormal").get<double>() == 5e-324);
    CHECK(n.at("max").get<double>() == 1.7976931348623157e308);
    CHECK(n.at("negMax").get<double>() == -1.7976931348623157e308);
    // JSON.stringify writes 2^63 as the shortest decimal of the double: C++ reads that integer.
    CHECK(n.at("twoTo63").get<std::uint64_t>() == 9223372036854776000u);
    CHECK(n.at("twoTo64").is_number_float());
    CHECK(n.at("twoTo64").get<double>() == 18446744073709551616.0);
  }
  SECTION("structure") {
    CHECK(depthOf(v.at("deep_objects_200")) == 201);  // 200 wrappers around {"leaf": ...}
    CHECK(depthOf(v.at("deep_arrays_200")) == 200);
    CHECK(depthOf(v.at("deep_mixed_500")) == 500);
    CHECK(v.at("keys_1000").size() == 1000);
    CHECK(v.at("literals") ==
          json::parse(
              R"({"t":true,"f":false,"n":null,"list":[true,false,null],"nested":{"n":null}})"));
    CHECK(v.at("integer_like_keys").size() == 6);
    CHECK(v.at("text_4k").at("text").get<std::string>().size() >= 4096);
  }
}

}  // namespace

TEST_CASE("golden: envelopes the Node peer wrote decrypt in C++") {
  for (const char* file : {"ts-noble.json", "ts-node.json"}) {
    DYNAMIC_SECTION(file) {
      const json doc = loadGolden(file);
      const auto values = decryptAll(doc);
      std::size_t errors = 0;
      for (const json& c : doc.at("cases")) errors += c.contains("error") ? 1 : 0;
      // Every corpus case but the large payloads, and three lone-surrogate cases.
      CHECK(values.size() == 46);
      CHECK(errors == 3);
      checkNodeCorpusMeaning(values);
    }
  }
  SECTION("noble and node:crypto wrote the same plaintexts") {
    const json a = loadGolden("ts-noble.json");
    const json b = loadGolden("ts-node.json");
    REQUIRE(a.at("cases").size() == b.at("cases").size());
    for (std::size_t i = 0; i < a.at("cases").size(); ++i) {
      CHECK(a.at("cases")[i].at("plaintext_json") == b.at("cases")[i].at("plaintext_json"));
      CHECK(a.at("cases")[i].at("envelope").at("iv") != b.at("cases")[i].at("envelope").at("iv"));
    }
  }
}

TEST_CASE("golden: envelopes this library wrote still decrypt") {
  const json doc = loadGolden("cpp.json");
  const auto values = decryptAll(doc);
  CHECK(values.size() == 47);  // the Node corpus values and one C++-only case
  SECTION("C++ wrote the same values the Node peer did") {
    const json node = loadGolden("ts-noble.json");
    std::size_t compared = 0;
    for (const json& c : node.at("cases")) {
      if (c.contains("error")) continue;
      INFO("case " << c.at("name"));
      CHECK(values.at(c.at("name")) == json::parse(c.at("plaintext_json").get<std::string>()));
      ++compared;
    }
    CHECK(compared == 46);
  }
  SECTION("integers beyond 2^53-1 are exact in C++ (JavaScript rounds them)") {
    const json& p = values.at("precision_beyond_2_53");
    CHECK(p.at("n").get<std::uint64_t>() == 9007199254740993u);
    CHECK(p.at("neg").get<std::int64_t>() == -9007199254740993);
    CHECK(p.at("u64max").get<std::uint64_t>() == 18446744073709551615u);
  }
}

TEST_CASE("golden: __enc converted from BSON, relaxed vs canonical Extended JSON") {
  const json doc = loadGolden("ts-noble.json");
  const auto keyring = connector_crypto::keyringFromEnv(envOf(envMap(doc)));
  const json& c = doc.at("cases").at(0);
  REQUIRE(c.at("name") == "oauth_google");
  json envelope = c.at("envelope");
  const json expected = json::parse(c.at("plaintext_json").get<std::string>());
  SECTION("relaxed mode: an int32, int64 or double 1 is a plain number and decrypts") {
    for (const json& one : {json(1), json(std::int64_t{1}), json(1.0)}) {
      envelope["__enc"] = one;
      CHECK(decryptCredentials(envelope, keyring) == expected);
    }
  }
  SECTION("canonical mode: {\"$numberInt\":\"1\"} is not the number 1 and is rejected") {
    for (const json& one :
         {json{{"$numberInt", "1"}}, json{{"$numberLong", "1"}}, json{{"$numberDouble", "1.0"}}}) {
      envelope["__enc"] = one;
      // The message names the way out: relaxed mode, or the converter.
      const std::string message = "envelope: \"__enc\" must be the number 1 (the only format version this library reads; "
          "canonical Extended JSON's {\"$numberInt\":\"1\"} is not: read MongoDB documents as "
          "relaxed Extended JSON, or convert them with convertExtendedJson / "
          "convertExtendedJsonText first)";
      CHECK(messageOf<connector_crypto::EnvelopeError>(
                [&] { decryptCredentials(envelope, keyring); }) == message);
      CHECK(messageOf<connector_crypto::EnvelopeError>([&] {
              connector_crypto::decryptCredentialsText(envelope.dump(), keyring);
            }) == message);
      CHECK(decryptCredentials(connector_crypto::convertExtendedJson(envelope), keyring) ==
            expected);
    }
  }
}

TEST_CASE("golden: both writers spell escapes and non-ASCII the same way") {
  // plaintext_json of one case of a golden file.
  const auto textOf = [](const char* file, const std::string& name) {
    const json doc = loadGolden(file);
    for (const json& c : doc.at("cases")) {
      if (c.at("name") == name) return c.at("plaintext_json").get<std::string>();
    }
    FAIL("no case " << name << " in " << file);
    return std::string();
  };
  // The JSON text of member `key` (its value as written, up to the next ',"' or the closing brace).
  const auto memberText = [](const std::string& text, const std::string& key) {
    const std::string marker = "\"" + key + "\":";
    const auto start = text.find(marker);
    REQUIRE(start != std::string::npos);
    const auto from = start + marker.size();
    auto end = text.find(",\"", from);
    if (end == std::string::npos) end = text.size() - 1;
    return text.substr(from, end - from);
  };
  for (const char* file : {"ts-noble.json", "cpp.json"}) {
    DYNAMIC_SECTION(file) {
      const std::string escapes = textOf(file, "escapes");
      CHECK(memberText(escapes, "controls") ==
            R"("\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f)"
            R"(\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c)"
            R"(\u001d\u001e\u001f")");
      CHECK(memberText(escapes, "del") == "\"\x7f\"");
      CHECK(memberText(escapes, "ls") == "\"\xE2\x80\xA8\"");
      CHECK(memberText(escapes, "ps") == "\"\xE2\x80\xA9\"");
      CHECK(memberText(escapes, "quote") == R"("\"")");
      CHECK(memberText(escapes, "backslash") == R"("\\")");
      CHECK(memberText(escapes, "slash") == R"("/")");
      // Non-ASCII is raw UTF-8, never \u escapes.
      const std::string cjk = textOf(file, "unicode_cjk");
      CHECK(memberText(cjk, "zh") == "\"\xE4\xB8\xAD\xE6\x96\x87\xE5\xAF\x86\xE7\xA0\x81\"");
      CHECK(textOf(file, "unicode_planes").find("\\u") == std::string::npos);
    }
  }
}
