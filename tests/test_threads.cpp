// A shared keyring used from several threads at once (also run under ThreadSanitizer).
#include <atomic>
#include <thread>

#include "test_support.hpp"

using namespace test_support;

TEST_CASE("one keyring shared by several threads") {
  const auto k = keyringV1V2("v2");
  const nlohmann::json old = connector_crypto::encryptCredentials({{"t", "old"}},
                                                                  keyringV1());
  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const nlohmann::json plain = {{"thread", t}, {"round", i}, {"secret", "s3cr3t"}};
        const nlohmann::json e = connector_crypto::encryptCredentials(plain, k);
        if (connector_crypto::decryptCredentials(e, k) != plain) failures++;
        if (connector_crypto::decryptCredentials(old, k) != nlohmann::json{{"t", "old"}}) failures++;
        if (k.fingerprint("v1") != kFingerprintA) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  const auto stats = k.stats();
  CHECK(stats.perKid.at("v2").encryptions == kThreads * kRounds);
  CHECK(stats.perKid.at("v2").decryptions == kThreads * kRounds);
  CHECK(stats.perKid.at("v1").decryptions == kThreads * kRounds);
}

TEST_CASE("keyrings built and dropped while others are in use") {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        const auto k = (i % 2 == 0) ? keyringV1() : keyringV1V2("v1");
        const nlohmann::json plain = {{"i", i}};
        if (connector_crypto::decryptCredentials(connector_crypto::encryptCredentials(plain, k), k) !=
            plain) {
          failures++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
}
