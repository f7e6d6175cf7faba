// EncryptionContext: its rules at construction, the order it keeps, the typed values, and the AAD
// a bound envelope is sealed under (docs/FORMAT.md, "Bound envelopes").
#include <map>
#include <string>
#include <vector>

#include "context_core.hpp"
#include "test_support.hpp"

using namespace test_support;
namespace cc = connector_crypto;
using Pair = cc::EncryptionContext::Pair;

namespace {

// Construction must throw exactly Error with kInvalidContext; returns the message.
std::string refusal(std::vector<Pair> pairs) {
  try {
    cc::EncryptionContext context(std::move(pairs));
  } catch (const cc::Error& e) {
    CHECK(typeid(e) == typeid(cc::Error));
    CHECK(e.code() == cc::ErrorCode::kInvalidContext);
    return e.what();
  }
  FAIL("the context was accepted");
  return {};
}

}  // namespace

TEST_CASE("an encryption context keeps its pairs sorted by name, whatever the order given") {
  const cc::EncryptionContext a{{"tenant", "oid:1"}, {"collection", "c"}, {"id", "str:x"}};
  const cc::EncryptionContext b(std::map<std::string, std::string>{
      {"id", "str:x"}, {"tenant", "oid:1"}, {"collection", "c"}});
  const cc::EncryptionContext c(std::vector<Pair>{{"id", "str:x"}, {"collection", "c"},
                                                  {"tenant", "oid:1"}});
  CHECK(a == b);
  CHECK(b == c);
  CHECK(a.names() == std::vector<std::string>{"collection", "id", "tenant"});
  CHECK(a.pairs().front() == Pair{"collection", "c"});
  CHECK(a != cc::EncryptionContext{{"tenant", "oid:2"}, {"collection", "c"}, {"id", "str:x"}});

  SECTION("byte order: uppercase before lowercase, '-' and '.' before digits") {
    const cc::EncryptionContext d{{"a", "1"}, {"Z", "1"}, {"_", "1"}, {"0", "1"}, {"-", "1"},
                                  {".", "1"}, {"A", "1"}};
    CHECK(d.names() == std::vector<std::string>{"-", ".", "0", "A", "Z", "_", "a"});
  }
}

TEST_CASE("an encryption context refuses what breaks a rule, naming the rule") {
  SECTION("count") {
    CHECK(refusal({}) == "encryption context: 0 pairs; 1 to 16 are allowed");
    std::vector<Pair> seventeen;
    for (int i = 0; i < 17; ++i) seventeen.push_back({"n" + std::to_string(i), "v"});
    CHECK(refusal(seventeen) == "encryption context: 17 pairs; 1 to 16 are allowed");
    seventeen.pop_back();
    CHECK_NOTHROW(cc::EncryptionContext(seventeen));
  }
  SECTION("a repeated name (a std::map could not even hold it)") {
    CHECK(refusal({{"id", "a"}, {"tenant", "t"}, {"id", "b"}}) ==
          "encryption context: the name \"id\" is given twice");
    CHECK_THROWS_AS((cc::EncryptionContext{{"id", "a"}, {"id", "a"}}), cc::Error);
  }
  SECTION("names: 1 to 64 characters of [A-Za-z0-9_.-], never echoed when invalid") {
    CHECK_NOTHROW(cc::EncryptionContext{{std::string(64, 'n'), "v"}});
    for (const std::string& bad : {std::string(), std::string(65, 'n'), std::string("a:b"),
                                   std::string("\xc3\xa9"), std::string("id\n"), std::string("a b"),
                                   std::string("id\0x", 4), std::string("sk_live_secret/")}) {
      INFO("name of " << bad.size() << " bytes");
      const std::string message = refusal({{"ok", "v"}, {bad, "v"}});
      CHECK(message ==
            "encryption context: the name of pair 2 is not 1 to 64 characters of [A-Za-z0-9_.-]");
    }
  }
  SECTION("values: 1 to 4096 bytes of UTF-8 without NUL, never echoed") {
    CHECK_NOTHROW(cc::EncryptionContext{{"id", std::string(4096, 'v')}});
    CHECK(refusal({{"id", ""}}) ==
          "encryption context: the value of \"id\" is 0 bytes; 1 to 4096 are allowed");
    CHECK(refusal({{"id", std::string(4097, 'v')}}) ==
          "encryption context: the value of \"id\" is 4097 bytes; 1 to 4096 are allowed");
    CHECK(refusal({{"id", std::string("oid:\0", 5)}}) ==
          "encryption context: the value of \"id\" holds a NUL byte");
    for (const std::string& bad :
         {std::string("secret\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
          std::string("\xf4\x90\x80\x80"), std::string("\xe2\x82")}) {
      const std::string message = refusal({{"id", bad}});
      CHECK(message == "encryption context: the value of \"id\" is not valid UTF-8");
      CHECK(message.find("secret") == std::string::npos);
    }
    CHECK_NOTHROW(cc::EncryptionContext{{"id", "\xf0\x9f\x94\x91 \xe4\xb8\xad \xe2\x80\xa8"}});
  }
}

TEST_CASE("typed context values, as every side types a document's values") {
  CHECK(cc::typedObjectId("6650f0c2a1b2c3d4e5f60718") == "oid:6650f0c2a1b2c3d4e5f60718");
  CHECK(cc::typedObjectId("6650F0C2A1B2C3D4E5F60718") == "oid:6650f0c2a1b2c3d4e5f60718");
  for (const std::string& bad : {std::string(), std::string(23, 'a'), std::string(25, 'a'),
                                 std::string("6650f0c2a1b2c3d4e5f6071g")}) {
    const std::string message =
        messageOf<cc::Error>([&] { (void)cc::typedObjectId(bad); });
    CHECK(message == "typedObjectId: an ObjectId is 24 hexadecimal digits");
  }
  CHECK(cc::typedString("acme-corp") == "str:acme-corp");
  CHECK(cc::typedString("") == "str:");
}

TEST_CASE("the AAD of a bound envelope, byte for byte (docs/FORMAT.md worked example)") {
  const cc::EncryptionContext context{{"tenant", "oid:6650f0c2a1b2c3d4e5f60718"},
                                      {"collection", "connectorinstances"},
                                      {"field", "credentials"},
                                      {"id", "oid:6650f0c2a1b2c3d4e5f60719"}};
  CHECK(hex(cc::detail::contextAad("v1", context)) ==
        "636f6e6e6563746f722d63727970746f2f6374782f3100000000027631000000040000000a636f6c6c6563"
        "74696f6e00000012636f6e6e6563746f72696e7374616e636573000000056669656c640000000b63726564"
        "656e7469616c730000000269640000001c6f69643a36363530663063326131623263336434653566363037"
        "31390000000674656e616e740000001c6f69643a363635306630633261316232633364346535663630373138");
  SECTION("the kid is in it, with its length") {
    const std::string a = cc::detail::contextAad("v1", context);
    const std::string b = cc::detail::contextAad("v2", context);
    CHECK(a != b);
    CHECK(a.size() == b.size());
    CHECK(cc::detail::contextAad("v10", context).size() == a.size() + 1);
  }
  SECTION("lengths are 4-byte big-endian, so no two contexts share an AAD by concatenation") {
    CHECK(cc::detail::contextAad("v1", {{"ab", "c"}}) != cc::detail::contextAad("v1", {{"a", "bc"}}));
    CHECK(hex(cc::detail::contextAad("k", {{"n", std::string(4096, 'v')}}).substr(23, 18)) ==
          "000000016b00000001000000016e00001000");
  }
}
