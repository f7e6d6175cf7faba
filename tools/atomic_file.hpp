// Writing a file atomically: a temporary file in the same folder, fsync, rename over the target.
#pragma once

#include <string>
#include <string_view>

namespace connector_crypto {
namespace cli {

// The target is untouched (not created) unless commit() succeeds; the temporary file (mode 0600) is
// removed when the object dies uncommitted. Methods return false and set error() on failure.
class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  bool open(const std::string& target);
  bool write(std::string_view data);
  // fsync, close, rename over the target, fsync the folder.
  bool commit();
  const std::string& error() const noexcept { return error_; }

 private:
  bool fail(const std::string& what);
  std::string target_;
  std::string temp_;
  int fd_ = -1;
  std::string error_;
};

}  // namespace cli
}  // namespace connector_crypto
