// Writing a file atomically: a temporary file in the same folder, fsync, rename over the target.
#pragma once

#include <string>
#include <string_view>

namespace connector_crypto {
namespace cli {

// What open() does with a target that already exists as a regular file.
enum class Existing { kReplace, kRefuse };

// The -o rules, in one place. open() refuses, touching nothing: a target that is a symbolic link
// (never followed: name the real file), any other existing non-regular file (folder, device,
// FIFO, socket), and with Existing::kRefuse an existing regular file. The target is untouched
// (not created) unless commit() succeeds; the file it gets is mode 0600 whatever an existing
// target had. The temporary file is removed when the object dies uncommitted, and by a SIGINT,
// SIGTERM or SIGHUP that stops the process while it exists (then the signal is re-raised); the
// signals know two open AtomicFiles at once (rotate -o DIR writes two files).
// Methods return false and set error() (naming the target and the system's reason) on failure.
class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  bool open(const std::string& target, Existing existing = Existing::kReplace);
  bool write(std::string_view data);
  // fsync, close, rename over the target, fsync the folder (a failure there is reported too: the
  // target is then replaced but the rename may not survive a crash).
  bool commit();
  const std::string& error() const noexcept { return error_; }
  // True when open() refused the target (a usage error, exit 2); false for a system failure.
  bool refused() const noexcept { return refused_; }

 private:
  bool fail(const std::string& what);
  bool refuse(const std::string& what);
  void discard() noexcept;
  std::string target_;
  std::string temp_;
  int fd_ = -1;
  int slot_ = -1;  // where the signal handlers know temp_ (-1: they do not)
  bool refused_ = false;
  std::string error_;
};

}  // namespace cli
}  // namespace connector_crypto
