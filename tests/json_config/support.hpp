// The json_config consumer's helpers: failure counting, typed-error expectations, fixed test keys
// and a sealer of raw plaintext bytes. Public headers and OpenSSL only (the installed package).
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <iostream>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <connector_crypto/connector_crypto.hpp>

namespace consumer {

namespace cc = connector_crypto;

// The test keys of tests/test_support.hpp (bytes 0..31 and 32 x 0x42; public test vectors).
inline const std::string kKeyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline const std::string kKeyB = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

inline int failures = 0;

// Counts and prints a failed check.
inline void check(bool ok, const std::string& what) {
  if (ok) return;
  ++failures;
  std::cerr << "FAIL " << what << "\n";
}

using Code = cc::ErrorCode;

// Runs fn and requires exactly the connector_crypto::Error class `type` with `code`, and a message
// without `hidden` (a secret or a context value; empty: not checked); no exception, another class
// or code, or any other exception (a nlohmann one above all) is a failure.
template <typename Fn>
void expectErrorHiding(const std::string& what, const std::type_info& type, cc::ErrorCode code,
                       const std::string& hidden, Fn&& fn) {
  try {
    fn();
    check(false, what + ": no exception");
  } catch (const cc::Error& e) {
    check(typeid(e) == type, what + ": threw " + typeid(e).name() + ": " + e.what());
    check(e.code() == code, what + ": code " + cc::errorCodeName(e.code()));
    check(hidden.empty() || std::string(e.what()).find(hidden) == std::string::npos,
          what + ": the message holds what it must not show");
  } catch (const nlohmann::json::exception& e) {
    check(false, what + ": a nlohmann exception escaped (id " + std::to_string(e.id) + ")");
  } catch (const std::exception& e) {
    check(false, what + ": a std::exception escaped: " + e.what());
  }
}

// expectErrorHiding without a message check.
template <typename Fn>
void expectError(const std::string& what, const std::type_info& type, cc::ErrorCode code, Fn&& fn) {
  expectErrorHiding(what, type, code, std::string(), std::forward<Fn>(fn));
}

// The member names of an object in iteration order, comma-separated.
template <typename BasicJson>
std::string memberNames(const BasicJson& object) {
  std::string out;
  for (const auto& item : object.items()) out += (out.empty() ? "" : ",") + item.key();
  return out;
}

// Standard base64, through OpenSSL.
inline std::string base64(const std::vector<unsigned char>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&out[0]), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// An envelope under kid over arbitrary plaintext bytes (JSON or not), sealed here with AES-256-GCM
// under a fixed IV: the library seals only JSON it wrote, and decrypt must also meet other bytes.
template <typename BasicJson>
BasicJson sealRaw(const std::string& keyBase64, const std::string& kid, const std::string& plain) {
  unsigned char key[33];  // EVP_DecodeBlock writes the padding's byte too
  const int keyBytes =
      EVP_DecodeBlock(key, reinterpret_cast<const unsigned char*>(keyBase64.data()),
                      static_cast<int>(keyBase64.size()));
  check(keyBytes == 33, "sealRaw: key");
  const std::vector<unsigned char> iv(cc::kIvBytes, 0x24);
  std::vector<unsigned char> sealed(plain.size() + cc::kTagBytes);
  const std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                            &EVP_CIPHER_CTX_free);
  int n = 0, tail = 0;
  const bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, iv.data()) == 1 &&
      EVP_EncryptUpdate(ctx.get(), sealed.data(), &n,
                        reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), sealed.data() + n, &tail) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(cc::kTagBytes),
                          sealed.data() + plain.size()) == 1;
  check(ok && static_cast<std::size_t>(n + tail) == plain.size(), "sealRaw: OpenSSL");
  BasicJson envelope = BasicJson::object();
  envelope["__enc"] = 1;
  envelope["kid"] = kid;
  envelope["iv"] = base64(iv);
  envelope["ct"] = base64(sealed);
  return envelope;
}

}  // namespace consumer
