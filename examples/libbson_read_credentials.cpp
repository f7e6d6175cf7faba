// The libbson example of docs/FORMAT.md ("Reading envelopes from MongoDB in C++"), built against
// Debian's libbson-dev and run by ctest (example_libbson_read_credentials). readCredentials is the
// code FORMAT.md shows: a connector document's "credentials" read with bson_iter, missing, null, a
// string or a sub-document (an envelope, or legacy plaintext whose BSON dates, ObjectIds and int64s
// come out of bson_as_relaxed_extended_json as {"$date"}, {"$oid"}, {"$numberLong"} wrappers).
// main() checks it on documents built with libbson, and exits non-zero on the first mismatch.
#include <bson/bson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <connector_crypto/connector_crypto.hpp>

namespace cc = connector_crypto;

// --- the example (docs/FORMAT.md) ---------------------------------------------------------------

// The sub-document `it` points at, as relaxed Extended JSON text parsed into a value; the text is
// zeroed before it is freed (it may hold legacy plaintext).
nlohmann::json jsonOfSubDocument(const bson_iter_t* it) {
  const std::uint8_t* data = nullptr;
  std::uint32_t length = 0;
  bson_iter_document(it, &length, &data);
  bson_t sub;
  if (!bson_init_static(&sub, data, length)) throw std::runtime_error("credentials: corrupt BSON");
  std::size_t size = 0;
  char* text = bson_as_relaxed_extended_json(&sub, &size);
  if (text == nullptr) throw std::runtime_error("credentials: not valid UTF-8");
  nlohmann::json value = nlohmann::json::parse(text, text + size, nullptr, false);
  bson_zero_free(text, size);
  if (value.is_discarded()) throw std::runtime_error("credentials: not JSON");
  return value;
}

// READ-FOR-USE: the credentials of a connector document, decrypted (an envelope) or as the
// TypeScript services read them (legacy plaintext, its Extended JSON wrappers converted); nullopt
// when the document has no "credentials". Throws cc::Error as decryptCredentials does, and with
// ErrorCode::kExtendedJson for plaintext holding a BSON type JSON has no form of ($binary, …).
std::optional<nlohmann::json> readCredentials(const bson_t* doc, const cc::Keyring& keyring) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, "credentials")) return std::nullopt;  // missing
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_NULL:
      return nlohmann::json(nullptr);
    case BSON_TYPE_UTF8: {  // legacy plaintext: a bare string (an API key)
      std::uint32_t length = 0;
      const char* s = bson_iter_utf8(&it, &length);
      return cc::decryptCredentials(nlohmann::json(std::string(s, length)), keyring);
    }
    case BSON_TYPE_DOCUMENT: {  // an envelope, or legacy plaintext
      nlohmann::json stored = jsonOfSubDocument(&it);
      cc::convertExtendedJson(stored);  // $date -> ISO string, $oid -> hex, $numberLong -> number
      nlohmann::json plain = cc::decryptCredentials(stored, keyring);
      cc::wipeCredentials(stored);
      return plain;
    }
    default:
      throw std::runtime_error("credentials: neither a document, a string nor null");
  }
}

// WRITE: the envelope as a BSON document to store under "credentials" (__enc becomes an int32, as
// the Node driver writes it). The caller bson_destroy()s it.
bson_t* envelopeDocument(const nlohmann::json& plain, const cc::Keyring& keyring) {
  const std::string text = cc::encryptCredentials(plain, keyring).dump();
  bson_error_t error;
  bson_t* out = bson_new_from_json(reinterpret_cast<const std::uint8_t*>(text.data()),
                                   static_cast<ssize_t>(text.size()), &error);
  if (out == nullptr) throw std::runtime_error("envelope: not convertible to BSON");
  return out;
}

// --- the checks ---------------------------------------------------------------------------------

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

// A connector document {_id: 1, credentials: <sub>}; sub is not consumed.
bson_t* documentWith(const bson_t* sub) {
  bson_t* doc = bson_new();
  BSON_APPEND_INT32(doc, "_id", 1);
  if (sub != nullptr) BSON_APPEND_DOCUMENT(doc, "credentials", sub);
  return doc;
}

// The sub-document's text through the text API: convertExtendedJsonText, decryptCredentialsText.
std::string readAsText(const bson_t* sub, const cc::Keyring& keyring) {
  std::size_t size = 0;
  char* text = bson_as_relaxed_extended_json(sub, &size);
  const cc::SecretBuffer converted = cc::convertExtendedJsonText(std::string_view(text, size));
  bson_zero_free(text, size);
  const cc::SecretBuffer plain =
      cc::decryptCredentialsText(std::string_view(converted.data(), converted.size()), keyring);
  return std::string(plain.data(), plain.size());
}

}  // namespace

int main() {
  try {
    const cc::Keyring keyring = cc::Keyring::fromBase64({{"v1", cc::generateKeyBase64()}}, "v1");

    {  // missing
      bson_t* doc = documentWith(nullptr);
      check(!readCredentials(doc, keyring).has_value(), "a missing field reads as nullopt");
      bson_destroy(doc);
    }
    {  // null
      bson_t* doc = bson_new();
      BSON_APPEND_NULL(doc, "credentials");
      const auto creds = readCredentials(doc, keyring);
      check(creds && creds->is_null(), "null reads as null");
      bson_destroy(doc);
    }
    {  // a string
      bson_t* doc = bson_new();
      BSON_APPEND_UTF8(doc, "credentials", "sk-live-0123");
      check(readCredentials(doc, keyring) == nlohmann::json("sk-live-0123"),
            "a bare string is legacy plaintext, returned as it is");
      bson_destroy(doc);
    }

    // Legacy plaintext as the Node driver stored it: a Date, an ObjectId, int64s, an int32, a
    // double and a date before 1970 (written by relaxed Extended JSON as {"$numberLong"}).
    bson_t legacy;
    bson_init(&legacy);
    BSON_APPEND_UTF8(&legacy, "token", "tok-s3cret");
    BSON_APPEND_DATE_TIME(&legacy, "expires", 1700000000000);
    BSON_APPEND_DATE_TIME(&legacy, "created", -1000);
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, "65A1B2C3D4E5F60718293A4B");
    BSON_APPEND_OID(&legacy, "user", &oid);
    BSON_APPEND_INT64(&legacy, "small", 42);
    BSON_APPEND_INT64(&legacy, "big", 9007199254740993);
    BSON_APPEND_INT32(&legacy, "count", 5);
    BSON_APPEND_DOUBLE(&legacy, "ratio", 0.25);
    const nlohmann::json expected = {{"token", "tok-s3cret"},
                                     {"expires", "2023-11-14T22:13:20.000Z"},
                                     {"created", "1969-12-31T23:59:59.000Z"},
                                     {"user", "65a1b2c3d4e5f60718293a4b"},
                                     {"small", 42},
                                     {"big", 9007199254740993},
                                     {"count", 5},
                                     {"ratio", 0.25}};
    {
      std::size_t size = 0;
      char* raw = bson_as_relaxed_extended_json(&legacy, &size);
      const std::string text(raw, size);
      bson_zero_free(raw, size);
      check(text.find("\"$date\"") != std::string::npos &&
                text.find("\"$oid\"") != std::string::npos &&
                text.find("\"$numberLong\"") != std::string::npos,
            "libbson's relaxed Extended JSON holds $date, $oid and $numberLong wrappers");
      bson_t* doc = documentWith(&legacy);
      const auto creds = readCredentials(doc, keyring);
      check(creds == expected, "legacy plaintext reads with its wrappers converted");
      check(readAsText(&legacy, keyring) ==
                R"({"token":"tok-s3cret","expires":"2023-11-14T22:13:20.000Z",)"
                R"("created":"1969-12-31T23:59:59.000Z","user":"65a1b2c3d4e5f60718293a4b",)"
                R"("small":42,"big":9007199254740993,"count":5,"ratio":0.25})",
            "the text API gives the value, members in the document's order");

      // Re-saving it seals the converted form, which decrypts to the same value.
      bson_t* sealed = envelopeDocument(*creds, keyring);
      bson_t* resaved = documentWith(sealed);
      check(readCredentials(resaved, keyring) == expected, "re-saved legacy plaintext decrypts");
      bson_destroy(resaved);
      bson_destroy(sealed);
      bson_destroy(doc);
    }

    {  // an envelope written back to BSON: __enc is an int32, as the Node driver writes it
      bson_t* sealed = envelopeDocument(expected, keyring);
      bson_iter_t it;
      check(bson_iter_init_find(&it, sealed, "__enc") && BSON_ITER_HOLDS_INT32(&it) &&
                bson_iter_int32(&it) == 1,
            "the envelope's __enc is the BSON int32 1");
      bson_t* doc = documentWith(sealed);
      check(readCredentials(doc, keyring) == expected, "an envelope decrypts");
      check(readAsText(sealed, keyring) == expected.dump(), "an envelope decrypts as text too");

      // Canonical Extended JSON writes __enc as {"$numberInt":"1"}: readable once converted.
      std::size_t size = 0;
      char* raw = bson_as_canonical_extended_json(sealed, &size);
      nlohmann::json canonical = nlohmann::json::parse(raw, raw + size);
      bson_free(raw);
      check(canonical.at("__enc") == nlohmann::json{{"$numberInt", "1"}},
            "canonical Extended JSON wraps __enc");
      check(cc::decryptCredentials(cc::convertExtendedJson(canonical), keyring) == expected,
            "a canonical envelope decrypts once converted");
      bson_destroy(doc);
      bson_destroy(sealed);
    }

    {  // plaintext holding a BSON type JSON has no form of: a typed Error naming it
      bson_t* sub = bson_new();
      const std::uint8_t bytes[] = {1, 2, 3};
      BSON_APPEND_BINARY(sub, "blob", BSON_SUBTYPE_BINARY, bytes, 3);
      bson_t* doc = documentWith(sub);
      bool typed = false;
      try {
        readCredentials(doc, keyring);
      } catch (const cc::Error& e) {
        typed = e.code() == cc::ErrorCode::kExtendedJson &&
                std::string(e.what()).find("$binary") != std::string::npos;
      }
      check(typed, "a $binary in plaintext is an Error with code kExtendedJson");
      bson_destroy(doc);
      bson_destroy(sub);
    }
    bson_destroy(&legacy);
  } catch (const std::exception& e) {
    std::printf("FAILED: unexpected exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", failures == 0 ? "libbson example OK" : "libbson example FAILED");
  return failures == 0 ? 0 : 1;
}
