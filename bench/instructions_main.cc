// Runs one operation of the value API N times on a bench payload, for an instruction count under
// callgrind (bench/count_instructions.sh): a measure that, unlike time, no load and no code
// placement moves. Uses only the public API, so the same file builds against older releases.
// Usage: bench_instructions encrypt|decrypt|is_encrypted PAYLOAD N   (PAYLOAD as in bench_cc)
// With BENCH_KEYRING=env the keyring is keyringFromEnv()'s, as a service builds it (for example
// with CONNECTOR_CRED_RELOAD_SECONDS set: the hot path of a reloading keyring).
#include <cstdlib>
#include <iostream>
#include <string>

#include "connector_crypto/connector_crypto.hpp"
#include "payloads.hpp"

int main(int argc, char** argv) {
  namespace cc = connector_crypto;
  if (argc != 4) {
    std::cerr << "usage: bench_instructions encrypt|decrypt|is_encrypted PAYLOAD N\n";
    return 2;
  }
  const std::string operation = argv[1];
  const std::string name = argv[2];
  const long n = std::atol(argv[3]);
  const bench::Payload* payload = nullptr;
  for (const auto& p : bench::all()) {
    if (p.name == name) payload = &p;
  }
  if (payload == nullptr || n < 0) {
    std::cerr << "bench_instructions: no payload named " << name << " (or N < 0)\n";
    return 2;
  }
  const char* source = std::getenv("BENCH_KEYRING");
  const cc::Keyring keyring = source != nullptr && std::string(source) == "env"
                                  ? cc::keyringFromEnv()
                                  : cc::Keyring::fromBase64({{"v1", bench::kKeyV1}}, "v1");
  const nlohmann::json stored = cc::encryptCredentials(payload->value, keyring);
  enum class Operation { encrypt, decrypt, isEncrypted };
  Operation op;
  if (operation == "encrypt") {
    op = Operation::encrypt;
  } else if (operation == "decrypt") {
    op = Operation::decrypt;
  } else if (operation == "is_encrypted") {
    op = Operation::isEncrypted;
  } else {
    std::cerr << "bench_instructions: unknown operation " << operation << "\n";
    return 2;
  }
  std::size_t sink = 0;  // keeps every result observable
  for (long i = 0; i < n; ++i) {
    switch (op) {
      case Operation::encrypt:
        sink += cc::encryptCredentials(payload->value, keyring).size();
        break;
      case Operation::decrypt:
        sink += cc::decryptCredentials(stored, keyring).size();
        break;
      case Operation::isEncrypted:
        sink += cc::isEncrypted(stored) ? 1 : 0;
        break;
    }
  }
  std::cout << sink << "\n";
  return 0;
}
