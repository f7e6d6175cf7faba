// A C++ service that holds its MongoDB documents in libbson and never includes nlohmann: it links
// connector_crypto::core (pkg-config connector_crypto-core) and passes credentials as text.
//
// It builds a ConnectorInstance document (strings, an int64, dates, ObjectIds, nested objects,
// Unicode), seals its `credentials` bound to the record (docs/FORMAT.md's recommended context: the
// request's workspace, the collection, the field and the document's `_id` through typedObjectId)
// into an envelope sub-document, stores the document's bytes, reads them back, decrypts the
// envelope to BSON and prints what changed type and why. Every plaintext buffer is wiped: libbson's
// own memory through a wiping allocator table, the library's through SecretBuffer.
//
// ctest runs it as example_libbson_service (the key and CONNECTOR_CRED_BIND_CONTEXT=1 in its
// environment); by hand:
//   CONNECTOR_CRED_KEY=$(connector-crypto keygen) CONNECTOR_CRED_BIND_CONTEXT=1
//   ./example_libbson_service
#include <bson/bson.h>
#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include <connector_crypto/core.hpp>

namespace cc = connector_crypto;

// --- libbson's memory, wiped when freed ---------------------------------------------------------

// libbson's allocation table with every block wiped (connector_crypto::wipe) before it is freed or
// moved by realloc: the BSON of decrypted credentials, and the buffers bson_new_from_json and
// bson_as_relaxed_extended_json fill with plaintext, leave no copy in freed memory.
// malloc_usable_size gives a block's size (glibc); install it before any other libbson call.
namespace wiping {

void release(void* mem) {
  if (mem == nullptr) return;
  cc::wipe(mem, malloc_usable_size(mem));
  std::free(mem);
}

void* resize(void* mem, std::size_t size) {
  if (mem == nullptr) return std::malloc(size);
  void* fresh = std::malloc(size == 0 ? 1 : size);
  if (fresh == nullptr) return nullptr;
  const std::size_t old = malloc_usable_size(mem);
  std::memcpy(fresh, mem, old < size ? old : size);
  release(mem);
  return fresh;
}

void* alignedAlloc(std::size_t alignment, std::size_t size) {
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}

const bson_mem_vtable_t kTable = {std::malloc, std::calloc, resize, release, alignedAlloc, {}};

}  // namespace wiping

// --- the service's helpers ----------------------------------------------------------------------

constexpr const char* kCollection = "connectorinstances";

// The workspace of the authenticated request that reaches this service (in a real service, from
// the request; never read from the document, which a database writer could re-parent).
constexpr const char* kRequestWorkspace = "6650f0c2a1b2c3d4e5f60718";

// The encryption context of a ConnectorInstance's credentials: docs/FORMAT.md's recommended context
// (tenant, collection, field, id), typed as every side types it (oid:<hex>).
cc::EncryptionContext credentialsContext(const bson_t* instance) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, instance, "_id") || !BSON_ITER_HOLDS_OID(&it)) {
    throw std::runtime_error("instance: _id is not an ObjectId");
  }
  char hex[25];
  bson_oid_to_string(bson_iter_oid(&it), hex);
  return cc::EncryptionContext{{"tenant", cc::typedObjectId(kRequestWorkspace)},
                               {"collection", kCollection},
                               {"field", "credentials"},
                               {"id", cc::typedObjectId(hex)}};
}

// A document's relaxed Extended JSON text, zeroed before it is freed (it may hold plaintext).
class RelaxedText {
 public:
  explicit RelaxedText(const bson_t* doc) : text_(bson_as_relaxed_extended_json(doc, &size_)) {
    if (text_ == nullptr) throw std::runtime_error("a document that is not valid UTF-8");
  }
  RelaxedText(const RelaxedText&) = delete;
  RelaxedText& operator=(const RelaxedText&) = delete;
  ~RelaxedText() { bson_zero_free(text_, size_); }
  std::string_view view() const { return {text_, size_}; }

 private:
  std::size_t size_ = 0;
  char* text_;
};

// A BSON document of JSON text (bson_destroy it). libbson's message is not forwarded: it may
// quote the text.
bson_t* bsonOfJson(std::string_view json, const char* what) {
  bson_error_t error;
  bson_t* out = bson_new_from_json(reinterpret_cast<const std::uint8_t*>(json.data()),
                                   static_cast<ssize_t>(json.size()), &error);
  if (out == nullptr) throw std::runtime_error(std::string(what) + ": not convertible to BSON");
  return out;
}

// The sub-document at `key` of doc, as a read-only view (init_static: no copy).
bool subDocument(const bson_t* doc, const char* key, bson_t* out) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_DOCUMENT(&it)) return false;
  const std::uint8_t* data = nullptr;
  std::uint32_t length = 0;
  bson_iter_document(&it, &length, &data);
  return bson_init_static(out, data, length);
}

// WRITE: the instance with its credentials sealed into an envelope sub-document, bound to the
// record. The credentials' BSON types become what JSON.stringify of the Node driver's objects
// gives (convertExtendedJsonText), so the TypeScript services read the same plaintext.
bson_t* sealCredentials(const bson_t* instance, const cc::Keyring& keyring) {
  bson_t credentials;
  if (!subDocument(instance, "credentials", &credentials)) {
    throw std::runtime_error("instance: no credentials sub-document");
  }
  const RelaxedText relaxed(&credentials);
  const cc::SecretBuffer plain = cc::convertExtendedJsonText(relaxed.view());
  const std::string envelope = cc::encryptCredentialsText(
      std::string_view(plain.data(), plain.size()), keyring, credentialsContext(instance));
  bson_t* envelopeDoc = bsonOfJson(envelope, "envelope");  // __enc an int32, as Node writes it
  bson_t* stored = bson_new();
  bson_copy_to_excluding_noinit(instance, stored, "credentials", nullptr);
  BSON_APPEND_DOCUMENT(stored, "credentials", envelopeDoc);
  bson_destroy(envelopeDoc);
  return stored;
}

// READ-FOR-USE: the credentials of a stored instance as BSON (bson_destroy it): an envelope
// decrypted under the record's context, or legacy plaintext with its Extended JSON wrappers
// converted. Throws cc::Error as decryptCredentialsText does.
bson_t* readCredentials(const bson_t* stored, const cc::Keyring& keyring) {
  bson_t credentials;
  if (!subDocument(stored, "credentials", &credentials)) {
    throw std::runtime_error("stored: no credentials sub-document");
  }
  const RelaxedText relaxed(&credentials);
  const cc::SecretBuffer text = cc::convertExtendedJsonText(relaxed.view());
  const cc::SecretBuffer plain = cc::decryptCredentialsText(
      std::string_view(text.data(), text.size()), keyring, credentialsContext(stored));
  return bsonOfJson(std::string_view(plain.data(), plain.size()), "credentials");
}

// Where the service's schema needs BSON types the JSON plaintext cannot carry: `field` of `from`
// appended to `to` as an int64 (a number that came back int32), a date (an ISO string), or
// unchanged.
void appendRetyped(bson_iter_t* from, bson_t* to, bson_type_t wanted) {
  const char* key = bson_iter_key(from);
  if (wanted == BSON_TYPE_INT64 && BSON_ITER_HOLDS_INT32(from)) {
    BSON_APPEND_INT64(to, key, bson_iter_int32(from));
    return;
  }
  if (wanted == BSON_TYPE_DATE_TIME && BSON_ITER_HOLDS_UTF8(from)) {
    std::uint32_t length = 0;
    const char* iso = bson_iter_utf8(from, &length);
    const auto ms = cc::extended_json::millisOfIsoString(std::string_view(iso, length));
    if (!ms) throw std::runtime_error(std::string(key) + ": not an ISO date");
    BSON_APPEND_DATE_TIME(to, key, *ms);
    return;
  }
  bson_append_iter(to, key, -1, from);
}

// --- the run ------------------------------------------------------------------------------------

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

const char* typeName(bson_type_t t) {
  switch (t) {
    case BSON_TYPE_UTF8:
      return "string";
    case BSON_TYPE_INT32:
      return "int32";
    case BSON_TYPE_INT64:
      return "int64";
    case BSON_TYPE_DOUBLE:
      return "double";
    case BSON_TYPE_DATE_TIME:
      return "date";
    case BSON_TYPE_OID:
      return "ObjectId";
    case BSON_TYPE_DOCUMENT:
      return "document";
    case BSON_TYPE_ARRAY:
      return "array";
    case BSON_TYPE_BOOL:
      return "bool";
    case BSON_TYPE_NULL:
      return "null";
    default:
      return "other";
  }
}

// Why a credential's BSON type changed on its way through the JSON plaintext.
const char* why(bson_type_t before, bson_type_t after) {
  if (before == after) return "unchanged";
  if (before == BSON_TYPE_DATE_TIME) {
    return "JSON has no date: sealed as JSON.stringify writes a Date (toISOString)";
  }
  if (before == BSON_TYPE_OID) {
    return "JSON has no ObjectId: sealed as its hex string (ObjectId.toJSON)";
  }
  if (before == BSON_TYPE_INT64 && after == BSON_TYPE_INT32) {
    return "JSON has one number type: bson_new_from_json picks int32 for what fits";
  }
  return "?";
}

std::map<std::string, bson_type_t> typesOf(const bson_t* doc) {
  std::map<std::string, bson_type_t> out;
  bson_iter_t it;
  if (bson_iter_init(&it, doc)) {
    while (bson_iter_next(&it)) out[bson_iter_key(&it)] = bson_iter_type(&it);
  }
  return out;
}

std::string utf8At(const bson_t* doc, const char* dotted) {
  bson_iter_t it, found;
  if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, dotted, &found) ||
      !BSON_ITER_HOLDS_UTF8(&found)) {
    return "(missing)";
  }
  std::uint32_t length = 0;
  const char* s = bson_iter_utf8(&found, &length);
  return std::string(s, length);
}

// The ConnectorInstance as the service builds it on create: _id generated before the first write
// (its credentials are bound to it).
bson_t* newConnectorInstance() {
  bson_t* doc = bson_new();
  bson_oid_t id, tenant, user;
  bson_oid_init(&id, nullptr);
  bson_oid_init_from_string(&tenant, kRequestWorkspace);
  bson_oid_init_from_string(&user, "65A1B2C3D4E5F60718293A4B");
  BSON_APPEND_OID(doc, "_id", &id);
  BSON_APPEND_OID(doc, "workspaceId", &tenant);
  BSON_APPEND_UTF8(doc, "name", "Gmail \u2013 Z\u00fcrich \u65e5\u672c \U0001F4E7");
  BSON_APPEND_UTF8(doc, "type", "oauth2");
  BSON_APPEND_DATE_TIME(doc, "createdAt", 1733500000000);
  bson_t settings, credentials, provider, scopes;
  BSON_APPEND_DOCUMENT_BEGIN(doc, "settings", &settings);
  BSON_APPEND_INT64(&settings, "syncIntervalSeconds", 900);
  BSON_APPEND_BOOL(&settings, "enabled", true);
  bson_append_document_end(doc, &settings);
  BSON_APPEND_DOCUMENT_BEGIN(doc, "credentials", &credentials);
  BSON_APPEND_UTF8(&credentials, "access_token", "ya29.a0-example-access");
  BSON_APPEND_UTF8(&credentials, "refresh_token", "1//0g-example-refresh");
  BSON_APPEND_DATE_TIME(&credentials, "expires_at", 1765065600000);  // 2025-12-07T00:00:00Z
  BSON_APPEND_INT64(&credentials, "account_id", 42);                 // a small int64
  BSON_APPEND_INT64(&credentials, "quota_bytes", 9007199254740993);  // beyond 2^53 - 1
  BSON_APPEND_OID(&credentials, "user", &user);
  BSON_APPEND_ARRAY_BEGIN(&credentials, "scopes", &scopes);
  BSON_APPEND_UTF8(&scopes, "0", "gmail.readonly");
  BSON_APPEND_UTF8(&scopes, "1", "gmail.send");
  bson_append_array_end(&credentials, &scopes);
  BSON_APPEND_DOCUMENT_BEGIN(&credentials, "provider", &provider);
  BSON_APPEND_UTF8(&provider, "name", "Ac\u0301me \u30af\u30e9\u30a6\u30c9");
  BSON_APPEND_UTF8(&provider, "region", "eu-west-1");
  bson_append_document_end(&credentials, &provider);
  bson_append_document_end(doc, &credentials);
  return doc;
}

// The credentials again with the BSON types of the service's schema (an int64, a date).
bson_t* withSchemaTypes(const bson_t* decrypted) {
  static const std::map<std::string, bson_type_t> kSchema = {{"account_id", BSON_TYPE_INT64},
                                                             {"quota_bytes", BSON_TYPE_INT64},
                                                             {"expires_at", BSON_TYPE_DATE_TIME}};
  bson_t* out = bson_new();
  bson_iter_t it;
  if (bson_iter_init(&it, decrypted)) {
    while (bson_iter_next(&it)) {
      const auto wanted = kSchema.find(bson_iter_key(&it));
      appendRetyped(&it, out, wanted == kSchema.end() ? bson_iter_type(&it) : wanted->second);
    }
  }
  return out;
}

}  // namespace

int main() {
  bson_mem_set_vtable(&wiping::kTable);
  try {
    const cc::Keyring keyring = cc::keyringFromEnv();
    check(keyring.options().bindContext, "the keyring writes bound envelopes (bindContext)");

    bson_t* instance = newConnectorInstance();
    {
      bson_t* stored = sealCredentials(instance, keyring);
      // What MongoDB holds: the document's bytes.
      bson_t* read = bson_new_from_data(bson_get_data(stored), stored->len);
      {
        const RelaxedText shown(read);
        std::printf("stored: %.*s\n", static_cast<int>(shown.view().size()), shown.view().data());
        check(shown.view().find("ya29") == std::string_view::npos &&
                  shown.view().find("\"__enc\" : 1") != std::string_view::npos,
              "the stored document holds an envelope and no secret");
      }
      check(utf8At(read, "name") == utf8At(instance, "name"), "the rest of the document is kept");

      bson_t original;
      subDocument(instance, "credentials", &original);
      bson_t* decrypted = readCredentials(read, keyring);
      check(utf8At(decrypted, "access_token") == "ya29.a0-example-access" &&
                utf8At(decrypted, "provider.name") == "Ac\u0301me \u30af\u30e9\u30a6\u30c9",
            "the credentials decrypt, nested objects and Unicode included");

      std::printf("\n%-14s %-9s %-9s %s\n", "credential", "stored", "read", "why");
      const auto before = typesOf(&original);
      const auto after = typesOf(decrypted);
      for (const auto& [name, type] : before) {
        const auto found = after.find(name);
        const bson_type_t now = found == after.end() ? BSON_TYPE_EOD : found->second;
        std::printf("%-14s %-9s %-9s %s\n", name.c_str(), typeName(type), typeName(now),
                    why(type, now));
      }
      std::printf("\n");
      const std::map<std::string, bson_type_t> expected = {
          {"access_token", BSON_TYPE_UTF8}, {"refresh_token", BSON_TYPE_UTF8},
          {"expires_at", BSON_TYPE_UTF8},   {"account_id", BSON_TYPE_INT32},
          {"quota_bytes", BSON_TYPE_INT64}, {"user", BSON_TYPE_UTF8},
          {"scopes", BSON_TYPE_ARRAY},      {"provider", BSON_TYPE_DOCUMENT}};
      check(after == expected,
            "dates and ObjectIds come back strings, a small int64 an int32, the rest unchanged");
      check(utf8At(decrypted, "expires_at") == "2025-12-07T00:00:00.000Z" &&
                utf8At(decrypted, "user") == "65a1b2c3d4e5f60718293a4b",
            "the date as toISOString, the ObjectId as lower-case hex");

      bson_t* typed = withSchemaTypes(decrypted);
      const auto retyped = typesOf(typed);
      check(retyped.at("account_id") == BSON_TYPE_INT64 &&
                retyped.at("expires_at") == BSON_TYPE_DATE_TIME,
            "the schema's int64 and date restored after decrypting");
      bson_iter_t it;
      check(bson_iter_init_find(&it, typed, "expires_at") &&
                bson_iter_date_time(&it) == 1765065600000,
            "the date restored to the millisecond");

      // The envelope copied into another record (another _id) does not open there.
      bson_t* other = newConnectorInstance();
      bson_t* swapped = bson_new();
      bson_copy_to_excluding_noinit(other, swapped, "credentials", nullptr);
      bson_t envelope;
      subDocument(read, "credentials", &envelope);
      BSON_APPEND_DOCUMENT(swapped, "credentials", &envelope);
      bool refused = false;
      try {
        bson_destroy(readCredentials(swapped, keyring));
      } catch (const cc::Error& e) {
        refused = e.code() == cc::ErrorCode::kAuthentication;
      }
      check(refused, "an envelope copied into another record fails (kAuthentication)");

      bson_destroy(swapped);
      bson_destroy(other);
      bson_destroy(typed);
      bson_destroy(decrypted);  // wiped by the allocation table
      bson_destroy(read);
      bson_destroy(stored);
    }
    bson_destroy(instance);
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", failures == 0 ? "libbson service OK" : "libbson service FAILED");
  return failures == 0 ? 0 : 1;
}
