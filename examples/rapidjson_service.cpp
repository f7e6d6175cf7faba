// A C++ service that holds its documents in RapidJSON and never includes nlohmann: it links
// connector_crypto::core (pkg-config connector_crypto-core) and passes credentials as text.
//
// WRITE: the `credentials` member is serialized with rapidjson::Writer, sealed with
// encryptCredentialsText bound to the record (docs/FORMAT.md's recommended context: tenant,
// collection, field, id), and the envelope parsed back into the document in its place. READ: the envelope
// member is written out, decrypted with decryptCredentialsText, and the plaintext parsed into a DOM
// for use. Every buffer that held plaintext is wiped: RapidJSON's own (string buffers, the
// documents' memory pools and parse stacks) by an allocator that wipes each block before freeing
// it with connector_crypto::wipe, and the strings of a DOM that outlives its plaintext in place.
//
// ctest runs it as example_rapidjson_service (the key and CONNECTOR_CRED_BIND_CONTEXT=1 in its
// environment); by hand:
//   CONNECTOR_CRED_KEY=$(connector-crypto keygen) CONNECTOR_CRED_BIND_CONTEXT=1
//   ./example_rapidjson_service
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include <connector_crypto/core.hpp>

namespace cc = connector_crypto;

// --- RapidJSON memory that is wiped when freed --------------------------------------------------

// A RapidJSON Allocator (the CrtAllocator's contract) that wipes every block before freeing it, and
// the old block when Realloc moves it: a block's size is kept in front of it, since Free() is
// given none. The counters show the example that plaintext buffers went through it.
class WipingAllocator {
 public:
  static const bool kNeedFree = true;

  void* Malloc(std::size_t size) {
    if (size == 0) return nullptr;
    auto* block = static_cast<unsigned char*>(std::malloc(kHeader + size));
    if (block == nullptr) return nullptr;
    std::memcpy(block, &size, sizeof size);
    return block + kHeader;
  }
  void* Realloc(void* original, std::size_t originalSize, std::size_t newSize) {
    if (newSize == 0) {
      Free(original);
      return nullptr;
    }
    void* fresh = Malloc(newSize);
    if (fresh != nullptr && original != nullptr) {
      std::memcpy(fresh, original, originalSize < newSize ? originalSize : newSize);
      Free(original);
    }
    return fresh;
  }
  static void Free(void* ptr) {
    if (ptr == nullptr) return;
    unsigned char* block = static_cast<unsigned char*>(ptr) - kHeader;
    std::size_t size = 0;
    std::memcpy(&size, block, sizeof size);
    cc::wipe(ptr, size);
    wipedBytes += size;
    std::free(block);
  }

  static inline std::size_t wipedBytes = 0;

 private:
  static constexpr std::size_t kHeader = alignof(std::max_align_t);
};

using Document =
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<WipingAllocator>,
                               WipingAllocator>;
using Value = Document::ValueType;
using Buffer = rapidjson::GenericStringBuffer<rapidjson::UTF8<>, WipingAllocator>;
using Writer = rapidjson::Writer<Buffer, rapidjson::UTF8<>, rapidjson::UTF8<>, WipingAllocator>;

// --- the service's helpers ----------------------------------------------------------------------

constexpr const char* kCollection = "connectorinstances";

// The workspace of the authenticated request (in a real service, from the request; never read from
// the document, which a database writer could re-parent).
constexpr const char* kRequestWorkspace = "6650f0c2a1b2c3d4e5f60718";

// The encryption context of a ConnectorInstance's credentials: docs/FORMAT.md's recommended context,
// with the document's _id (an ObjectId's hex, as the TypeScript services' JSON.stringify writes it)
// typed as every side types it. The one place to change if the record's context changes.
cc::EncryptionContext credentialsContext(const Value& instance) {
  const auto id = instance.FindMember("_id");
  if (id == instance.MemberEnd() || !id->value.IsString()) {
    throw std::runtime_error("instance: _id is not a string");
  }
  return cc::EncryptionContext{{"tenant", cc::typedObjectId(kRequestWorkspace)},
                               {"collection", kCollection},
                               {"field", "credentials"},
                               {"id", cc::typedObjectId(id->value.GetString())}};
}

// Overwrites, in place, every string (and number) of a DOM value that holds plaintext: for a DOM
// that lives on after its secrets are no longer needed (its pool is wiped only when it is freed).
void wipeStrings(Value& v) {
  if (v.IsString()) {
    cc::wipe(const_cast<char*>(v.GetString()), v.GetStringLength());
  } else if (v.IsNumber()) {
    v.SetInt(0);
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) wipeStrings(item);
  } else if (v.IsObject()) {
    for (auto& m : v.GetObject()) wipeStrings(m.value);
  }
}

// The member `name` of object, or an exception.
Value& member(Value& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) throw std::runtime_error(std::string("no member ") + name);
  return it->value;
}

// WRITE: the instance's credentials replaced by their envelope, bound to the record.
void sealCredentials(Document& instance, const cc::Keyring& keyring) {
  Value& credentials = member(instance, "credentials");
  std::string envelope;
  {
    Buffer text;  // the plaintext's text: wiped when freed, by the allocator
    Writer writer(text);
    if (!credentials.Accept(writer)) throw std::runtime_error("credentials: not serializable");
    envelope = cc::encryptCredentialsText(std::string_view(text.GetString(), text.GetSize()),
                                          keyring, credentialsContext(instance));
  }
  Document parsed(&instance.GetAllocator());  // the envelope parsed back, in the instance's pool
  parsed.Parse(envelope.data(), envelope.size());
  if (parsed.HasParseError()) throw std::runtime_error("envelope: not JSON");
  wipeStrings(credentials);  // the plaintext stays in the pool until the document is freed
  credentials.CopyFrom(parsed, instance.GetAllocator());
}

// READ-FOR-USE: the credentials of a stored instance, decrypted under the record's context and
// parsed into `out` (a Document with the wiping allocator). Legacy plaintext passes through.
void readCredentials(Document& stored, const cc::Keyring& keyring, Document& out) {
  Buffer text;
  Writer writer(text);
  if (!member(stored, "credentials").Accept(writer)) throw std::runtime_error("not serializable");
  const cc::SecretBuffer plain = cc::decryptCredentialsText(
      std::string_view(text.GetString(), text.GetSize()), keyring, credentialsContext(stored));
  out.Parse(plain.data(), plain.size());  // copies the strings into out's wiping pool
  if (out.HasParseError()) throw std::runtime_error("credentials: not JSON");
}

// --- the run ------------------------------------------------------------------------------------

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

std::string textOf(const Value& v) {
  Buffer text;
  Writer writer(text);
  v.Accept(writer);
  return std::string(text.GetString(), text.GetSize());
}

// The document as the service holds it (an HTTP request's body, a queue message).
constexpr const char* kInstance = R"({
  "_id": "6650f0c2a1b2c3d4e5f60719",
  "name": "Slack \u2013 \u65e5\u672c",
  "type": "oauth2",
  "credentials": {"access_token": "xoxb-example-access", "refresh_token": "xoxe-example-refresh",
                  "expires_at": "2026-12-06T21:00:00.000Z", "team": {"id": "T123", "name": "Ac\u0301me"},
                  "scopes": ["chat:write", "channels:read"], "installed_by": 42}
})";

}  // namespace

int main() {
  try {
    const cc::Keyring keyring = cc::keyringFromEnv();
    std::string stored;  // what the database holds
    std::string original;
    {
      Document instance;
      instance.Parse(kInstance);
      if (instance.HasParseError()) throw std::runtime_error("the sample is not JSON");
      original = textOf(member(instance, "credentials"));
      sealCredentials(instance, keyring);
      stored = textOf(instance);
      std::printf("stored: %s\n", stored.c_str());
      Value& envelope = member(instance, "credentials");
      check(envelope.IsObject() && member(envelope, "__enc").IsInt() &&
                member(envelope, "__enc").GetInt() == 1 && member(envelope, "ctx").IsArray(),
            "the credentials are a bound envelope, parsed back into the document");
      check(stored.find("xoxb") == std::string::npos, "the stored document holds no secret");
    }
    {
      Document read;
      read.Parse(stored.data(), stored.size());
      Document credentials;
      readCredentials(read, keyring, credentials);
      check(textOf(credentials) == original,
            "the credentials read back are the bytes Writer wrote (member order included)");
      check(std::string(member(credentials, "access_token").GetString()) == "xoxb-example-access",
            "the access token is usable");
      wipeStrings(credentials);
      check(std::string(member(credentials, "access_token").GetString()).empty(),
            "wipeStrings overwrote the token in place");
    }
    check(WipingAllocator::wipedBytes > 0,
          "RapidJSON's buffers went through the wiping allocator (" +
              std::to_string(WipingAllocator::wipedBytes) + " bytes wiped)");
    cc::wipe(original.data(), original.size());  // the example's own copy

    // The envelope in another record (another _id) does not open there.
    Document swapped;
    swapped.Parse(stored.data(), stored.size());
    member(swapped, "_id").SetString("6650f0c2a1b2c3d4e5f6071a", swapped.GetAllocator());
    bool refused = false;
    try {
      Document ignored;
      readCredentials(swapped, keyring, ignored);
    } catch (const cc::Error& e) {
      refused = e.code() == cc::ErrorCode::kAuthentication;
    }
    check(refused, "an envelope copied into another record fails (kAuthentication)");
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", failures == 0 ? "RapidJSON service OK" : "RapidJSON service FAILED");
  return failures == 0 ? 0 : 1;
}
