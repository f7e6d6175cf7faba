// connector_crypto::wipe (wipe.hpp), the public wipe a text-API caller uses on the buffers it owns:
// exactly the bytes given are zeroed, nothing else, and a buffer wiped before it is freed leaves no
// copy in freed heap memory (freed_memory_probe.hpp), where the same buffer unwiped does.
#include <connector_crypto/wipe.hpp>  // first: the header stands alone

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "freed_memory_probe.hpp"

namespace cc = connector_crypto;

namespace {

const std::string kSecret = "sk-live-wipe-me-0123456789abcdef";

// The number of freed blocks holding kSecret (or 12-byte windows of it) while fn runs.
template <typename Fn>
std::size_t freedCopies(Fn&& fn) {
  std::vector<std::string> needles;
  for (std::size_t i = 0; i + 12 <= kSecret.size(); i += 4)
    needles.push_back(kSecret.substr(i, 12));
  freed_memory_probe::arm(needles);
  fn();
  return freed_memory_probe::disarm();
}

}  // namespace

TEST_CASE("wipe zeroes exactly the bytes it is given") {
  std::vector<unsigned char> buffer(64, 0xAA);
  SECTION("a range inside a buffer") {
    cc::wipe(buffer.data() + 8, 32);
    for (std::size_t i = 0; i < buffer.size(); ++i) {
      INFO("byte " << i);
      CHECK(buffer[i] == (i >= 8 && i < 40 ? 0x00 : 0xAA));
    }
  }
  SECTION("the whole of a std::string's characters") {
    std::string copy = kSecret;
    cc::wipe(copy.data(), copy.size());
    CHECK(copy.size() == kSecret.size());
    CHECK(std::all_of(copy.begin(), copy.end(), [](char c) { return c == '\0'; }));
  }
  SECTION("size 0 touches nothing; a null pointer with size 0 is allowed") {
    cc::wipe(buffer.data(), 0);
    cc::wipe(nullptr, 0);
    CHECK(std::all_of(buffer.begin(), buffer.end(), [](unsigned char c) { return c == 0xAA; }));
  }
}

TEST_CASE("a caller's buffer wiped before it is freed leaves no copy behind") {
  SECTION("the control: the scanner finds the unwiped copy") {
    CHECK(freedCopies([] { std::vector<char> copy(kSecret.begin(), kSecret.end()); }) == 1);
  }
  SECTION("wiped with connector_crypto::wipe") {
    CHECK(freedCopies([] {
            std::vector<char> copy(kSecret.begin(), kSecret.end());
            cc::wipe(copy.data(), copy.size());
          }) == 0);
  }
}
