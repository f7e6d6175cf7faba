// Replaces the global operator new/delete for the test executable it is linked into (own TU: GCC's
// -Wmismatched-new-delete cannot tell a replacement from a mismatch when inlined).
#include "freed_memory_probe.hpp"

#include <malloc.h>
#include <string.h>

#include <cstdlib>
#include <new>

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif

namespace {

struct Needle {
  const char* data;
  std::size_t size;
};
Needle gNeedles[freed_memory_probe::kMaxNeedles];
std::size_t gNeedleCount = 0;
bool gArmed = false;
std::size_t gHits = 0;
std::size_t gLargest = 0;

void scanFreed(void* p) noexcept {
  if (!gArmed || p == nullptr) return;
  const std::size_t size = malloc_usable_size(p);
#if defined(VALGRIND_MAKE_MEM_DEFINED)
  // Under memcheck: a block about to be freed may hold bytes no one wrote (struct padding copied
  // in, the allocator's slack); the scan reads them all, as bytes, on purpose.
  VALGRIND_MAKE_MEM_DEFINED(p, size);
#endif
  for (std::size_t i = 0; i < gNeedleCount; ++i) {
    if (memmem(p, size, gNeedles[i].data, gNeedles[i].size) != nullptr) {
      ++gHits;
      return;
    }
  }
}

}  // namespace

namespace freed_memory_probe {

void arm(const std::vector<std::string>& needles) {
  gNeedleCount = 0;
  for (const std::string& n : needles) {
    if (gNeedleCount == kMaxNeedles) break;
    gNeedles[gNeedleCount++] = {n.data(), n.size()};
  }
  gHits = 0;
  gLargest = 0;
  gArmed = true;
}

std::size_t disarm() {
  gArmed = false;
  return gHits;
}

std::size_t largestAllocation() { return gLargest; }

}  // namespace freed_memory_probe

namespace {

void* allocate(std::size_t n) noexcept {
  if (gArmed && n > gLargest) gLargest = n;
  // Zero-filled, so a block only ever holds what its user wrote (no stale bytes of earlier blocks).
  void* p = std::malloc(n == 0 ? 1 : n);
  return p == nullptr ? nullptr : memset(p, 0, malloc_usable_size(p));
}

void release(void* p) noexcept {
  scanFreed(p);
  std::free(p);
}

}  // namespace

// Every (non-aligned) replaceable form, so no block crosses between these and the runtime's own
// (AddressSanitizer reports a mismatch otherwise).
void* operator new(std::size_t n) {
  if (void* p = allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
