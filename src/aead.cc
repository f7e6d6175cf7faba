// AES-256-GCM through OpenSSL EVP; call order and output wiping follow tink-cc aead/internal/ssl_aead.cc.
#include "aead.hpp"

#include <climits>

#include <openssl/crypto.h>

#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"

namespace connector_crypto {
namespace detail {
namespace {

[[noreturn]] void fail(const char* what) { throw Error(std::string("AES-256-GCM: ") + what); }

// OpenSSL takes int lengths; the envelope limit keeps every input far below INT_MAX.
int checkedLength(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) fail("input too large");
  return static_cast<int>(n);
}

SslUniquePtr<EVP_CIPHER_CTX> newContext(ByteView key, bool encrypt) {
  if (key.size != kKeyBytes) fail("key must be 32 bytes");
  SslUniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) fail("EVP_CIPHER_CTX_new failed");
  // Cipher first, then the IV length, then the key; the IV is set per message.
  if (EVP_CipherInit_ex(ctx.get(), aes256GcmCipher(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kIvBytes), nullptr) !=
          1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data, nullptr, encrypt ? 1 : 0) != 1) {
    fail("context setup failed");
  }
  return ctx;
}

}  // namespace

const EVP_CIPHER* aes256GcmCipher() {
  static const SslUniquePtr<EVP_CIPHER> cipher(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (!cipher) fail("EVP_CIPHER_fetch found no implementation");
  return cipher.get();
}

Aes256Gcm::Aes256Gcm(ByteView key) : enc_(newContext(key, true)), dec_(newContext(key, false)) {}

void Aes256Gcm::seal(ByteView iv, ByteView aad, ByteView plaintext, std::uint8_t* out) {
  if (iv.size != kIvBytes) fail("IV must be 12 bytes");
  EVP_CIPHER_CTX* ctx = enc_.get();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data) != 1) fail("setting the IV failed");
  if (aad.size > 0 &&
      EVP_EncryptUpdate(ctx, nullptr, &len, aad.data, checkedLength(aad.size)) != 1) {
    fail("associated data failed");
  }
  int written = 0;
  if (plaintext.size > 0) {
    if (EVP_EncryptUpdate(ctx, out, &len, plaintext.data, checkedLength(plaintext.size)) != 1) {
      fail("encryption failed");
    }
    written = len;
  }
  if (EVP_EncryptFinal_ex(ctx, out + written, &len) != 1) fail("finalizing encryption failed");
  written += len;
  if (static_cast<std::size_t>(written) != plaintext.size) fail("unexpected ciphertext length");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), out + written) !=
      1) {
    fail("reading the tag failed");
  }
}

bool Aes256Gcm::open(ByteView iv, ByteView aad, ByteView sealed, std::uint8_t* out) {
  if (iv.size != kIvBytes) fail("IV must be 12 bytes");
  if (sealed.size < kTagBytes) return false;
  const std::size_t ctSize = sealed.size - kTagBytes;
  EVP_CIPHER_CTX* ctx = dec_.get();
  int len = 0;
  bool ok = EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data) == 1;
  if (ok && aad.size > 0) {
    ok = EVP_DecryptUpdate(ctx, nullptr, &len, aad.data, checkedLength(aad.size)) == 1;
  }
  int written = 0;
  if (ok && ctSize > 0) {
    ok = EVP_DecryptUpdate(ctx, out, &len, sealed.data, checkedLength(ctSize)) == 1;
    written = len;
  }
  // The tag goes in before Final, which compares it in constant time.
  std::uint8_t tag[kTagBytes];
  for (std::size_t i = 0; i < kTagBytes; ++i) tag[i] = sealed.data[ctSize + i];
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag) == 1;
  ok = ok && EVP_DecryptFinal_ex(ctx, out + written, &len) == 1;
  if (!ok) {
    // Unauthenticated plaintext never leaves this function.
    if (ctSize > 0) OPENSSL_cleanse(out, ctSize);
    return false;
  }
  return true;
}

}  // namespace detail
}  // namespace connector_crypto
