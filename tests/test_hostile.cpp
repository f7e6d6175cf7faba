// The hostile-input matrix: one row per input, each with its expected outcome (an exact error class,
// the true plaintext, or passthrough where the rules say the value is plaintext). Every error
// message is checked to hold no key (base64 or raw) and no plaintext secret.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <typeinfo>

#include <unistd.h>

#include "context_core.hpp"
#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using nlohmann::json;

namespace {

// What a row expects.
struct Expect {
  enum Kind { kPassthrough, kDecrypts, kThrows } kind;
  const std::type_info* error = nullptr;  // kThrows: the exact class
  json plaintext;                         // kDecrypts: the true plaintext
};
Expect passthrough() { return {Expect::kPassthrough, nullptr, nullptr}; }
Expect decrypts(json plaintext) { return {Expect::kDecrypts, nullptr, std::move(plaintext)}; }
template <typename E>
Expect throws() {
  return {Expect::kThrows, &typeid(E), nullptr};
}

// The plaintext secret every envelope of the matrix holds; its length makes ct end in one '='.
const json kSecret = {{"password", "hunter2-very-secret"}};
const std::vector<std::string> kSecrets = {kKeyA, kKeyB, kKeyC, "hunter2-very-secret"};

std::string b64(const std::vector<std::uint8_t>& bytes) {
  return base64_oracle::base64Encode(bytes.data(), bytes.size());
}
std::vector<std::uint8_t> unb64(const std::string& s) {
  std::vector<std::uint8_t> out;
  REQUIRE(base64_oracle::base64Decode(s, out));
  return out;
}

// An envelope of plaintext under key/kid with the given IV bytes, sealed through the AEAD seam;
// bound to context when given (its AAD, and "ctx").
json sealWithIv(const std::string& keyBase64, const std::string& kid, const std::string& plaintext,
                const std::vector<std::uint8_t>& iv,
                const cc::EncryptionContext* context = nullptr) {
  const std::vector<std::uint8_t> key = unb64(keyBase64);
  const std::string aad = context ? cc::detail::contextAad(kid, *context) : std::string();
  cc::detail::Aes256Gcm aead({key.data(), key.size()});
  std::vector<std::uint8_t> sealed(plaintext.size() + cc::kTagBytes);
  aead.seal({iv.data(), iv.size()}, {reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size()},
            {reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()},
            sealed.data());
  json out = {{"__enc", 1}, {"kid", kid}, {"iv", b64(iv)}, {"ct", b64(sealed)}};
  if (context) out["ctx"] = context->names();
  return out;
}

// IV bytes whose base64 is "++++////++++////", so the URL-safe alphabet makes a difference.
const std::vector<std::uint8_t> kIv = {0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff,
                                       0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff};

json with(json v, const std::string& member, json value) {
  v[member] = std::move(value);
  return v;
}
json without(json v, const std::string& member) {
  v.erase(member);
  return v;
}
std::string flipBit(const std::string& base64, std::size_t bit) {
  std::vector<std::uint8_t> bytes = unb64(base64);
  bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return b64(bytes);
}
std::string bytesOf(std::size_t n) { return b64(std::vector<std::uint8_t>(n, 0x5a)); }
std::string urlSafe(std::string s) {
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

// Runs fn on the row's input and checks the outcome and, for errors, the message.
template <typename Fn>
void checkRow(const std::string& name, const json& input, const Expect& expected, Fn&& fn) {
  INFO("row: " << name);
  try {
    const json got = fn(input);
    if (expected.kind == Expect::kThrows) {
      FAIL_CHECK("returned instead of throwing " << expected.error->name());
    } else if (expected.kind == Expect::kPassthrough) {
      CHECK(got == input);
    } else {
      CHECK(got == expected.plaintext);
    }
  } catch (const std::exception& e) {
    INFO("message: " << e.what());
    if (expected.kind != Expect::kThrows) {
      FAIL_CHECK("threw " << typeid(e).name());
    } else {
      CHECK(typeid(e) == *expected.error);
    }
    requireNoSecret(e.what(), kSecrets);
  }
}

// decryptCredentialsText of v's text, read back as a value.
json viaText(const json& v, const cc::Keyring& k) {
  const cc::SecretBuffer text = cc::decryptCredentialsText(v.dump(), k);
  return json::parse(text.begin(), text.end());
}

struct Row {
  std::string name;
  json input;
  Expect expected;
};

// Every JSON type, as a replacement for a member.
const std::vector<std::pair<std::string, json>> kEveryType = {
    {"null", nullptr},          {"true", true},
    {"false", false},           {"0", 0},
    {"-1", -1},                 {"1.5", 1.5},
    {"2^64-1", UINT64_MAX},     {"empty string", ""},
    {"a string", "x"},         {"empty array", json::array()},
    {"array", json::array({1})}, {"empty object", json::object()},
    {"object", {{"a", 1}}}};

}  // namespace

// The tables below are laid out by hand, one row per line.
// clang-format off
namespace {

// Every row of the matrix around the envelope e of kSecret (sealed with kIv under key A, kid v1).
std::vector<Row> envelopeRows(const json& e) {
  const std::string iv = e["iv"], ct = e["ct"];
  // Preconditions of the base64 rows below.
  REQUIRE(iv == "++++////++++////");
  REQUIRE(ct.back() == '=');
  REQUIRE(ct[ct.size() - 2] != '=');
  std::vector<Row> rows = {
      // name                                 input                                   expected
      {"the envelope itself",                 e,                                      decrypts(kSecret)},
      {"__enc 1.0",                           with(e, "__enc", 1.0),                  decrypts(kSecret)},
      {"__enc 2",                             with(e, "__enc", 2),                    throws<cc::EnvelopeError>()},
      {"__enc 0",                             with(e, "__enc", 0),                    throws<cc::EnvelopeError>()},
      {"__enc -1",                            with(e, "__enc", -1),                   throws<cc::EnvelopeError>()},
      {"__enc 1.5",                           with(e, "__enc", 1.5),                  throws<cc::EnvelopeError>()},
      {"__enc \"1\"",                         with(e, "__enc", "1"),                  throws<cc::EnvelopeError>()},
      {"__enc true",                          with(e, "__enc", true),                 throws<cc::EnvelopeError>()},
      {"__enc null",                          with(e, "__enc", nullptr),              throws<cc::EnvelopeError>()},
      {"no kid",                              without(e, "kid"),                      throws<cc::EnvelopeError>()},
      {"no iv",                               without(e, "iv"),                       throws<cc::EnvelopeError>()},
      {"no ct",                               without(e, "ct"),                       throws<cc::EnvelopeError>()},
      {"iv empty",                            with(e, "iv", ""),                      throws<cc::EnvelopeError>()},
      {"iv whitespace only",                  with(e, "iv", "                "),      throws<cc::EnvelopeError>()},
      {"iv with a leading space",             with(e, "iv", " " + iv.substr(1)),      throws<cc::EnvelopeError>()},
      {"iv with a trailing newline",          with(e, "iv", iv.substr(0, 15) + "\n"), throws<cc::EnvelopeError>()},
      {"iv URL-safe",                         with(e, "iv", urlSafe(iv)),             throws<cc::EnvelopeError>()},
      {"iv unpadded (15 characters)",         with(e, "iv", iv.substr(0, 15)),        throws<cc::EnvelopeError>()},
      {"iv over-padded",                      with(e, "iv", iv + "=="),               throws<cc::EnvelopeError>()},
      {"iv holding a NUL",                    with(e, "iv", iv.substr(0, 8) + std::string(1, '\0') + iv.substr(9)), throws<cc::EnvelopeError>()},
      {"iv of 0 bytes",                       with(e, "iv", bytesOf(0)),              throws<cc::EnvelopeError>()},
      {"iv of 8 bytes",                       with(e, "iv", bytesOf(8)),              throws<cc::EnvelopeError>()},
      {"iv of 11 bytes",                      with(e, "iv", bytesOf(11)),             throws<cc::EnvelopeError>()},
      {"iv of 13 bytes",                      with(e, "iv", bytesOf(13)),             throws<cc::EnvelopeError>()},
      {"iv of 16 bytes",                      with(e, "iv", bytesOf(16)),             throws<cc::EnvelopeError>()},
      {"ct empty",                            with(e, "ct", ""),                      throws<cc::EnvelopeError>()},
      {"ct whitespace only",                  with(e, "ct", "    "),                  throws<cc::EnvelopeError>()},
      {"ct with a trailing newline",          with(e, "ct", ct + "\n"),               throws<cc::EnvelopeError>()},
      {"ct with an inner space",              with(e, "ct", ct.substr(0, 8) + " " + ct.substr(9)), throws<cc::EnvelopeError>()},
      {"ct URL-safe",                         with(e, "ct", urlSafe(ct)),             throws<cc::EnvelopeError>()},
      {"ct unpadded",                         with(e, "ct", ct.substr(0, ct.size() - 1)), throws<cc::EnvelopeError>()},
      {"ct over-padded",                      with(e, "ct", ct + "===="),             throws<cc::EnvelopeError>()},
      {"ct holding a NUL",                    with(e, "ct", ct.substr(0, 8) + std::string(1, '\0') + ct.substr(9)), throws<cc::EnvelopeError>()},
      {"ct non-ASCII",                        with(e, "ct", "\xc3\xa9" + ct.substr(2)), throws<cc::EnvelopeError>()},
      {"ct of the tag alone (16 bytes)",      with(e, "ct", bytesOf(16)),             throws<cc::DecryptError>()},
      {"ct truncated by 3 bytes",             with(e, "ct", [&] { auto b = unb64(ct); b.resize(b.size() - 3); return b64(b); }()), throws<cc::DecryptError>()},
      {"ct with one byte appended",           with(e, "ct", [&] { auto b = unb64(ct); b.push_back(0); return b64(b); }()), throws<cc::DecryptError>()},
      {"kid swapped to another known kid",    with(e, "kid", "v2"),                   throws<cc::DecryptError>()},
      {"kid unknown",                         with(e, "kid", "v9"),                   throws<cc::UnknownKidError>()},
      {"kid empty",                           with(e, "kid", ""),                     throws<cc::UnknownKidError>()},
      {"kid huge (1 MiB)",                    with(e, "kid", std::string(1 << 20, 'k')), throws<cc::UnknownKidError>()},
      {"kid non-ASCII",                       with(e, "kid", "v\xc3\xa9"),            throws<cc::UnknownKidError>()},
      {"kid holding a NUL",                   with(e, "kid", std::string("v1\0", 3)), throws<cc::UnknownKidError>()},
      {"envelope nested as ct",               with(e, "ct", e),                       throws<cc::EnvelopeError>()},
      {"envelope nested as a new member",     with(e, "inner", e),                    decrypts(kSecret)},
      {"extra members",                       with(with(e, "note", "x"), "v", 2),     decrypts(kSecret)},
      {"only __enc",                          json{{"__enc", 1}},                     throws<cc::EnvelopeError>()},
      {"__enc inside a nested object",        json{{"creds", e}},                     passthrough()},
      {"envelope as an array element",        json::array({e}),                       passthrough()},
      {"envelope as a JSON string",           json(e.dump()),                         passthrough()},
      {"plaintext object",                    kSecret,                                passthrough()},
      {"plaintext with __ENC (other case)",   json{{"__ENC", 1}},                     passthrough()},
      {"null",                                nullptr,                                passthrough()},
  };
  // Built in place: each holds a ct of many megabytes.
  rows.push_back({"ct of 100 MB (limit 16 MiB)", with(e, "ct", std::string(100'000'000, 'A')), throws<cc::EnvelopeError>()});
  rows.push_back({"ct one byte over 16 MiB", with(e, "ct", std::string(cc::kMaxEnvelopeBytes + 1, 'A')), throws<cc::EnvelopeError>()});
  for (std::size_t n = 0; n < cc::kTagBytes; ++n) {
    rows.push_back({"ct of " + std::to_string(n) + " bytes", with(e, "ct", bytesOf(n)), throws<cc::EnvelopeError>()});
  }
  for (std::size_t bit = 0; bit < cc::kIvBytes * 8; ++bit) {
    rows.push_back({"iv bit " + std::to_string(bit) + " flipped", with(e, "iv", flipBit(iv, bit)), throws<cc::DecryptError>()});
  }
  for (std::size_t bit = 0; bit < unb64(ct).size() * 8; ++bit) {
    rows.push_back({"ct bit " + std::to_string(bit) + " flipped", with(e, "ct", flipBit(ct, bit)), throws<cc::DecryptError>()});
  }
  // Every member replaced by every JSON type: __enc needs the number 1, the others strings.
  for (const auto& [typeName, value] : kEveryType) {
    rows.push_back({"__enc as " + typeName, with(e, "__enc", value), throws<cc::EnvelopeError>()});
    const bool str = value.is_string();
    rows.push_back({"kid as " + typeName, with(e, "kid", value), str ? throws<cc::UnknownKidError>() : throws<cc::EnvelopeError>()});
    rows.push_back({"iv as " + typeName, with(e, "iv", value), throws<cc::EnvelopeError>()});
    rows.push_back({"ct as " + typeName, with(e, "ct", value), throws<cc::EnvelopeError>()});
    rows.push_back({"plaintext " + typeName, value, passthrough()});
  }
  return rows;
}

}  // namespace

TEST_CASE("hostile matrix: decryptCredentials") {
  const cc::Keyring k = keyringV1V2();
  const json e = sealWithIv(kKeyA, "v1", kSecret.dump(), kIv);
  REQUIRE(decryptCredentials(e, k) == kSecret);
  const std::vector<Row> rows = envelopeRows(e);
  for (const Row& row : rows) {
    checkRow(row.name, row.input, row.expected, [&](const json& v) { return decryptCredentials(v, k); });
    // The text API gives the same verdict on the same row, as text.
    checkRow(row.name + " (text)", row.input, row.expected, [&](const json& v) { return viaText(v, k); });
  }
}

TEST_CASE("hostile matrix: bound envelopes, read under their context") {
  const cc::Keyring k = keyringV1V2();
  const cc::EncryptionContext context{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                      {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  const json e = sealWithIv(kKeyA, "v1", kSecret.dump(), kIv, &context);
  REQUIRE(decryptCredentials(e, k, context) == kSecret);
  std::vector<Row> rows = envelopeRows(e);
  // The rows of "ctx" itself: removed (read as unbound, without AAD), every other type, bad names.
  rows.push_back({"ctx removed", without(e, "ctx"), throws<cc::DecryptError>()});
  for (const auto& [typeName, value] : kEveryType) {
    rows.push_back({"ctx as " + typeName, with(e, "ctx", value), throws<cc::EnvelopeError>()});
  }
  for (const json& names : {json({"tenant", "id"}), json({"id", "id", "tenant"}), json({"id"}),
                            json({"id", "tenant", "x"}), json({"ID", "tenant"}), json({"id", "tenant "}),
                            json({"id", std::string(65, 't')}), json({"id", std::string("ten\0ant", 7)})}) {
    rows.push_back({"ctx " + names.dump(), with(e, "ctx", names), throws<cc::EnvelopeError>()});
  }
  for (const Row& row : rows) {
    checkRow(row.name, row.input, row.expected,
             [&](const json& v) { return decryptCredentials(v, k, context); });
    checkRow(row.name + " (text)", row.input, row.expected, [&](const json& v) {
      const cc::SecretBuffer text = cc::decryptCredentialsText(v.dump(), k, context);
      return json::parse(text.begin(), text.end());
    });
  }
}

TEST_CASE("hostile matrix: authentic plaintext that is not what encrypt writes") {
  const cc::Keyring k = keyringV1();
  const std::string deep512 = std::string(512, '[') + std::string(512, ']');
  const std::vector<std::pair<std::string, Expect>> rows = {
      // plaintext bytes                                        expected
      {"{\"password\":\"hunter2-very-secret\"}",                  decrypts(kSecret)},
      {"hunter2-very-secret",                                    throws<cc::DecryptError>()},
      {"\"hunter2-very-secret\xff\"",                            throws<cc::DecryptError>()},
      {"\"hunter2-very-secret\\ud800\"",                         throws<cc::DecryptError>()},
      {"\"hunter2-very-secret\xed\xa0\x80\"",                    throws<cc::DecryptError>()},
      {"\"hunter2-very-secret\xc0\xaf\"",                        throws<cc::DecryptError>()},
      {std::string("\"hunter2-very-secret\0\"", 22),             throws<cc::DecryptError>()},
      {std::string("{\"password\":\"hunter2-very-secret\"}\0trailing", 43), throws<cc::DecryptError>()},
      {std::string("{\"password\":\"hunter2-very-secret\"}\0", 35),         throws<cc::DecryptError>()},
      {"{\"password\":\"hunter2-very-secret\"} trailing",        throws<cc::DecryptError>()},
      {"{\"password\":\"hunter2-very-secret\"",                  throws<cc::DecryptError>()},
      {"",                                                       throws<cc::DecryptError>()},
      {"  \n ",                                                  throws<cc::DecryptError>()},
      {"NaN",                                                    throws<cc::DecryptError>()},
      {deep512,                                                  decrypts(json::parse(deep512))},
      {std::string(513, '[') + std::string(513, ']'),            throws<cc::DecryptError>()},
      {std::string(100000, '['),                                 throws<cc::DecryptError>()},
      {std::string(100000, '{'),                                 throws<cc::DecryptError>()},
  };
  for (const auto& [plaintext, expected] : rows) {
    checkRow(plaintext.substr(0, 40), sealRaw(kKeyA, "v1", plaintext), expected,
             [&](const json& v) { return decryptCredentials(v, k); });
    checkRow(plaintext.substr(0, 40) + " (text)", sealRaw(kKeyA, "v1", plaintext), expected,
             [&](const json& v) { return viaText(v, k); });
  }
}

TEST_CASE("hostile matrix: strict mode") {
  const cc::Keyring k = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", {true});
  const json e = encryptCredentials(kSecret, k);
  const std::vector<Row> rows = {
      // name                              input                          expected
      {"an envelope",                      e,                             decrypts(kSecret)},
      {"null",                             nullptr,                       passthrough()},
      {"plaintext object",                 kSecret,                       throws<cc::PlaintextRejectedError>()},
      {"plaintext string",                 "hunter2-very-secret",         throws<cc::PlaintextRejectedError>()},
      {"plaintext number",                 0,                             throws<cc::PlaintextRejectedError>()},
      {"plaintext empty object",           json::object(),                throws<cc::PlaintextRejectedError>()},
      {"an envelope in an array",          json::array({e}),              throws<cc::PlaintextRejectedError>()},
      {"an envelope as a JSON string",     json(e.dump()),                throws<cc::PlaintextRejectedError>()},
      {"a broken envelope",                with(e, "__enc", 2),           throws<cc::EnvelopeError>()},
  };
  for (const Row& row : rows) {
    checkRow(row.name, row.input, row.expected, [&](const json& v) { return decryptCredentials(v, k); });
    // The text API gives the same verdict on the same row, as text.
    checkRow(row.name + " (text)", row.input, row.expected, [&](const json& v) { return viaText(v, k); });
  }
}

TEST_CASE("hostile matrix: isEncrypted") {
  const json e = encryptCredentials(kSecret, keyringV1());
  const std::vector<std::pair<std::string, std::pair<json, bool>>> rows = {
      // name                              input                                  expected
      {"an envelope",                      {e,                                    true}},
      {"__enc 1.0",                        {with(e, "__enc", 1.0),                true}},
      {"extra members",                    {with(e, "note", "x"),                 true}},
      {"__enc 2",                          {with(e, "__enc", 2),                  false}},
      {"__enc \"1\"",                      {with(e, "__enc", "1"),                false}},
      {"__enc true",                       {with(e, "__enc", true),               false}},
      {"__enc null",                       {with(e, "__enc", nullptr),            false}},
      {"no kid",                           {without(e, "kid"),                    false}},
      {"kid a number",                     {with(e, "kid", 1),                    false}},
      {"iv an array",                      {with(e, "iv", json::array()),         false}},
      {"ct an object",                     {with(e, "ct", e),                     false}},
      {"garbage base64 (shape only)",      {with(e, "ct", "!!"),                  true}},
      {"an array holding an envelope",     {json::array({e}),                     false}},
      {"a JSON string of an envelope",     {json(e.dump()),                       false}},
      {"null",                             {nullptr,                              false}},
      {"a plaintext object",               {kSecret,                              false}},
  };
  for (const auto& [name, row] : rows) {
    INFO("row: " << name);
    CHECK(cc::isEncrypted(row.first) == row.second);
  }
  // Every member replaced by every JSON type: only strings keep kid, iv and ct in shape, and no
  // type of kEveryType is the number 1.
  for (const auto& [typeName, value] : kEveryType) {
    INFO("type: " << typeName);
    CHECK_FALSE(cc::isEncrypted(with(e, "__enc", value)));
    for (const char* member : {"kid", "iv", "ct"}) {
      INFO("member: " << member);
      CHECK(cc::isEncrypted(with(e, member, value)) == value.is_string());
      CHECK_FALSE(cc::isEncrypted(without(e, member)));
    }
  }
}

TEST_CASE("hostile matrix: keyringFromEnv") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("cc_hostile_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto file = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  const std::string keysAB = "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyB + "\"}";

  struct EnvRow {
    std::string name;
    std::map<std::string, std::string> env;
    bool builds;  // else exactly KeyringError
  };
  const std::vector<EnvRow> rows = {
      // name                                   variables                                                          builds
      {"KEYS not JSON",                         {{"CONNECTOR_CRED_KEYS", "v1=" + kKeyA}},                          false},
      {"KEYS an array",                         {{"CONNECTOR_CRED_KEYS", "[\"" + kKeyA + "\"]"}},                  false},
      {"KEYS null",                             {{"CONNECTOR_CRED_KEYS", "null"}},                                 false},
      {"KEYS a string",                         {{"CONNECTOR_CRED_KEYS", "\"" + kKeyA + "\""}},                    false},
      {"KEYS a number",                         {{"CONNECTOR_CRED_KEYS", "1"}},                                    false},
      {"KEYS an empty object",                  {{"CONNECTOR_CRED_KEYS", "{}"}},                                   false},
      {"KEYS nested objects",                   {{"CONNECTOR_CRED_KEYS", "{\"v1\":{\"v2\":\"" + kKeyB + "\"}}"}},  false},
      {"KEYS a key as an array",                {{"CONNECTOR_CRED_KEYS", "{\"v1\":[\"" + kKeyA + "\"]}"}},         false},
      {"KEYS a key as a number",                {{"CONNECTOR_CRED_KEYS", "{\"v1\":1}"}},                           false},
      {"KEYS duplicate kids",                   {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\",\"v1\":\"" + kKeyB + "\"}"}}, false},
      {"KEYS the same key twice",               {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\",\"v2\":\"" + kKeyA + "\"}"}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}, false},
      {"KEYS 1 MiB of {",                       {{"CONNECTOR_CRED_KEYS", std::string(1 << 20, '{')}},              false},
      {"KEYS 1 MiB of [",                       {{"CONNECTOR_CRED_KEYS", std::string(1 << 20, '[')}},              false},
      {"KEYS trailing garbage",                 {{"CONNECTOR_CRED_KEYS", keysAB + " x"}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}, false},
      {"KEYS two objects",                      {{"CONNECTOR_CRED_KEYS", keysAB + keysAB}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}, false},
      {"KEYS breaking off inside a key",        {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA.substr(0, 30)}},     false},
      {"KEYS breaking off after a key",         {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\""}},            false},
      {"KEYS invalid UTF-8 in a key",           {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA.substr(0, 30) + "\xff" + kKeyA.substr(31) + "\"}"}}, false},
      {"KEYS invalid UTF-8 in a kid",           {{"CONNECTOR_CRED_KEYS", "{\"v\xff\":\"" + kKeyA + "\"}"}},        false},
      {"KEYS a control character in a key",     {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA.substr(0, 30) + "\x01" + kKeyA.substr(31) + "\"}"}}, false},
      {"KEYS a bad escape in a key",            {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA.substr(0, 30) + "\\x" + kKeyA.substr(31) + "\"}"}}, false},
      {"KEYS a kid too long",                   {{"CONNECTOR_CRED_KEYS", "{\"" + std::string(65, 'k') + "\":\"" + kKeyA + "\"}"}}, false},
      {"KEYS an empty kid",                     {{"CONNECTOR_CRED_KEYS", "{\"\":\"" + kKeyA + "\"}"}},             false},
      {"KEYS a key as kid and a key as value",  {{"CONNECTOR_CRED_KEYS", "{\"" + kKeyC + " \":\"" + kKeyA + "\"}"}}, false},
      {"KEYS a key with \\u escapes",          {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"\\u0041\\u0041" + kKeyA.substr(2) + "\"}"}},        true},
      {"KEYS a kid with an escaped quote",      {{"CONNECTOR_CRED_KEYS", "{\"v\\\"1\":\"" + kKeyA + "\"}"}},             true},
      {"KEYS a lone surrogate in a kid",        {{"CONNECTOR_CRED_KEYS", "{\"v\\ud800\":\"" + kKeyA + "\"}"}},            false},
      {"KEYS a surrogate pair in a kid",        {{"CONNECTOR_CRED_KEYS", "{\"v\\ud83d\\ude00\":\"" + kKeyA + "\"}"}},    false},
      {"KEYS overlong UTF-8 in a kid",          {{"CONNECTOR_CRED_KEYS", "{\"v\xc0\xaf\":\"" + kKeyA + "\"}"}},           false},
      {"KEYS a UTF-8 BOM",                      {{"CONNECTOR_CRED_KEYS", "\xef\xbb\xbf{\"v1\":\"" + kKeyA + "\"}"}},     false},
      {"KEYS a trailing comma",                 {{"CONNECTOR_CRED_KEYS", "{\"v1\":\"" + kKeyA + "\",}"}},                  false},
      {"KEYS single quotes",                    {{"CONNECTOR_CRED_KEYS", "{'v1':'" + kKeyA + "'}"}},                        false},
      {"KEYS a comment",                        {{"CONNECTOR_CRED_KEYS", "{/* c */\"v1\":\"" + kKeyA + "\"}"}},            false},
      {"KEYS several keys, no ACTIVE_KID",      {{"CONNECTOR_CRED_KEYS", keysAB}},                                 false},
      {"KEYS ACTIVE_KID not in the map",        {{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_ACTIVE_KID", "v3"}}, false},
      {"KEYS well-formed",                      {{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_ACTIVE_KID", "v2"}}, true},
      {"KEYS with whitespace and escapes",      {{"CONNECTOR_CRED_KEYS", " {\n\"v\\u0031\" : \"" + kKeyA + "\\n\" } \n"}}, true},
      {"KEY URL-safe",                          {{"CONNECTOR_CRED_KEY", urlSafe(kKeyC.substr(0, 40)) + "-_8="}},   false},
      {"KEY unpadded",                          {{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 43)}},                     false},
      {"KEY over-padded",                       {{"CONNECTOR_CRED_KEY", kKeyA + "=="}},                            false},
      {"KEY with an inner space",               {{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 20) + " " + kKeyA.substr(20)}}, false},
      {"KEY holding a NUL",                     {{"CONNECTOR_CRED_KEY", kKeyA.substr(0, 20) + std::string(1, '\0') + kKeyA.substr(21)}}, false},
      {"KEY of 16 bytes",                       {{"CONNECTOR_CRED_KEY", bytesOf(16)}},                             false},
      {"KEY of 1 MiB",                          {{"CONNECTOR_CRED_KEY", std::string(1 << 20, 'A')}},               false},
      {"KEY and KEY_FILE both",                 {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KEY_FILE", file("a", kKeyA)}}, false},
      {"KEYS and KEYS_FILE both",               {{"CONNECTOR_CRED_KEYS", keysAB}, {"CONNECTOR_CRED_KEYS_FILE", file("ab", keysAB)}, {"CONNECTOR_CRED_ACTIVE_KID", "v1"}}, false},
      {"KEY_FILE missing",                      {{"CONNECTOR_CRED_KEY_FILE", (dir / "missing").string()}},         false},
      {"KEY_FILE a directory",                  {{"CONNECTOR_CRED_KEY_FILE", dir.string()}},                       false},
      {"KEY_FILE empty",                        {{"CONNECTOR_CRED_KEY_FILE", file("empty", "")}},                  false},
      {"KEY_FILE over 1 MiB",                   {{"CONNECTOR_CRED_KEY_FILE", file("big", std::string((1 << 20) + 1, 'A'))}}, false},
      {"KEY_FILE with a trailing newline",      {{"CONNECTOR_CRED_KEY_FILE", file("nl", kKeyA + "\n")}},           true},
      {"KEYS_FILE holding garbage",             {{"CONNECTOR_CRED_KEYS_FILE", file("garbage", "{\"v1\":\"" + kKeyA.substr(0, 30))}}, false},
      {"KID invalid",                           {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "bad kid"}}, false},
      {"KID non-ASCII",                         {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_KID", "v\xc3\xa9"}}, false},
      {"REQUIRE_ENCRYPTED=true",                {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "true"}}, false},
      {"REQUIRE_ENCRYPTED=yes",                 {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "yes"}}, false},
      {"REQUIRE_ENCRYPTED=01",                  {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "01"}}, false},
      {"REQUIRE_ENCRYPTED=' 1'",                {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", " 1"}}, false},
      {"REQUIRE_ENCRYPTED=2",                   {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "2"}}, false},
      {"REQUIRE_ENCRYPTED holding a key",       {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", kKeyB}}, false},
      {"REQUIRE_ENCRYPTED=1",                   {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "1"}}, true},
      {"REQUIRE_ENCRYPTED=0",                   {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", "0"}}, true},
      {"REQUIRE_ENCRYPTED empty",               {{"CONNECTOR_CRED_KEY", kKeyA}, {"CONNECTOR_CRED_REQUIRE_ENCRYPTED", ""}}, true},
      {"nothing set",                           {},                                                                false},
  };
  for (const EnvRow& row : rows) {
    INFO("row: " << row.name);
    try {
      const cc::Keyring k = cc::keyringFromEnv(envOf(row.env));
      CHECK(row.builds);
      const auto strict = row.env.find("CONNECTOR_CRED_REQUIRE_ENCRYPTED");
      CHECK(k.options().requireEncrypted == (strict != row.env.end() && strict->second == "1"));
    } catch (const std::exception& e) {
      INFO("message: " << e.what());
      CHECK_FALSE(row.builds);
      CHECK(typeid(e) == typeid(cc::KeyringError));
      requireNoSecret(e.what(), kSecrets);
    }
  }
  fs::remove_all(dir);
}
// clang-format on

TEST_CASE("hostile matrix: 200,000 levels of nesting crash nothing") {
  const auto k = keyringV1();
  const std::string tooDeep =
      "credentials: the value nests arrays/objects deeper than 512 levels, the most decrypt reads";
  json deepObject = json::object();
  for (int i = 0; i < 200000; ++i) {
    json outer = json::object();
    outer["k"] = std::move(deepObject);
    deepObject = std::move(outer);
  }
  const json parsed = json::parse(std::string(200000, '[') + std::string(200000, ']'));
  const std::vector<std::pair<std::string, const json*>> values = {
      {"arrays (json::parse reads them without recursing)", &parsed}, {"objects", &deepObject}};
  json envelope = encryptCredentials(kSecret, k);
  envelope["note"] = nestedArrays(200000);
  SECTION("plaintext: every function refuses it with a typed Error, or answers") {
    for (const auto& row : values) {
      const json* v = row.second;  // not a structured binding: clang 14 cannot capture one
      INFO(row.first);
      CHECK(messageOf<cc::Error>([&] { encryptCredentials(*v, k); }) == tooDeep);
      CHECK(messageOf<cc::Error>([&] { cc::encryptPlainCredentials(*v, k); }) == tooDeep);
      CHECK(messageOf<cc::Error>([&] { decryptCredentials(*v, k); }) == tooDeep);
      CHECK(messageOf<cc::Error>([&] { cc::needsRewrap(*v, k); }) == tooDeep);
      CHECK(messageOf<cc::Error>([&] { cc::rewrapCredentials(*v, k); }) == tooDeep);
      CHECK_FALSE(cc::isEncrypted(*v));
    }
    CHECK(k.stats().plaintextPassthroughs == 0);
    CHECK(k.stats().perKid.at("v1").encryptions == 1);  // the envelope of this test only
  }
  SECTION("strict mode refuses deep plaintext as plaintext") {
    const auto strict = cc::Keyring::fromBase64({{"v1", kKeyA}}, "v1", {true});
    CHECK_THROWS_AS(decryptCredentials(parsed, strict), cc::PlaintextRejectedError);
  }
  SECTION("an envelope with a deep extra member: what would copy it refuses, the rest reads it") {
    CHECK(cc::isEncrypted(envelope));
    CHECK(messageOf<cc::Error>([&] { encryptCredentials(envelope, k); }) == tooDeep);
    CHECK(messageOf<cc::Error>([&] { cc::rewrapCredentials(envelope, k); }) == tooDeep);
    CHECK(decryptCredentials(envelope, k) == kSecret);
    // needsRewrap throws what rewrap throws (issue 21, item 6).
    CHECK(messageOf<cc::Error>([&] { cc::needsRewrap(envelope, k); }) == tooDeep);
    CHECK(messageOf<cc::EnvelopeError>([&] { cc::encryptPlainCredentials(envelope, k); }) ==
          "encryptPlainCredentials: the value carries \"__enc\"; only plaintext is accepted here");
  }
  SECTION("wipeCredentials walks it without recursing and leaves null") {
    json copy = json::parse(std::string(200000, '[') + "\"secret\"" + std::string(200000, ']'));
    cc::wipeCredentials(copy);
    CHECK(copy.is_null());
    cc::wipeCredentials(deepObject);
    CHECK(deepObject.is_null());
  }
}
