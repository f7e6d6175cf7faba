// Envelopes' IVs across one input: with random 12-byte IVs, two records holding the same IV hold
// copies of one envelope (or the random generator is broken). audit counts them; rewrap refuses to
// bind them (a copied envelope must not become its new record's own).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector_crypto/limits.hpp"

namespace connector_crypto {
namespace cli {

// An envelope's IV as its decoded bytes.
using IvBytes = std::array<std::uint8_t, kIvBytes>;

// The 12 bytes of a well-formed envelope's "iv" (inspectCredentials checked it is strict,
// canonical base64 of 12 bytes, so text and bytes map one to one); nullopt for any other text.
std::optional<IvBytes> decodeIv(std::string_view base64) noexcept;

// A record holding an IV: its line number and _id text (empty when it has none).
struct IvHolder {
  std::uint64_t line = 0;
  std::string id;
};

// "line 3 (_id X), line 9 (_id Y)": the holders, at most 20 named.
std::string describeHolders(const std::vector<IvHolder>& holders);

// Every envelope's IV of an input, added in input order, then reduced to the IVs that two records
// or more hold. Keeps about 32 bytes and the _id text per envelope until finish().
class IvIndex {
 public:
  // One envelope's IV at line, with its record's _id text.
  void add(const IvBytes& iv, std::uint64_t line, std::string_view id);
  // Appends other's IVs (a later part of the input).
  void append(IvIndex&& other);
  // Keeps only shared IVs; call once, after the last add or append.
  void finish();
  // After finish: every record holding iv when two or more do, else nullptr.
  const std::vector<IvHolder>* holders(const IvBytes& iv) const;
  // After finish: how many records hold an IV that another record also holds.
  std::uint64_t sharedRecords() const noexcept { return sharedRecords_; }
  // After finish: the shared IVs' holders, in order of their first line.
  std::vector<const std::vector<IvHolder>*> groups() const;

 private:
  struct Entry {
    IvBytes iv{};
    std::uint32_t idSize = 0;
    std::uint64_t line = 0;
    std::uint64_t idOffset = 0;
  };
  std::vector<Entry> entries_;
  std::string ids_;  // every added _id text, back to back
  std::map<IvBytes, std::vector<IvHolder>> shared_;
  std::uint64_t sharedRecords_ = 0;
};

}  // namespace cli
}  // namespace connector_crypto
