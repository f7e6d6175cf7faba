// Known-answer tests of the internal AES-256-GCM seam: Wycheproof (66 vectors, 96-bit IV) and
// McGrew-Viega test cases 13-16. Provenance: tests/vectors/aead/README.md.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aead.hpp"
#include "test_support.hpp"

using connector_crypto::detail::Aes256Gcm;
using connector_crypto::detail::ByteView;

namespace {

std::vector<std::uint8_t> fromHex(const std::string& hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

ByteView view(const std::vector<std::uint8_t>& v) { return {v.data(), v.size()}; }

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Vector {
  std::string name;
  std::vector<std::uint8_t> key, iv, aad, msg, ct, tag;
  bool valid = true;
};

// Seals and opens one vector, checking the exact bytes both ways.
void checkVector(const Vector& v) {
  INFO("vector " << v.name);
  Aes256Gcm aead(view(v.key));
  std::vector<std::uint8_t> sealed = v.ct;
  sealed.insert(sealed.end(), v.tag.begin(), v.tag.end());

  // The output buffer starts non-zero so a failed open must visibly wipe it.
  std::vector<std::uint8_t> opened(v.ct.size(), 0xA5);
  const bool ok = aead.open(view(v.iv), view(v.aad), view(sealed), opened.data());
  if (v.valid) {
    REQUIRE(ok);
    CHECK(opened == v.msg);
    std::vector<std::uint8_t> out(v.msg.size() + connector_crypto::kTagBytes);
    aead.seal(view(v.iv), view(v.aad), view(v.msg), out.data());
    CHECK(out == sealed);
  } else {
    CHECK_FALSE(ok);
    CHECK(opened == std::vector<std::uint8_t>(v.ct.size(), 0));
  }
}

}  // namespace

TEST_CASE("Wycheproof AES-256-GCM vectors (96-bit IV)") {
  const auto doc =
      nlohmann::json::parse(readFile(std::string(CC_VECTORS_DIR) + "/aead/aes256gcm_iv96.json"));
  std::size_t valid = 0, invalid = 0, withAad = 0;
  for (const auto& group : doc.at("testGroups")) {
    REQUIRE(group.at("keySize") == 256);
    REQUIRE(group.at("ivSize") == 96);
    for (const auto& t : group.at("tests")) {
      Vector v;
      v.name = "tcId " + std::to_string(t.at("tcId").get<int>());
      v.key = fromHex(t.at("key"));
      v.iv = fromHex(t.at("iv"));
      v.aad = fromHex(t.at("aad"));
      v.msg = fromHex(t.at("msg"));
      v.ct = fromHex(t.at("ct"));
      v.tag = fromHex(t.at("tag"));
      v.valid = t.at("result") == "valid";
      (v.valid ? valid : invalid)++;
      if (!v.aad.empty()) withAad++;
      checkVector(v);
    }
  }
  CHECK(valid == 39);
  CHECK(invalid == 27);
  CHECK(withAad == 18);
}

TEST_CASE("McGrew-Viega GCM test cases 13-16") {
  std::istringstream lines(readFile(std::string(CC_VECTORS_DIR) + "/aead/aes256gcm_kat.txt"));
  std::string line;
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string field;
    Vector v;
    while (fields >> field) {
      const auto eq = field.find('=');
      REQUIRE(eq != std::string::npos);
      const std::string k = field.substr(0, eq), val = field.substr(eq + 1);
      if (k == "name") v.name = val;
      else if (k == "key") v.key = fromHex(val);
      else if (k == "iv") v.iv = fromHex(val);
      else if (k == "aad") v.aad = fromHex(val);
      else if (k == "pt") v.msg = fromHex(val);
      else if (k == "ct") v.ct = fromHex(val);
      else if (k == "tag") v.tag = fromHex(val);
    }
    checkVector(v);
    SECTION("a flipped tag bit fails " + v.name) {
      Vector bad = v;
      bad.tag[0] ^= 1;
      bad.valid = false;
      checkVector(bad);
    }
    ++count;
  }
  CHECK(count == 4);
}

TEST_CASE("the AEAD seam refuses inputs shorter than the tag") {
  const std::vector<std::uint8_t> key(32, 7), iv(12, 1);
  Aes256Gcm aead(view(key));
  for (std::size_t n = 0; n < connector_crypto::kTagBytes; ++n) {
    std::vector<std::uint8_t> sealed(n, 0), out(1, 0);
    CHECK_FALSE(aead.open(view(iv), {}, view(sealed), out.data()));
  }
}

TEST_CASE("the AEAD seam checks sizes") {
  const std::vector<std::uint8_t> shortKey(31, 7), key(32, 7), iv(11, 1);
  CHECK_THROWS_AS(Aes256Gcm(view(shortKey)), connector_crypto::Error);
  Aes256Gcm aead(view(key));
  std::vector<std::uint8_t> out(connector_crypto::kTagBytes);
  CHECK_THROWS_AS(aead.seal(view(iv), {}, {}, out.data()), connector_crypto::Error);
}
