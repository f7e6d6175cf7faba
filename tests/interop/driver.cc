// The C++ side of the interop suite: decrypts the Node peer's envelopes (json and ordered_json
// adapters, the text API) and compares them with the corpus, re-encrypts what it decrypted (round
// trip), and encrypts the corpus for the peer through the json adapter, the ordered_json adapter or
// the text API. Keys come from the environment (keyringFromEnv), as in a service. See
// docs/FORMAT.md, "How this is tested".
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include <connector_crypto/connector_crypto.hpp>

namespace cc = connector_crypto;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

int failures = 0;

void fail(const std::string& name, const std::string& what) {
  ++failures;
  std::cerr << "FAIL " << name << ": " << what << "\n";
}

// A peer file as Json (ordered_json keeps its member order, which is JSON.stringify's).
template <typename Json>
Json readJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// One case per line, as the peer writes them (deep values do not indent).
template <typename Json>
void writeCases(const std::string& path, const json& header, const std::vector<Json>& cases) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::string head = header.dump();
  head.pop_back();
  out << head << (header.empty() ? "" : ",") << "\"cases\":[\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    out << cases[i].dump() << (i + 1 < cases.size() ? ",\n" : "\n");
  }
  out << "]}\n";
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

// The path of the first difference (a JSON Patch pointer), for a readable failure.
std::string firstDifference(const json& want, const json& got) {
  const json patch = json::diff(want, got);
  return patch.empty() ? std::string("(none)") : patch.at(0).value("path", std::string("?"));
}

// Values JavaScript cannot hold exactly; the peer checks it sees them rounded (docs/FORMAT.md).
template <typename Json>
Json cppOnlyCases(const cc::Keyring& keyring, bool withPlaintext) {
  const Json value = {{"n", std::uint64_t{9007199254740993u}},
                      {"neg", std::int64_t{-9007199254740993}},
                      {"u64max", std::uint64_t{18446744073709551615u}}};
  Json c = {{"name", "precision_beyond_2_53"},
            {"envelope", cc::encryptCredentials(value, keyring)}};
  if (withPlaintext) c["plaintext_json"] = value.dump();
  return c;
}

// The CONNECTOR_CRED_* variables that are set, recorded in the golden file to rebuild the keyring.
json envRecord() {
  json env = json::object();
  for (const char* name : {"CONNECTOR_CRED_KEY", "CONNECTOR_CRED_KID", "CONNECTOR_CRED_KEYS",
                           "CONNECTOR_CRED_ACTIVE_KID"}) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  return env;
}

// The ordered_json adapter on a peer case: the corpus value in the peer's member order (the file's
// `value` and the sealed plaintext are both JSON.stringify's), or DecryptError for invalid Unicode.
void decryptOrdered(const ordered_json& c, const cc::Keyring& keyring) {
  const std::string name = c.at("name").get<std::string>();
  try {
    const ordered_json got = cc::decryptCredentials(c.at("envelope"), keyring);
    if (c.contains("error")) {
      fail(name, "ordered_json decrypted, expected DecryptError");
    } else if (got != c.at("value")) {
      fail(name, "ordered_json decrypt differs from the corpus value or its member order");
    }
  } catch (const cc::DecryptError& e) {
    if (!c.contains("error")) fail(name, std::string("ordered_json decrypt threw: ") + e.what());
  } catch (const cc::Error& e) {
    fail(name, std::string("ordered_json decrypt threw ") + typeid(e).name() + ": " + e.what());
  }
}

// decrypt-check: every peer envelope decrypts to the corpus value (or, for invalid Unicode, throws
// exactly DecryptError), through both adapters and the text API; each decrypted value is
// re-encrypted into roundtripOut.
void decryptCheck(const std::string& in, const std::string& roundtripOut) {
  const cc::Keyring keyring = cc::keyringFromEnv();
  const ordered_json doc = readJson<ordered_json>(in);
  std::vector<json> out;
  std::size_t checked = 0;
  for (const ordered_json& ordered : doc.at("cases")) {
    decryptOrdered(ordered, keyring);
    const json c(ordered);
    const std::string name = c.at("name");
    ++checked;
    if (c.contains("error")) {
      try {
        (void)cc::decryptCredentials(c.at("envelope"), keyring);
        fail(name, "decrypted, expected " + c.at("error").get<std::string>());
      } catch (const cc::Error& e) {
        if (c.at("error") != "DecryptError" || typeid(e) != typeid(cc::DecryptError)) {
          fail(name, std::string("threw ") + typeid(e).name() + ": " + e.what());
        }
      }
      try {
        (void)cc::decryptCredentialsText(c.at("envelope").dump(), keyring);
        fail(name, "decryptCredentialsText decrypted, expected DecryptError");
      } catch (const cc::DecryptError&) {
      } catch (const cc::Error& e) {
        fail(name, std::string("decryptCredentialsText threw ") + typeid(e).name());
      }
      continue;
    }
    json got;
    try {
      got = cc::decryptCredentials(c.at("envelope"), keyring);
    } catch (const cc::Error& e) {
      fail(name, std::string("decrypt threw: ") + e.what());
      continue;
    }
    if (got != c.at("value")) {
      fail(name, "decrypted value differs at " + firstDifference(c.at("value"), got));
    }
    // The text API reads the same envelope as text, to the same value.
    try {
      const cc::SecretBuffer text = cc::decryptCredentialsText(c.at("envelope").dump(), keyring);
      if (json::parse(text.begin(), text.end()) != c.at("value")) {
        fail(name, "decryptCredentialsText gave another value");
      }
    } catch (const cc::Error& e) {
      fail(name, std::string("decryptCredentialsText threw: ") + e.what());
    }
    out.push_back({{"name", name}, {"envelope", cc::encryptCredentials(got, keyring)}});
  }
  writeCases(roundtripOut, json::object(), out);
  std::cout << "driver: decrypted " << checked << " envelopes of " << in << ", re-encrypted "
            << out.size() << " into " << roundtripOut << "\n";
}

// encrypt / golden: the corpus values of a peer file, read as Json, encrypted under the env
// keyring through the Json adapter, or through the text API when viaText (the values' compact
// text; envelopes written as the text API wrote them when Json is ordered_json).
template <typename Json>
void encryptCorpus(const std::string& in, const std::string& outPath, bool golden, bool viaText) {
  const cc::Keyring keyring = cc::keyringFromEnv();
  const Json doc = readJson<Json>(in);
  std::vector<Json> out;
  for (const Json& c : doc.at("cases")) {
    if (c.contains("error")) continue;  // invalid Unicode has no C++ value
    const Json value =
        golden ? Json::parse(c.at("plaintext_json").template get<std::string>()) : c.at("value");
    const Json envelope = viaText ? Json::parse(cc::encryptCredentialsText(value.dump(), keyring))
                                  : cc::encryptCredentials(value, keyring);
    Json e = {{"name", c.at("name")}, {"envelope", envelope}};
    if (golden) e["plaintext_json"] = value.dump();
    out.push_back(std::move(e));
  }
  out.push_back(cppOnlyCases<Json>(keyring, golden));
  if (!cc::encryptCredentials(nullptr, keyring).is_null())
    fail("null", "encrypt(null) is not null");
  json header = json::object();
  if (golden) {
    header["description"] =
        "Envelopes written by the C++ library (tests/interop/driver golden); see README.md";
    header["generator"] = {{"impl", "connector_crypto " CONNECTOR_CRYPTO_VERSION_STRING}};
    header["env"] = envRecord();
  }
  writeCases(outPath, header, out);
  std::cout << "driver: encrypted " << out.size() << " values of " << in << " into " << outPath
            << "\n";
}

int usage() {
  std::cerr
      << "usage:\n"
         "  interop_driver decrypt-check IN ROUNDTRIP_OUT   decrypt peer envelopes, compare, "
         "re-encrypt\n"
         "  interop_driver encrypt IN OUT                   encrypt the values of a peer file\n"
         "  interop_driver encrypt-ordered IN OUT           the same through the ordered_json "
         "adapter\n"
         "  interop_driver encrypt-text IN OUT              the same through the text API (member "
         "order kept)\n"
         "  interop_driver golden IN OUT                    the same with plaintext_json and "
         "env (golden vectors)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return usage();
  const std::string command = argv[1];
  try {
    if (command == "decrypt-check") {
      decryptCheck(argv[2], argv[3]);
    } else if (command == "encrypt" || command == "golden") {
      encryptCorpus<json>(argv[2], argv[3], command == "golden", false);
    } else if (command == "encrypt-ordered" || command == "encrypt-text") {
      encryptCorpus<ordered_json>(argv[2], argv[3], false, command == "encrypt-text");
    } else {
      return usage();
    }
  } catch (const std::exception& e) {
    std::cerr << "driver: " << e.what() << "\n";
    return 1;
  }
  if (failures > 0) {
    std::cerr << "driver: " << failures << " failure(s)\n";
    return 1;
  }
  return 0;
}
