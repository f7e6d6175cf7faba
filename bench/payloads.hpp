// The benchmark payloads, defined once; bench_cc --write-payloads=DIR writes them for the node peer.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bench {

// The key every benchmark seals under (base64 of bytes 0..31; kid "v1").
inline const std::string kKeyV1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

struct Payload {
  std::string name;       // benchmark argument label, e.g. "small", "ascii/65536"
  nlohmann::json value;   // the credentials value
  std::size_t bytes = 0;  // size of value.dump()
};

// The 583-byte OAuth payload.
inline nlohmann::json smallPayload() {
  return {{"type", "oauth2"},
          {"client_id", std::string(40, 'a')},
          {"client_secret", std::string(48, 'b')},
          {"access_token", "ya29." + std::string(180, 'c')},
          {"refresh_token", "1//" + std::string(100, 'd')},
          {"expires_at", 1764345600000},
          {"scope", "https://www.googleapis.com/auth/drive.readonly openid email"},
          {"token_type", "Bearer"}};
}

// {"blob":"x"...} whose compact JSON is exactly n bytes (n >= 11); n = 65547 is the 64 KiB
// payload {"blob":"x"*65536}.
inline nlohmann::json asciiPayload(std::size_t n) { return {{"blob", std::string(n - 11, 'x')}}; }

// Non-ASCII text (2-, 3- and 4-byte UTF-8) of about n bytes.
inline nlohmann::json nonAsciiPayload(std::size_t n) {
  const std::string unit = "Grüße, 東京 — naïve café 🙂; ";
  std::string text;
  while (text.size() + unit.size() + 11 <= n) text += unit;
  return {{"text", text}};
}

// About n bytes of many small keys: {"k00000":"v","k00001":1,...}.
inline nlohmann::json manyKeysPayload(std::size_t n) {
  nlohmann::json out = nlohmann::json::object();
  std::size_t size = 2;  // the braces
  for (std::size_t i = 0;; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "k%05zu", i);
    nlohmann::json v = (i % 2 == 0) ? nlohmann::json("v") : nlohmann::json(i);
    const std::size_t entry = 9 + v.dump().size() + (i == 0 ? 0 : 1);
    if (size + entry > n) break;
    out[key] = std::move(v);
    size += entry;
  }
  return out;
}

// Deep nesting (100 levels of {"a":[...]}) repeated in an array up to about n bytes.
inline nlohmann::json deepPayload(std::size_t n) {
  nlohmann::json chain = "leaf";
  for (int i = 0; i < 100; ++i) chain = nlohmann::json{{"a", nlohmann::json::array({chain, i})}};
  const std::size_t chainBytes = chain.dump().size();
  nlohmann::json out = nlohmann::json::array();
  do {
    out.push_back(chain);
  } while ((out.size() + 1) * (chainBytes + 1) + 1 <= n);
  return out;
}

inline Payload make(std::string name, nlohmann::json value) {
  const std::size_t bytes = value.dump().size();
  return {std::move(name), std::move(value), bytes};
}

// Sizes of the sweep: 64 B to 1 MiB, x4.
inline const std::vector<std::size_t>& sweepSizes() {
  static const std::vector<std::size_t> sizes{64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};
  return sizes;
}

// Every payload, in a fixed order: small, 64k, the ASCII sweep, then the shapes at 4 KiB and 64 KiB.
inline const std::vector<Payload>& all() {
  static const std::vector<Payload> payloads = [] {
    std::vector<Payload> out;
    out.push_back(make("small", smallPayload()));
    out.push_back(make("64k", asciiPayload(65536 + 11)));
    for (std::size_t n : sweepSizes()) out.push_back(make("ascii/" + std::to_string(n), asciiPayload(n)));
    for (std::size_t n : {std::size_t{4096}, std::size_t{65536}}) {
      out.push_back(make("nonascii/" + std::to_string(n), nonAsciiPayload(n)));
      out.push_back(make("manykeys/" + std::to_string(n), manyKeysPayload(n)));
      out.push_back(make("deep/" + std::to_string(n), deepPayload(n)));
    }
    return out;
  }();
  return payloads;
}

}  // namespace bench
