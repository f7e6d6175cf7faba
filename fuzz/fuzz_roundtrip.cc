// Structure-aware fuzzer of the round-trip property (issue 9): the input is a little program that
// builds one nlohmann::json value of any type (discarded, binary, NaN/infinite, invalid UTF-8 in
// strings and keys, 64-bit integer edges, -0.0) and any depth (chains up to 100,000 levels). For a
// value without "__enc" at its top, encryptCredentials, encryptPlainCredentials and
// rewrapCredentials throw connector_crypto::Error exactly when decrypt could not return the value,
// and otherwise give an envelope that decrypts to it exactly; an envelope comes back unchanged.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <typeinfo>

#include "connector_crypto/connector_crypto.hpp"
#include "fuzz_support.hpp"
#include "roundtrip_oracle.hpp"

namespace {

namespace cc = connector_crypto;
using fuzz_support::check;
using fuzz_support::violation;
using nlohmann::json;

// Most levels of nesting one input may build in chains, so an input stays fast.
constexpr std::size_t kChainBudget = 120000;

class Builder {
 public:
  Builder(const std::uint8_t* data, std::size_t size) : in_(data, size) {}

  // One value; the bushy part recurses at most 48 levels, chains are built in a loop.
  json value(int depth) {
    switch (byte() % 16) {
      case 0:
        return nullptr;
      case 1:
        return (byte() & 1) != 0;
      case 2: {
        static const std::int64_t edges[] = {std::numeric_limits<std::int64_t>::min(),
                                             std::numeric_limits<std::int64_t>::min() + 1,
                                             -1,
                                             0,
                                             1,
                                             std::numeric_limits<std::int64_t>::max() - 1,
                                             std::numeric_limits<std::int64_t>::max()};
        return edges[byte() % std::size(edges)];
      }
      case 3:
        return static_cast<std::int64_t>(word());
      case 4: {
        static const std::uint64_t edges[] = {
            0, 1, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1,
            std::numeric_limits<std::uint64_t>::max()};
        return (byte() & 1) != 0 ? json(word()) : json(edges[byte() % std::size(edges)]);
      }
      case 5: {
        static const double edges[] = {0.0,
                                       -0.0,
                                       1.0,
                                       0.1,
                                       std::numeric_limits<double>::quiet_NaN(),
                                       HUGE_VAL,
                                       -HUGE_VAL,
                                       std::numeric_limits<double>::max(),
                                       std::numeric_limits<double>::denorm_min(),
                                       9007199254740993.0};
        return edges[byte() % std::size(edges)];
      }
      case 6: {
        const std::uint64_t bits = word();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
      }
      case 7:
      case 8:
        return string();
      case 9:
        return json::binary({static_cast<std::uint8_t>(byte())}, static_cast<std::uint8_t>(byte()));
      case 10:
        return json(json::value_t::discarded);
      case 11:
      case 12: {
        json a = json::array();
        if (depth >= 48) return a;
        for (unsigned n = byte() % 5; n > 0 && in_.more(); --n) a.push_back(value(depth + 1));
        return a;
      }
      case 13:
      case 14: {
        json o = json::object();
        if (depth >= 48) return o;
        for (unsigned n = byte() % 5; n > 0 && in_.more(); --n) o[string()] = value(depth + 1);
        return o;
      }
      default:
        return chain(depth);
    }
  }

 private:
  unsigned byte() { return in_.byte(); }
  std::uint64_t word() { return in_.word(); }
  std::string string() { return in_.string(24); }

  // A value wrapped in a chain of arrays/objects: mostly around the limit, 100,000 levels when
  // the length byte is 0xFF (rare, since a level costs microseconds under ASan).
  json chain(int depth) {
    static const std::size_t lengths[] = {1, 2, 3, 64, 510, 511, 512, 513, 514, 1000};
    const unsigned pick = byte();
    std::size_t levels = pick == 0xFF ? 100000 : lengths[pick % std::size(lengths)];
    if (levels > budget_) levels = budget_;
    budget_ -= levels;
    const unsigned shape = byte();  // bit 0: arrays or objects; bit 1: a sibling at every level
    json inner = depth < 48 ? value(depth + 1) : json();
    const std::string key = string();
    for (std::size_t i = 0; i < levels; ++i) {
      json outer;
      if ((shape & 1) != 0) {
        outer = json::array();
        if ((shape & 2) != 0) outer.push_back(i);
        outer.push_back(std::move(inner));
      } else {
        outer = json::object();
        if ((shape & 2) != 0) outer["n"] = i;
        outer[key] = std::move(inner);
      }
      inner = std::move(outer);
    }
    return inner;
  }

  fuzz_support::ByteReader in_;
  std::size_t budget_ = kChainBudget;
};

// The same two keys, active kid v1 or v2.
const cc::Keyring& keyringV1() {
  static const cc::Keyring k =
      cc::Keyring::fromBase64({{"v1", fuzz_support::kKeyA}, {"v2", fuzz_support::kKeyB}}, "v1");
  return k;
}
const cc::Keyring& keyringV2() {
  static const cc::Keyring k =
      cc::Keyring::fromBase64({{"v1", fuzz_support::kKeyA}, {"v2", fuzz_support::kKeyB}}, "v2");
  return k;
}

// One encrypting function on v: refused (false) exactly when decrypt could not return v, with a
// connector_crypto::Error itself; else an envelope (or null for null) that decrypts to v.
template <typename Encrypt>
json attempt(const char* what, const json& v, bool readable, const cc::Keyring& k,
             Encrypt&& encrypt) {
  json out;
  try {
    out = encrypt(v, k);
  } catch (const cc::Error& e) {
    if (readable) violation(what, std::string("refused a value decrypt can return: ") + e.what());
    if (typeid(e) != typeid(cc::Error)) violation(what, "refused with a subclass of Error");
    return json(json::value_t::discarded);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    violation(what, std::string("threw something other than connector_crypto::Error: ") + e.what());
  }
  if (!readable) violation(what, "accepted a value decrypt cannot return");
  if (v.is_null()) {
    check(out.is_null(), what, "null did not come back as null");
    return out;
  }
  check(cc::isEncrypted(out), what, "did not return an envelope");
  check(roundtrip_oracle::identical(cc::decryptCredentials(out, k), v), what,
        "the envelope does not decrypt to the value");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json v = Builder(data, size).value(0);
  if (v.is_object()) v.erase("__enc");  // the property is about plaintext at the top
  const bool readable = roundtrip_oracle::decryptCouldReturn(v);
  const cc::Keyring& k1 = keyringV1();
  const cc::Keyring& k2 = keyringV2();

  // The nlohmann::json overloads (each name is also a template).
  using Op = json (*)(const json&, const cc::Keyring&);
  const json envelope =
      attempt("encryptCredentials", v, readable, k1, static_cast<Op>(cc::encryptCredentials));
  attempt("encryptPlainCredentials", v, readable, k1, static_cast<Op>(cc::encryptPlainCredentials));
  attempt("rewrapCredentials", v, readable, k2, static_cast<Op>(cc::rewrapCredentials));
  if (!readable || v.is_null()) return 0;

  using roundtrip_oracle::identical;
  check(identical(cc::encryptCredentials(envelope, k1), envelope), "encrypt changed an envelope");
  check(identical(cc::encryptCredentials(envelope, k2), envelope), "encrypt changed an envelope");
  check(identical(cc::rewrapCredentials(envelope, k1), envelope), "rewrap changed an active one");
  try {
    cc::encryptPlainCredentials(envelope, k1);
    violation("encryptPlainCredentials accepted an envelope");
  } catch (const cc::EnvelopeError&) {
  }
  const json rewrapped = cc::rewrapCredentials(envelope, k2);
  check(rewrapped.at("kid") == "v2", "rewrap did not move to the active kid");
  check(identical(cc::decryptCredentials(rewrapped, k2), v), "rewrap changed the plaintext");
  return 0;
}
