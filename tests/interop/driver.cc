// The C++ side of the interop suite: decrypts the Node peer's envelopes (json and ordered_json
// adapters, the text API) and compares them with the corpus, re-encrypts what it decrypted (round
// trip), and encrypts the corpus for the peer through the json adapter, the ordered_json adapter or
// the text API; it reads the peer's bound envelopes under their contexts and re-encrypts them bound
// for the peer (decrypt-check-bound). Keys and switches come from the environment (keyringFromEnv),
// as in a service. See docs/FORMAT.md, "How this is tested" and "How bound envelopes are tested".
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
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

// ---- Bound envelopes (issue 11; docs/FORMAT.md, "Bound envelopes") ----

// The class of a library exception, most derived first.
std::string classOf(const cc::Error& e) {
  if (typeid(e) == typeid(cc::UnknownKidError)) return "UnknownKidError";
  if (typeid(e) == typeid(cc::KeyringError)) return "KeyringError";
  if (typeid(e) == typeid(cc::EnvelopeError)) return "EnvelopeError";
  if (typeid(e) == typeid(cc::DecryptError)) return "DecryptError";
  if (typeid(e) == typeid(cc::PlaintextRejectedError)) return "PlaintextRejectedError";
  if (typeid(e) == typeid(cc::Error)) return "Error";
  return std::string("another class (") + typeid(e).name() + ")";
}

// "opened" when fn returns, "<class>:<code name>" when it throws a library error (others escape).
template <typename Fn>
std::string verdictOf(Fn&& fn) {
  try {
    fn();
    return "opened";
  } catch (const cc::Error& e) {
    return classOf(e) + ":" + cc::errorCodeName(e.code());
  }
}

// The three readers of a stored value, and the writers each case is re-encrypted through in turn.
enum class Api { json, ordered, text };
constexpr Api kApis[] = {Api::json, Api::ordered, Api::text};
const char* apiName(Api api) {
  return api == Api::json ? "json" : api == Api::ordered ? "ordered_json" : "text";
}

// decryptCredentials of stored through api, under context when given (nullptr: the overload
// without one). The plaintext as ordered_json: in the sealed member order for ordered_json and
// text, in nlohmann::json's sorted order for json.
ordered_json decryptVia(Api api, const ordered_json& stored, const cc::Keyring& keyring,
                        const cc::EncryptionContext* context) {
  if (api == Api::json) {
    const json v(stored);
    return ordered_json(context ? cc::decryptCredentials(v, keyring, *context)
                                : cc::decryptCredentials(v, keyring));
  }
  if (api == Api::ordered) {
    return context ? cc::decryptCredentials(stored, keyring, *context)
                   : cc::decryptCredentials(stored, keyring);
  }
  const std::string text = stored.dump();
  const cc::SecretBuffer b = context ? cc::decryptCredentialsText(text, keyring, *context)
                                     : cc::decryptCredentialsText(text, keyring);
  return ordered_json::parse(b.begin(), b.end());
}

// The context of corpus case `name` in the live bound files, typed as every side types a string
// (peer.mjs boundContext builds the same pairs).
cc::EncryptionContext boundContextOf(const std::string& name) {
  return {{"tenant", cc::typedString("interop")},
          {"collection", "connectorinstances"},
          {"field", "credentials"},
          {"id", cc::typedString(name)}};
}

// A case's `context` member ([[name, value]...], the peer's order) as an EncryptionContext.
cc::EncryptionContext contextOf(const ordered_json& pairs) {
  return cc::EncryptionContext(pairs.get<std::vector<cc::EncryptionContext::Pair>>());
}

// The same pairs without the last name (names that differ from the envelope's ctx).
cc::EncryptionContext withoutLastName(const cc::EncryptionContext& context) {
  std::vector<cc::EncryptionContext::Pair> pairs = context.pairs();
  pairs.pop_back();
  return cc::EncryptionContext(std::move(pairs));
}

// Every reader must refuse stored under context (nullptr: none) with exactly `want`.
void expectVerdict(const std::string& name, const std::string& what, const ordered_json& stored,
                   const cc::Keyring& keyring, const cc::EncryptionContext* context,
                   const std::string& want) {
  for (const Api api : kApis) {
    const std::string got = verdictOf([&] { (void)decryptVia(api, stored, keyring, context); });
    if (got != want)
      fail(name, std::string(apiName(api)) + " " + what + ": " + got + ", not " + want);
  }
}

// A context other than the envelope's: another record's values under the same names fail the tag
// (the swap), other names fail the comparison with ctx first.
std::string otherContextVerdict(const cc::EncryptionContext& own,
                                const cc::EncryptionContext& other) {
  return own.names() == other.names() ? "DecryptError:kAuthentication"
                                      : "EnvelopeError:kContextMismatch";
}

// The bound envelope of plaintext `opened` (what decryptVia(api) gave; for the text API its bytes
// `text`) under context, written through api; `sealed` receives the plaintext bytes it holds.
ordered_json encryptVia(Api api, const ordered_json& opened, const std::string& text,
                        const cc::Keyring& keyring, const cc::EncryptionContext& context,
                        std::string& sealed) {
  if (api == Api::json) {
    const json value(opened);
    sealed = value.dump();
    return ordered_json(cc::encryptCredentials(value, keyring, context));
  }
  if (api == Api::ordered) {
    sealed = opened.dump();
    return cc::encryptCredentials(opened, keyring, context);
  }
  sealed = text;
  return ordered_json::parse(cc::encryptCredentialsText(text, keyring, context));
}

// decrypt-check-bound: the peer's bound envelopes (encrypt-bound) through the json and
// ordered_json adapters and the text API: each opens under its case's context (given in reverse
// order to the text API) to the corpus value, member order kept where the reader keeps it, and each
// fails under the next case's context, under its own context less one name, without a context and
// with ctx stripped; encrypt of the envelope under its context returns it unchanged. Lone
// surrogates are DecryptError kInvalidPlaintext. Then every value is re-encrypted as a bound
// envelope under its context, the writer rotating between the json adapter, the ordered_json
// adapter and the text API, into out (peer.mjs check-bound's format), with the C++-only precision
// case.
void decryptCheckBound(const std::string& in, const std::string& outPath) {
  const cc::Keyring keyring = cc::keyringFromEnv();
  if (!keyring.options().bindContext || keyring.options().requireContext) {
    throw std::runtime_error(
        "decrypt-check-bound needs CONNECTOR_CRED_BIND_CONTEXT=1 and no "
        "CONNECTOR_CRED_REQUIRE_CONTEXT (it writes bound envelopes, and reads them)");
  }
  const ordered_json doc = readJson<ordered_json>(in);
  const ordered_json& cases = doc.at("cases");
  std::vector<ordered_json> out;
  std::size_t checked = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const ordered_json& c = cases[i];
    const std::string name = c.at("name").get<std::string>();
    const ordered_json& envelope = c.at("envelope");
    const cc::EncryptionContext context = contextOf(c.at("context"));
    if (context != boundContextOf(name)) fail(name, "the peer's context is not the typed one");
    const cc::EncryptionContext next = contextOf(cases[(i + 1) % cases.size()].at("context"));
    ++checked;

    // Refusals first: they hold for every case, lone surrogates included (the tag comes first).
    expectVerdict(name, "under the next case's context", envelope, keyring, &next,
                  otherContextVerdict(context, next));
    const cc::EncryptionContext fewer = withoutLastName(context);
    expectVerdict(name, "under its context less one name", envelope, keyring, &fewer,
                  otherContextVerdict(context, fewer));
    expectVerdict(name, "without a context", envelope, keyring, nullptr, "Error:kContextRequired");
    ordered_json stripped = envelope;
    stripped.erase("ctx");
    expectVerdict(name, "with ctx stripped", stripped, keyring, &context,
                  "DecryptError:kAuthentication");
    if (c.contains("error")) {
      expectVerdict(name, "under its context", envelope, keyring, &context,
                    "DecryptError:kInvalidPlaintext");
      continue;
    }

    std::vector<cc::EncryptionContext::Pair> reversed = context.pairs();
    std::reverse(reversed.begin(), reversed.end());
    const cc::EncryptionContext givenReversed(std::move(reversed));
    const ordered_json& want = c.at("value");
    ordered_json opened[3];
    bool allOpened = true;
    for (const Api api : kApis) {
      const auto k = static_cast<std::size_t>(api);
      try {
        opened[k] =
            decryptVia(api, envelope, keyring, api == Api::text ? &givenReversed : &context);
      } catch (const cc::Error& e) {
        fail(name, std::string(apiName(api)) + " decrypt threw " + classOf(e) + ": " + e.what());
        allOpened = false;
        continue;
      }
      if (api == Api::json ? json(opened[k]) != json(want) : opened[k] != want) {
        fail(name, std::string(apiName(api)) + " decrypted another value (or member order) at " +
                       firstDifference(json(want), json(opened[k])));
      }
    }
    if (!allOpened) continue;
    const cc::SecretBuffer text = cc::decryptCredentialsText(envelope.dump(), keyring, context);
    const std::string openedText(text.begin(), text.end());

    // Behaviour 2: an existing bound envelope is checked under the context and comes back as it is.
    if (json(cc::encryptCredentials(json(envelope), keyring, context)) != json(envelope) ||
        cc::encryptCredentials(envelope, keyring, context) != envelope ||
        ordered_json::parse(cc::encryptCredentialsText(envelope.dump(), keyring, context)) !=
            envelope) {
      fail(name, "encrypt of the bound envelope under its context changed it");
    }

    const Api writer = kApis[i % 3];
    std::string sealed;
    const ordered_json rewritten = encryptVia(writer, opened[static_cast<std::size_t>(writer)],
                                              openedText, keyring, context, sealed);
    out.push_back({{"name", name},
                   {"context", c.at("context")},
                   {"writer", apiName(writer)},
                   {"plaintext_json", sealed},
                   {"envelope", rewritten}});
  }

  // The precision case (JavaScript reads it rounded), and a write path that forgot its context.
  const std::string precision = "precision_beyond_2_53";
  const ordered_json big = {{"n", std::uint64_t{9007199254740993u}},
                            {"neg", std::int64_t{-9007199254740993}},
                            {"u64max", std::uint64_t{18446744073709551615u}}};
  const cc::EncryptionContext precisionContext = boundContextOf(precision);
  ordered_json contextPairs = ordered_json::array();
  for (const auto& [n, v] : precisionContext.pairs()) contextPairs.push_back({n, v});
  std::string sealed;
  const ordered_json precisionEnvelope =
      encryptVia(Api::ordered, big, "", keyring, precisionContext, sealed);
  out.push_back({{"name", precision},
                 {"context", contextPairs},
                 {"writer", apiName(Api::ordered)},
                 {"plaintext_json", sealed},
                 {"envelope", precisionEnvelope}});
  for (const Api api : kApis) {
    const std::string got = verdictOf([&] {
      if (api == Api::json) (void)cc::encryptCredentials(json(big), keyring);
      if (api == Api::ordered) (void)cc::encryptCredentials(big, keyring);
      if (api == Api::text) (void)cc::encryptCredentialsText(big.dump(), keyring);
    });
    if (got != "Error:kContextRequired") {
      fail("no context", std::string(apiName(api)) + " encrypt under bindContext: " + got);
    }
  }

  writeCases(outPath, json::object(), out);
  std::cout << "driver: checked " << checked << " bound envelopes of " << in << ", re-encrypted "
            << out.size() << " as bound envelopes into " << outPath << "\n";
}

// The Extended JSON cases of ejson.mjs: each text converted by convertExtendedJsonText and by the
// ordered_json form must be byte for byte the peer's JSON.stringify(EJSON.parse(text)) (member
// order included); the json form, which sorts, must hold the same value. OUT gets the C++ texts.
void convertEjson(const std::string& in, const std::string& out) {
  const json file = readJson<json>(in);
  std::vector<json> results;
  for (const json& c : file.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    const std::string text = c.at("text").get<std::string>();
    const std::string expected = c.at("expected").get<std::string>();
    try {
      const cc::SecretBuffer converted = cc::convertExtendedJsonText(text);
      const std::string fromText(converted.data(), converted.size());
      ordered_json ordered = ordered_json::parse(text);
      const std::string fromOrdered = cc::convertExtendedJson(ordered).dump();
      json sorted = json::parse(text);
      cc::convertExtendedJson(sorted);
      if (fromText != expected) fail(name, "convertExtendedJsonText gave " + fromText);
      if (fromOrdered != expected) fail(name, "the ordered_json form gave " + fromOrdered);
      if (sorted != json::parse(expected)) {
        fail(name,
             "the json form's value differs at " + firstDifference(json::parse(expected), sorted));
      }
      results.push_back({{"name", name}, {"text", fromText}, {"ordered", fromOrdered}});
    } catch (const cc::Error& e) {
      fail(name, std::string("threw ") + cc::errorCodeName(e.code()) + ": " + e.what());
    }
  }
  if (results.size() < 300) fail("convert-ejson", "fewer than 300 cases converted");
  writeCases(out, json::object(), results);
  std::cout << "convert-ejson: " << results.size()
            << " cases as JSON.stringify(EJSON.parse(text))\n";
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
         "env (golden vectors)\n"
         "  interop_driver convert-ejson IN OUT             convert ejson.mjs's Extended JSON "
         "cases, compare\n"
         "  interop_driver decrypt-check-bound IN OUT       decrypt the peer's bound envelopes "
         "under their contexts,\n"
         "                                                  check the refusals, re-encrypt them "
         "bound (needs CONNECTOR_CRED_BIND_CONTEXT=1)\n";
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
    } else if (command == "decrypt-check-bound") {
      decryptCheckBound(argv[2], argv[3]);
    } else if (command == "convert-ejson") {
      convertEjson(argv[2], argv[3]);
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
