// Google Benchmark of the library: encrypt/decrypt (unbound, bound, text) on the payloads
// and a size sweep, raw EVP seal of the same bytes, isEncrypted, threaded round trips, the rewrap
// pipeline, the codec parts, and a reloading keyring beside a static one.
// Run `bench_cc --write-payloads=DIR` to write the payloads for the node peer
// (bench/side_by_side.sh).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <unistd.h>

#include "base64_fast.hpp"
#include "connector_crypto/connector_crypto.hpp"
#include "json_codec.hpp"
#include "payloads.hpp"

namespace {

namespace cc = connector_crypto;

using bench::kKeyV1;
const std::string kKeyV2 = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

const cc::Keyring& keyring() {
  static const cc::Keyring k = cc::Keyring::fromBase64({{"v1", kKeyV1}}, "v1");
  return k;
}

const bench::Payload& payload(std::size_t i) { return bench::all().at(i); }

// A keyring that binds (bindContext) and the recommended context of docs/FORMAT.md: what a bound
// envelope costs beside an unbound one (the AAD, 173 bytes here, and the ctx member).
const cc::Keyring& bindingKeyring() {
  static const cc::Keyring k = [] {
    cc::KeyringOptions options;
    options.bindContext = true;
    return cc::Keyring::fromBase64({{"v1", kKeyV1}}, "v1", options);
  }();
  return k;
}
const cc::EncryptionContext& recordContext() {
  static const cc::EncryptionContext context{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                             {"collection", "connectorinstances"},
                                             {"field", "credentials"},
                                             {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  return context;
}

void encrypt(benchmark::State& state, std::size_t i) {
  const nlohmann::json& plain = payload(i).value;
  for (auto _ : state) benchmark::DoNotOptimize(cc::encryptCredentials(plain, keyring()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload(i).bytes));
}

void decrypt(benchmark::State& state, std::size_t i) {
  const nlohmann::json stored = cc::encryptCredentials(payload(i).value, keyring());
  if (cc::decryptCredentials(stored, keyring()) != payload(i).value) {
    state.SkipWithError("round trip mismatch");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(cc::decryptCredentials(stored, keyring()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload(i).bytes));
}

void encryptBound(benchmark::State& state, std::size_t i) {
  const nlohmann::json& plain = payload(i).value;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cc::encryptCredentials(plain, bindingKeyring(), recordContext()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload(i).bytes));
}

void decryptBound(benchmark::State& state, std::size_t i) {
  const nlohmann::json stored =
      cc::encryptCredentials(payload(i).value, bindingKeyring(), recordContext());
  if (!stored.contains("ctx") ||
      cc::decryptCredentials(stored, bindingKeyring(), recordContext()) != payload(i).value) {
    state.SkipWithError("bound round trip mismatch");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(cc::decryptCredentials(stored, bindingKeyring(), recordContext()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload(i).bytes));
}

// The text API on the payload's compact JSON text: no value is built on either side.
void encryptText(benchmark::State& state, std::size_t i) {
  const std::string text = payload(i).value.dump();
  for (auto _ : state) benchmark::DoNotOptimize(cc::encryptCredentialsText(text, keyring()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload(i).bytes));
}

void decryptText(benchmark::State& state, std::size_t i) {
  const std::string text = payload(i).value.dump();
  const std::string stored = cc::encryptCredentialsText(text, keyring());
  const cc::SecretBuffer back = cc::decryptCredentialsText(stored, keyring());
  if (std::string(back.data(), back.size()) != text) {
    state.SkipWithError("round trip mismatch");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(cc::decryptCredentialsText(stored, keyring()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload(i).bytes));
}

// AES-256-GCM seal of the payload's compact JSON bytes on one reused EVP context: the floor any
// envelope encryption pays (IV from a counter here; no JSON, no random, no base64).
void rawEvpSeal(benchmark::State& state, std::size_t i) {
  const std::string text = payload(i).value.dump();
  std::vector<unsigned char> key(32, 0x42), iv(12, 0), out(text.size() + 16);
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, cipher, nullptr, key.data(), nullptr);
  std::uint64_t counter = 0;
  for (auto _ : state) {
    std::memcpy(iv.data(), &++counter, sizeof counter);
    int len = 0, fin = 0;
    EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data());
    EVP_EncryptUpdate(ctx, out.data(), &len, reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + len, &fin);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + text.size());
    benchmark::DoNotOptimize(out.data());
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// The codec parts on their own, for the profile table.
void jsonParse(benchmark::State& state, std::size_t i) {
  const std::string text = payload(i).value.dump();
  for (auto _ : state) {
    nlohmann::json out;
    if (!cc::detail::parseJson(text.data(), text.size(), out)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(out);
  }
}

void jsonDump(benchmark::State& state, std::size_t i) {
  for (auto _ : state) benchmark::DoNotOptimize(cc::detail::serializeJson(payload(i).value));
}

void base64Decode(benchmark::State& state, std::size_t i) {
  const nlohmann::json stored = cc::encryptCredentials(payload(i).value, keyring());
  const std::string& ct = stored["ct"].get_ref<const std::string&>();
  std::vector<std::uint8_t> out(cc::detail::base64DecodedLength(ct));
  for (auto _ : state) {
    benchmark::DoNotOptimize(cc::detail::base64DecodeFastTo(ct, out.data()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * ct.size()));
}

void base64Encode(benchmark::State& state, std::size_t i) {
  const std::string text = payload(i).value.dump();
  for (auto _ : state) {
    benchmark::DoNotOptimize(cc::detail::base64EncodeFast(
        reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void isEncryptedEnvelope(benchmark::State& state) {
  const nlohmann::json stored = cc::encryptCredentials(payload(0).value, keyring());
  for (auto _ : state) benchmark::DoNotOptimize(cc::isEncrypted(stored));
}

void isEncryptedPlain(benchmark::State& state) {
  const nlohmann::json& plain = payload(0).value;
  for (auto _ : state) benchmark::DoNotOptimize(cc::isEncrypted(plain));
}

// A keyring that follows its keys file (keyringFromEnv, reload every second, as
// CONNECTOR_CRED_RELOAD_SECONDS=1), holding the key of keyring(): the hot path of a service with
// automatic reload on, every call checking whether the interval elapsed.
const cc::Keyring& reloadingKeyring() {
  static const cc::Keyring k = [] {
    static std::string keysFile;
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/bench-keys-XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    static std::string folder = name.data();
    keysFile = folder + "/keys.json";
    std::ofstream(keysFile) << "{\"v1\":\"" << kKeyV1 << "\"}\n";
    std::atexit([] {
      std::remove(keysFile.c_str());
      ::rmdir(folder.c_str());
    });
    const cc::EnvLookup lookup = [](const std::string& var) -> std::optional<std::string> {
      if (var == "CONNECTOR_CRED_KEYS_FILE") return keysFile;
      if (var == "CONNECTOR_CRED_ACTIVE_KID") return std::string("v1");
      return std::nullopt;
    };
    return cc::keyringFromEnv(lookup, std::chrono::seconds(1));
  }();
  return k;
}

// encrypt / decrypt of the small payload under the static keyring() or the reloading one; run
// with 1 and 2 threads on the one shared keyring.
void keyringEncrypt(benchmark::State& state, bool reloading) {
  const cc::Keyring& k = reloading ? reloadingKeyring() : keyring();
  const nlohmann::json& plain = payload(0).value;
  for (auto _ : state) benchmark::DoNotOptimize(cc::encryptCredentials(plain, k));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void keyringDecrypt(benchmark::State& state, bool reloading) {
  const cc::Keyring& k = reloading ? reloadingKeyring() : keyring();
  const nlohmann::json stored = cc::encryptCredentials(payload(0).value, k);
  if (cc::decryptCredentials(stored, k) != payload(0).value) {
    state.SkipWithError("round trip mismatch");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(cc::decryptCredentials(stored, k));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// encrypt + decrypt of the small payload; run with 1 and 2 threads on one shared keyring.
void roundTrip(benchmark::State& state) {
  const nlohmann::json& plain = payload(0).value;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        cc::decryptCredentials(cc::encryptCredentials(plain, keyring()), keyring()));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// Keyrings and one mongoexport line with v1 credentials, for the rewrap benchmarks.
struct RewrapFixture {
  cc::Keyring v1 = cc::Keyring::fromBase64({{"v1", kKeyV1}}, "v1");
  cc::Keyring v1v2 = cc::Keyring::fromBase64({{"v1", kKeyV1}, {"v2", kKeyV2}}, "v2");
  std::string line = nlohmann::json{{"_id", {{"$oid", "65f1a2b3c4d5e6f708192a3b"}}},
                                    {"name", "Google Drive (marketing)"},
                                    {"provider", "google-drive"},
                                    {"credentials", cc::encryptCredentials(payload(0).value, v1)}}
                         .dump();
};

const RewrapFixture& rewrapFixture() {
  static const RewrapFixture fixture;
  return fixture;
}

// The library half of `connector-crypto rewrap`: one mongoexport line in, parsed, its credentials
// rewrapped from v1 to v2, dumped.
void rewrapLine(benchmark::State& state) {
  const RewrapFixture& f = rewrapFixture();
  for (auto _ : state) {
    nlohmann::json d = nlohmann::json::parse(f.line);
    d["credentials"] = cc::rewrapCredentials(d["credentials"], f.v1v2);
    benchmark::DoNotOptimize(d.dump());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// The same pipeline through the library's internal codec (simdjson parse, fast dump), as the CLI
// can do by linking connector_crypto_internal.
void rewrapLineFastCodec(benchmark::State& state) {
  const RewrapFixture& f = rewrapFixture();
  for (auto _ : state) {
    nlohmann::json d;
    if (!cc::detail::parseJson(f.line.data(), f.line.size(), d))
      state.SkipWithError("parse failed");
    d["credentials"] = cc::rewrapCredentials(d["credentials"], f.v1v2);
    benchmark::DoNotOptimize(cc::detail::serializeJson(d));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

bool writePayloads(const std::string& dir) {
  std::ofstream index(dir + "/index.txt");
  for (const bench::Payload& p : bench::all()) {
    std::string file = p.name;
    for (char& c : file) {
      if (c == '/') c = '_';
    }
    std::ofstream out(dir + "/" + file + ".json", std::ios::binary);
    out << p.value.dump();
    index << p.name << ' ' << file << ".json " << p.bytes << '\n';
    if (!out) return false;
  }
  return static_cast<bool>(index);
}

void registerAll() {
  const auto& payloads = bench::all();
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const std::string& n = payloads[i].name;
    benchmark::RegisterBenchmark(("encrypt/" + n).c_str(), encrypt, i);
    benchmark::RegisterBenchmark(("decrypt/" + n).c_str(), decrypt, i);
    benchmark::RegisterBenchmark(("evp_seal/" + n).c_str(), rawEvpSeal, i);
    benchmark::RegisterBenchmark(("encrypt_text/" + n).c_str(), encryptText, i);
    benchmark::RegisterBenchmark(("decrypt_text/" + n).c_str(), decryptText, i);
    benchmark::RegisterBenchmark(("encrypt_bound/" + n).c_str(), encryptBound, i);
    benchmark::RegisterBenchmark(("decrypt_bound/" + n).c_str(), decryptBound, i);
  }
  for (std::size_t i : {std::size_t{0}, std::size_t{1}}) {
    const std::string& n = payloads[i].name;
    benchmark::RegisterBenchmark(("json_parse/" + n).c_str(), jsonParse, i);
    benchmark::RegisterBenchmark(("json_dump/" + n).c_str(), jsonDump, i);
    benchmark::RegisterBenchmark(("base64_decode/" + n).c_str(), base64Decode, i);
    benchmark::RegisterBenchmark(("base64_encode/" + n).c_str(), base64Encode, i);
  }
  benchmark::RegisterBenchmark("is_encrypted/envelope", isEncryptedEnvelope);
  benchmark::RegisterBenchmark("is_encrypted/plain", isEncryptedPlain);
  benchmark::RegisterBenchmark("round_trip/small", roundTrip)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
  for (const bool reloading : {false, true}) {
    const std::string prefix = reloading ? "keyring_reloading/" : "keyring_static/";
    benchmark::RegisterBenchmark((prefix + "encrypt/small").c_str(), keyringEncrypt, reloading)
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime();
    benchmark::RegisterBenchmark((prefix + "decrypt/small").c_str(), keyringDecrypt, reloading)
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("rewrap_line/small", rewrapLine);
  benchmark::RegisterBenchmark("rewrap_line_fast_codec/small", rewrapLineFastCodec);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string flag = "--write-payloads=";
  if (argc == 2 && std::strncmp(argv[1], flag.c_str(), flag.size()) == 0) {
    return writePayloads(argv[1] + flag.size()) ? 0 : 1;
  }
  registerAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
