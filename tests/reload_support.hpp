// Test helper for reload: a folder of key files changed for real the ways operators change them
// (Kubernetes' ..data symlink swap, rename over a file, in-place rewrite, delete then recreate).
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.hpp"

namespace reload_support {

// One version of a keys-file configuration: kid -> base64 key, and the active kid.
struct Version {
  std::map<std::string, std::string> keys;
  std::string active;

  std::string keysJson() const { return nlohmann::json(keys).dump(); }
  // The configuration's fingerprint, computed from a keyring without sources.
  std::string fingerprint() const {
    return connector_crypto::Keyring::fromBase64(keys, active).configFingerprint();
  }
};

// Writes content to path with one write (checked), then closes it.
inline void writeWhole(const std::string& path, const std::string& content, int flags = O_TRUNC) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | flags, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  REQUIRE(::close(fd) == 0);
}

// A fresh folder under /tmp holding keys.json and active-kid, removed with the object.
class KeyFolder {
 public:
  explicit KeyFolder(const std::string& name)
      : dir_("/tmp/cc_reload_" + std::to_string(::getpid()) + "_" + name) {
    std::system(("rm -rf '" + dir_ + "'").c_str());
    REQUIRE(::mkdir(dir_.c_str(), 0700) == 0);
  }
  ~KeyFolder() { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  KeyFolder(const KeyFolder&) = delete;
  KeyFolder& operator=(const KeyFolder&) = delete;

  const std::string& dir() const { return dir_; }
  std::string keysPath() const { return dir_ + "/keys.json"; }
  std::string activePath() const { return dir_ + "/active-kid"; }

  // The variables a service sets to read this folder.
  std::map<std::string, std::string> env() const {
    return {{"CONNECTOR_CRED_KEYS_FILE", keysPath()},
            {"CONNECTOR_CRED_ACTIVE_KID_FILE", activePath()}};
  }

  // Kubernetes' AtomicWriter: the files in a timestamped folder, ..data a symlink to it, the
  // visible names symlinks through ..data; a new version is a new folder and an atomic rename of
  // ..data.
  void projectVersion(const Version& v) {
    const std::string stamp = "..v" + std::to_string(++generation_);
    const std::string folder = dir_ + "/" + stamp;
    REQUIRE(::mkdir(folder.c_str(), 0700) == 0);
    writeWhole(folder + "/keys.json", v.keysJson());
    writeWhole(folder + "/active-kid", v.active + "\n");
    const std::string tmp = dir_ + "/..data_tmp";
    REQUIRE(::symlink(stamp.c_str(), tmp.c_str()) == 0);
    REQUIRE(::rename(tmp.c_str(), (dir_ + "/..data").c_str()) == 0);
    if (!projected_) {
      REQUIRE(::symlink("..data/keys.json", keysPath().c_str()) == 0);
      REQUIRE(::symlink("..data/active-kid", activePath().c_str()) == 0);
      projected_ = true;
    }
    if (!previous_.empty()) {
      const std::string old = dir_ + "/" + previous_;
      REQUIRE(::unlink((old + "/keys.json").c_str()) == 0);
      REQUIRE(::unlink((old + "/active-kid").c_str()) == 0);
      REQUIRE(::rmdir(old.c_str()) == 0);
    }
    previous_ = stamp;
  }

  // mv: each file written beside its name, then renamed over it.
  void renameVersion(const Version& v) {
    writeWhole(keysPath() + ".tmp", v.keysJson());
    REQUIRE(::rename((keysPath() + ".tmp").c_str(), keysPath().c_str()) == 0);
    writeWhole(activePath() + ".tmp", v.active + "\n");
    REQUIRE(::rename((activePath() + ".tmp").c_str(), activePath().c_str()) == 0);
  }

  // An agent rewriting keys.json in place: truncate, write the first half, and (when pause is
  // given) run it before writing the rest.
  template <typename Pause>
  void rewriteKeysInPlace(const std::string& keysJson, Pause&& pause) {
    const int fd = ::open(keysPath().c_str(), O_WRONLY | O_TRUNC);
    REQUIRE(fd >= 0);
    const std::size_t half = keysJson.size() / 2;
    REQUIRE(::write(fd, keysJson.data(), half) == static_cast<ssize_t>(half));
    pause();
    const std::size_t rest = keysJson.size() - half;
    REQUIRE(::write(fd, keysJson.data() + half, rest) == static_cast<ssize_t>(rest));
    REQUIRE(::close(fd) == 0);
  }
  void writeActive(const std::string& kid) { writeWhole(activePath(), kid + "\n"); }

 private:
  std::string dir_;
  int generation_ = 0;
  bool projected_ = false;
  std::string previous_;
};

// An EnvLookup over vars that runs hook (once) when the variable `when` is first looked up: a way
// to change the files between two reads of one reload.
inline connector_crypto::EnvLookup hookedEnv(std::map<std::string, std::string> vars,
                                             std::string when, std::function<void()>* hook) {
  return [vars = std::move(vars), when = std::move(when),
          hook](const std::string& name) -> std::optional<std::string> {
    if (name == when && hook != nullptr && *hook) {
      std::function<void()> once = std::move(*hook);
      *hook = nullptr;
      once();
    }
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace reload_support
