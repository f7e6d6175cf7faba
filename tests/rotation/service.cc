// A stand-in for a service that links the library, for tests/rotation/*.sh: the public API only,
// configured as a service is (keyringFromEnv: CONNECTOR_CRED_KEYS_FILE,
// CONNECTOR_CRED_ACTIVE_KID_FILE, CONNECTOR_CRED_RELOAD_SECONDS), and never restarted.
//
// Its "database" is a folder of records, one file each (DB/<oid>.json, a mongoexport line:
// {"_id":{"$oid":…},"name":NAME,"credentials":<envelope>}, replaced by rename). In a loop it serves
// one write request (encrypt {"token":NAME,…} into one of its own slots) and one read request
// (decrypt a record written by any instance or by the operator, and check that its token is the
// record's name), and publishes what it holds in DB/<name>.status (rewritten by rename): pid,
// configuration fingerprint, counters, reloads. Every failed request is counted and described in
// DB/<name>.log. SIGHUP calls Keyring::reload() (the README's recipe); DB/stop or SIGTERM ends it.
//
// usage: rotation_service DB NAME INDEX INSTANCES SLOTS COLD [PERIOD_MS]
//        rotation_service --fingerprint   (prints keyringFromEnv().configFingerprint())
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "connector_crypto/connector_crypto.hpp"

namespace {

namespace cc = connector_crypto;

volatile std::sig_atomic_t gReload = 0;
volatile std::sig_atomic_t gStop = 0;

extern "C" void onHup(int) { gReload = 1; }
extern "C" void onTerm(int) { gStop = 1; }

// The _id of record slot of instance index (0: the operator's cold records), as the script
// spells it: 65a1b2c3d4e5f6, the index, the slot on 9 digits.
std::string oidOf(int index, int slot) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "65a1b2c3d4e5f6%01d%09d", index, slot);
  return buf;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// Replaces path by text, by rename (readers see the old file or the new one, never a part).
bool replaceFile(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return false;
  }
  return std::rename(temp.c_str(), path.c_str()) == 0;
}

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Service {
  std::string db, name;
  int index = 0, instances = 0, slots = 0, cold = 0;
  cc::Keyring keyring;
  std::uint64_t writes = 0, reads = 0, failed = 0, seq = 0;
  std::ofstream log;

  void failure(const std::string& what) {
    ++failed;
    log << what << std::endl;
  }

  void write() {
    const int slot = static_cast<int>(seq % static_cast<std::uint64_t>(slots));
    const std::string record = name + "-" + std::to_string(slot);
    const nlohmann::json plain = {{"token", record}, {"n", seq}, {"by", name}};
    ++seq;
    try {
      const nlohmann::json doc = {{"_id", {{"$oid", oidOf(index, slot)}}},
                                  {"name", record},
                                  {"credentials", cc::encryptCredentials(plain, keyring)}};
      if (!replaceFile(db + "/" + oidOf(index, slot) + ".json", doc.dump() + "\n")) {
        failure("write " + record + ": cannot write the record file");
        return;
      }
      ++writes;
    } catch (const cc::Error& e) {
      failure("write " + record + ": " + e.what());
    }
  }

  void read(std::mt19937& random) {
    const int total = cold + instances * slots;
    const int r = static_cast<int>(random() % static_cast<unsigned>(total));
    const std::string oid =
        r < cold ? oidOf(0, r) : oidOf(1 + (r - cold) / slots, (r - cold) % slots);
    const std::string path = db + "/" + oid + ".json";
    if (!exists(path)) return;  // not written yet
    const nlohmann::json doc = nlohmann::json::parse(readText(path), nullptr, false);
    if (doc.is_discarded() || !doc.contains("credentials") || !doc.contains("name")) {
      failure("read " + oid + ": the record file is not a whole record");
      return;
    }
    try {
      const nlohmann::json plain = cc::decryptCredentials(doc["credentials"], keyring);
      if (!plain.is_object() || plain.value("token", "") != doc["name"]) {
        failure("read " + oid + ": decrypted to another record's credentials");
        return;
      }
      ++reads;
    } catch (const cc::Error& e) {
      failure("read " + oid + ": " + e.what());
    }
  }

  void publishStatus() {
    const cc::KeyringStats stats = keyring.stats();
    std::ostringstream s;
    s << "pid " << ::getpid() << "\nfingerprint " << keyring.configFingerprint() << "\nactive "
      << keyring.activeKid() << "\nwrites " << writes << "\nreads " << reads << "\nfailed "
      << failed << "\nreloads " << stats.reloads << "\nreloads_changed " << stats.reloadsChanged
      << "\nreload_failures " << stats.reloadFailures << "\n";
    for (const auto& kid : stats.perKid) {
      s << "decrypted_" << kid.first << " " << kid.second.decryptions << "\n";
    }
    replaceFile(db + "/" + name + ".status", s.str());
  }
};

int serve(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "usage: rotation_service DB NAME INDEX INSTANCES SLOTS COLD [PERIOD_MS]\n";
    return 2;
  }
  Service s{argv[1],
            argv[2],
            std::atoi(argv[3]),
            std::atoi(argv[4]),
            std::atoi(argv[5]),
            std::atoi(argv[6]),
            cc::keyringFromEnv(),
            0,
            0,
            0,
            0,
            {}};
  const int periodMs = argc > 7 ? std::atoi(argv[7]) : 2;
  s.log.open(s.db + "/" + s.name + ".log", std::ios::app);
  std::signal(SIGHUP, onHup);
  std::signal(SIGTERM, onTerm);
  std::mt19937 random(static_cast<unsigned>(::getpid()));
  auto lastStatus = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  while (gStop == 0 && !exists(s.db + "/stop")) {
    if (gReload != 0) {
      gReload = 0;
      const cc::ReloadResult result = s.keyring.reload();  // never throws a reload error
      s.log << "SIGHUP reload: ok " << result.ok << " changed " << result.changed << ": "
            << result.message << std::endl;
    }
    s.write();
    s.read(random);
    const auto now = std::chrono::steady_clock::now();
    if (now - lastStatus >= std::chrono::milliseconds(50)) {
      s.publishStatus();
      lastStatus = now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(periodMs));
  }
  s.publishStatus();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 2 && std::string(argv[1]) == "--fingerprint") {
      std::cout << cc::keyringFromEnv().configFingerprint() << "\n";
      return 0;
    }
    return serve(argc, argv);
  } catch (const cc::Error& e) {
    std::cerr << "rotation_service: " << e.what() << "\n";
    return 2;
  }
}
