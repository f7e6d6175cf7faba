#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace connector_crypto {
namespace cli {
namespace {

std::string folderOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

bool AtomicFile::fail(const std::string& what) {
  error_ = what + " (" + std::strerror(errno) + ")";
  return false;
}

bool AtomicFile::open(const std::string& target) {
  target_ = target;
  std::string pattern =
      folderOf(target) + "/." +
      target.substr(target.rfind('/') == std::string::npos ? 0 : target.rfind('/') + 1) +
      ".tmp-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd_ = ::mkstemp(name.data());  // mode 0600
  if (fd_ < 0) return fail("cannot create a temporary file next to " + target);
  temp_ = name.data();
  return true;
}

bool AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write " + temp_);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool AtomicFile::commit() {
  if (::fsync(fd_) != 0) return fail("cannot fsync " + temp_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return fail("cannot close " + temp_);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) return fail("cannot rename onto " + target_);
  temp_.clear();
  const int dir = ::open(folderOf(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

}  // namespace cli
}  // namespace connector_crypto
