#include "atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
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

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

// The temporary files a signal must remove: up to kSlots armed AtomicFiles at once per process
// (rotate -o DIR holds two).
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr std::size_t kSignalCount = sizeof kSignals / sizeof kSignals[0];
constexpr std::size_t kSlots = 2;
char gTemp[kSlots][4096];
volatile std::sig_atomic_t gArmed[kSlots] = {};
std::size_t gArmedCount = 0;  // changed only with the signals blocked
struct sigaction gPrevious[kSignalCount];
bool gInstalled[kSignalCount];

// Async-signal-safe: unlink, sigaction and raise only.
extern "C" void removeTempAndReraise(int sig) {
  const int savedErrno = errno;
  for (std::size_t slot = 0; slot < kSlots; ++slot) {
    if (gArmed[slot] != 0) {
      gArmed[slot] = 0;
      ::unlink(gTemp[slot]);
    }
  }
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    if (kSignals[i] == sig) ::sigaction(sig, &gPrevious[i], nullptr);
  }
  ::raise(sig);  // delivered with the previous disposition once this handler returns
  errno = savedErrno;
}

sigset_t cleanupSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kSignals) sigaddset(&set, sig);
  return set;
}

// Blocks the cleanup signals on this thread for its lifetime.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    const sigset_t set = cleanupSignals();
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

// Called with the signals blocked: the slot that now holds temp, or -1 when none is free. The
// handlers are installed with the first armed slot. A signal the process ignores (nohup) stays
// ignored.
int arm(const std::string& temp) {
  if (temp.size() >= sizeof gTemp[0]) return -1;
  std::size_t slot = 0;
  while (slot < kSlots && gArmed[slot] != 0) ++slot;
  if (slot == kSlots) return -1;
  std::memcpy(gTemp[slot], temp.c_str(), temp.size() + 1);
  gArmed[slot] = 1;
  if (gArmedCount++ == 0) {
    for (std::size_t i = 0; i < kSignalCount; ++i) {
      gInstalled[i] = false;
      if (::sigaction(kSignals[i], nullptr, &gPrevious[i]) != 0) continue;
      if (!(gPrevious[i].sa_flags & SA_SIGINFO) && gPrevious[i].sa_handler == SIG_IGN) continue;
      struct sigaction action {};
      action.sa_handler = removeTempAndReraise;
      sigemptyset(&action.sa_mask);
      for (int sig : kSignals) sigaddset(&action.sa_mask, sig);
      gInstalled[i] = ::sigaction(kSignals[i], &action, nullptr) == 0;
    }
  }
  return static_cast<int>(slot);
}

// Called with the signals blocked; the previous handlers return with the last armed slot.
void disarm(int slot) {
  gArmed[slot] = 0;
  if (--gArmedCount != 0) return;
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    if (gInstalled[i]) ::sigaction(kSignals[i], &gPrevious[i], nullptr);
    gInstalled[i] = false;
  }
}

}  // namespace

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
  if (slot_ >= 0) {
    SignalsBlocked blocked;
    disarm(slot_);
    slot_ = -1;
  }
}

bool AtomicFile::fail(const std::string& what) {
  error_ = what + " (" + std::strerror(errno) + ")";
  return false;
}

bool AtomicFile::refuse(const std::string& what) {
  error_ = what;
  refused_ = true;
  return false;
}

bool AtomicFile::open(const std::string& target, Existing existing) {
  target_ = target;
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      return refuse(quoted(target) +
                    " is a symbolic link; -o never follows one: give the path of the file itself");
    }
    if (!S_ISREG(st.st_mode)) {
      return refuse(quoted(target) +
                    " exists and is not a regular file (a folder, device, FIFO or socket); -o "
                    "only replaces a regular file");
    }
    if (existing == Existing::kRefuse) {
      return refuse(quoted(target) + " already exists (--force replaces it)");
    }
  } else if (errno != ENOENT) {
    return fail("cannot write " + quoted(target));
  }
  std::string pattern =
      folderOf(target) + "/." +
      target.substr(target.rfind('/') == std::string::npos ? 0 : target.rfind('/') + 1) +
      ".tmp-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  SignalsBlocked blocked;  // no signal between creating the file and arming its removal
  fd_ = ::mkostemp(name.data(), O_CLOEXEC);  // mode 0600
  if (fd_ < 0) return fail("cannot create a temporary file next to " + quoted(target));
  temp_ = name.data();
  slot_ = arm(temp_);
  return true;
}

bool AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write " + quoted(target_));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool AtomicFile::commit() {
  if (::fsync(fd_) != 0) return fail("cannot write " + quoted(target_) + ": fsync");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return fail("cannot write " + quoted(target_) + ": close");
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    return fail("cannot rename the temporary file onto " + quoted(target_));
  }
  temp_.clear();
  discard();
  const int dir = ::open(folderOf(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    return fail("wrote " + quoted(target_) + " but cannot open its folder to fsync it");
  }
  const bool synced = ::fsync(dir) == 0;
  const int syncErrno = errno;
  ::close(dir);
  if (!synced) {
    errno = syncErrno;
    return fail("wrote " + quoted(target_) + " but cannot fsync its folder");
  }
  return true;
}

}  // namespace cli
}  // namespace connector_crypto
