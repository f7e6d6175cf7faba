// Objects as the parser builds them, for one basic_json type: repeated member names (small objects
// and one past the pairwise check) resolve as nlohmann's own parser does (ordered_json: first
// position, last value), and large objects and arrays come back whole, order kept.
#pragma once

#include <string>

#include "round_trip.hpp"
#include "support.hpp"

namespace consumer {

// Plaintext text sealed as it is, decrypted: the value nlohmann's parser gives for the same text.
template <typename BasicJson>
void decryptsAsParsed(const std::string& what, const std::string& text, const cc::Keyring& v1) {
  const BasicJson envelope = sealRaw<BasicJson>(kKeyA, "v1", text);
  const BasicJson got = cc::decryptCredentials(envelope, v1);
  checkWhole(got, what);
  const BasicJson want = BasicJson::parse(text);
  check(got == want && got.dump() == want.dump(), what + ": " + got.dump().substr(0, 80));
  const std::optional<BasicJson> parsed = cc::parseJsonText<BasicJson>(text);
  check(parsed && parsed->dump() == want.dump(), what + ": parseJsonText");
}

template <typename BasicJson>
void members(const std::string& type, const cc::Keyring& v1) {
  decryptsAsParsed<BasicJson>(type + " repeated names",
                              R"({"b":1,"a":{"y":1,"x":2,"y":[3]},"b":[4,{"c":5}]})", v1);
  // 5,000 members named in descending order, the last repeating an earlier name, and an array.
  std::string big = "{";
  for (int i = 4999; i >= 0; --i)
    big += "\"k" + std::to_string(i) + "\":{\"v\":" + std::to_string(i) + "},";
  big += R"("k2500":"last","list":[)";
  for (int i = 0; i < 5000; ++i) big += (i ? ",[" : "[") + std::to_string(i) + "]";
  big += "]}";
  decryptsAsParsed<BasicJson>(type + " 5,000 members", big, v1);
  const BasicJson value = BasicJson::parse(big);
  const BasicJson back = cc::decryptCredentials(cc::encryptCredentials(value, v1), v1);
  checkWhole(back, type + " 5,000 members round trip");
  check(back.dump() == value.dump(), type + " 5,000 members round trip");
}

}  // namespace consumer
