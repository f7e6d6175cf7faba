// Strict standard base64: RFC 4648 vectors, everything the envelope format must refuse, round trips,
// each through the library's one codec (src/base64_fast.hpp) and the tests' oracle
// (base64_oracle.hpp), which must agree.
#include <random>

#include "base64_fast.hpp"
#include "base64_oracle.hpp"
#include "test_support.hpp"

namespace {
std::string base64Encode(const std::uint8_t* data, std::size_t n) {
  const std::string lib = connector_crypto::detail::base64Encode(data, n);
  CHECK(lib == base64_oracle::base64Encode(data, n));
  return lib;
}
template <typename Container>
bool base64Decode(std::string_view in, Container& out) {
  Container oracle;
  const bool want = base64_oracle::base64Decode(in, oracle);
  const std::size_t len = connector_crypto::detail::base64DecodedLength(in);
  bool got = len != SIZE_MAX;
  if (got) {
    out.resize(len);
    got = connector_crypto::detail::base64DecodeTo(in, reinterpret_cast<std::uint8_t*>(out.data()));
  }
  if (!got) out.clear();
  CHECK(got == want);
  if (got && want) CHECK(out == oracle);
  return got;
}
std::string encode(const std::string& s) {
  return base64Encode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
bool decodes(const std::string& in) {
  std::string out;
  return base64Decode(in, out);
}
}  // namespace

TEST_CASE("base64 matches RFC 4648 section 10") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, b64] : vectors) {
    SECTION("encode " + plain) { CHECK(encode(plain) == b64); }
    SECTION("decode " + b64) {
      std::string out;
      REQUIRE(base64Decode(b64, out));
      CHECK(out == plain);
    }
  }
}

TEST_CASE("base64 decoding is strict") {
  SECTION("the whole alphabet, with + and /") {
    std::string out;
    REQUIRE(base64Decode("+/+/", out));
    CHECK(out == std::string("\xfb\xff\xbf", 3));
  }
  SECTION("URL-safe alphabet") {
    CHECK_FALSE(decodes("-_-_"));
    CHECK_FALSE(decodes("Zm9v-g=="));
  }
  SECTION("unpadded") {
    CHECK_FALSE(decodes("Zg"));
    CHECK_FALSE(decodes("Zm8"));
  }
  SECTION("over-padded") {
    CHECK_FALSE(decodes("Zg==="));
    CHECK_FALSE(decodes("Zg======"));
    CHECK_FALSE(decodes("Zm9v===="));
    CHECK_FALSE(decodes("===="));
  }
  SECTION("padding in the middle") {
    CHECK_FALSE(decodes("Zg==Zm9v"));
    CHECK_FALSE(decodes("Z=g="));
    CHECK_FALSE(decodes("Zm=v"));
  }
  SECTION("whitespace anywhere") {
    CHECK_FALSE(decodes(" Zm9v"));
    CHECK_FALSE(decodes("Zm9v "));
    CHECK_FALSE(decodes("Zm\n9v"));
    CHECK_FALSE(decodes("    "));
  }
  SECTION("NUL bytes") {
    CHECK_FALSE(decodes(std::string("Zm9\0", 4)));
    CHECK_FALSE(decodes(std::string("\0\0\0\0", 4)));
  }
  SECTION("non-canonical unused bits") {
    CHECK(decodes("Zg=="));
    CHECK_FALSE(decodes("Zh=="));
    CHECK(decodes("Zm8="));
    CHECK_FALSE(decodes("Zm9="));
  }
  SECTION("non-ASCII bytes") {
    CHECK_FALSE(decodes("Zm9\xc3"));
    CHECK_FALSE(decodes("\xff\xff\xff\xff"));
  }
  SECTION("a failed decode leaves the output empty") {
    std::string out = "previous";
    CHECK_FALSE(base64Decode("Zm9v!", out));
    CHECK(out.empty());
  }
}

TEST_CASE("base64 round-trips every length and byte") {
  std::mt19937 rng(12345);  // test data only
  for (std::size_t n = 0; n <= 100; ++n) {
    std::string bytes(n, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng() & 0xFF);
    const std::string b64 = encode(bytes);
    CHECK(b64.size() == base64_oracle::base64EncodedLength(n));
    std::string back;
    REQUIRE(base64Decode(b64, back));
    CHECK(back == bytes);
  }
}
