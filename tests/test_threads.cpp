// A shared keyring used from several threads at once, also while it reloads (run under
// ThreadSanitizer).
#include <array>
#include <atomic>
#include <thread>

#include "connector_crypto/keygen.hpp"
#include "reload_support.hpp"
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

TEST_CASE("a keyring reloading while threads encrypt and decrypt without pause") {
  // The folder cycles stage -> activate -> retire (Kubernetes ..data swaps); the shared keyring
  // follows by explicit reloads and by its own 20 ms automatic check, concurrently. No call fails,
  // and every envelope written opens under the configuration that holds its kid.
  using reload_support::Version;
  constexpr int kCycles = 100;  // 300 changes of the files
  constexpr int kWorkers = 2;
  reload_support::KeyFolder folder("threads");
  std::map<std::string, std::string> allKeys = {{"k0", connector_crypto::generateKeyBase64()}};
  folder.projectVersion(Version{allKeys, "k0"});
  const auto k =
      connector_crypto::keyringFromEnv(envOf(folder.env()), std::chrono::milliseconds(20));

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::array<std::atomic<std::uint64_t>, kWorkers> rounds{};
  std::vector<std::vector<std::pair<nlohmann::json, nlohmann::json>>> written(kWorkers);
  std::vector<std::thread> workers;
  for (int t = 0; t < kWorkers; ++t) {
    workers.emplace_back([&, t] {
      for (std::uint64_t i = 0; !stop.load(); ++i) {
        const nlohmann::json plain = {{"thread", t}, {"round", i}};
        try {
          const nlohmann::json e = connector_crypto::encryptCredentials(plain, k);
          if (connector_crypto::decryptCredentials(e, k) != plain) failures++;
          if (i % 64 == 0) written[static_cast<std::size_t>(t)].emplace_back(e, plain);
        } catch (const std::exception&) {
          failures++;
        }
        rounds[static_cast<std::size_t>(t)].fetch_add(1);
      }
    });
  }
  // Waits until every worker has finished a round begun after this call (the runbook's gate:
  // nothing still writes under the old kid).
  const auto gate = [&] {
    std::array<std::uint64_t, kWorkers> seen{};
    for (int t = 0; t < kWorkers; ++t)
      seen[static_cast<std::size_t>(t)] = rounds[static_cast<std::size_t>(t)].load();
    for (int t = 0; t < kWorkers; ++t) {
      while (rounds[static_cast<std::size_t>(t)].load() < seen[static_cast<std::size_t>(t)] + 2)
        std::this_thread::yield();
    }
  };
  // Projects v and reloads until the keyring holds it.
  const auto apply = [&](const Version& v) {
    folder.projectVersion(v);
    const std::string expected = v.fingerprint();
    for (int attempt = 0; attempt < 100 && k.configFingerprint() != expected; ++attempt) k.reload();
    if (k.configFingerprint() != expected) failures++;
  };
  for (int c = 0; c < kCycles; ++c) {
    const std::string old = "k" + std::to_string(c);
    const std::string next = "k" + std::to_string(c + 1);
    allKeys[next] = connector_crypto::generateKeyBase64();
    apply(Version{{{old, allKeys[old]}, {next, allKeys[next]}}, old});   // stage
    apply(Version{{{old, allKeys[old]}, {next, allKeys[next]}}, next});  // activate
    gate();
    apply(Version{{{next, allKeys[next]}}, next});  // retire
  }
  stop = true;
  for (auto& th : workers) th.join();
  CHECK(failures == 0);
  const auto stats = k.stats();
  CHECK(stats.reloadsChanged >= 3 * kCycles);
  CHECK(k.activeKid() == "k" + std::to_string(kCycles));
  // Every envelope opens under the configuration of every key written (each holds its kid).
  const auto everything = connector_crypto::Keyring::fromBase64(allKeys, "k0");
  std::size_t opened = 0;
  for (const auto& list : written) {
    for (const auto& [envelope, plain] : list) {
      CHECK(connector_crypto::decryptCredentials(envelope, everything) == plain);
      ++opened;
    }
  }
  CHECK(opened > 0);
}
