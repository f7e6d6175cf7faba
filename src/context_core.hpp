// Internal: the rules of encryption contexts and bound envelopes that the core applies (the AAD,
// the name rule, the "ctx" member). Every rule of docs/FORMAT.md "Bound envelopes" lives in
// context.cc, once.
#pragma once

#include <string>
#include <string_view>

#include "connector_crypto/context.hpp"
#include "connector_crypto/detail/core.hpp"

namespace connector_crypto {
namespace detail {

// The associated data a bound envelope under kid is sealed with: "connector-crypto/ctx/1", 0x00,
// u32be(len(kid)), kid, u32be(count), then per pair in ascending byte order of name:
// u32be(len(name)), name, u32be(len(value)), value.
std::string contextAad(std::string_view kid, const EncryptionContext& context);

// True when name is 1 to kMaxContextNameLength characters of [A-Za-z0-9_.-].
bool isContextName(std::string_view name) noexcept;

// Why a stored "ctx" member is malformed (a phrase after "\"ctx\" "), or nullptr when it is 1 to
// kMaxContextPairs valid names in strictly ascending byte order.
const char* storedNamesProblem(const core::EnvelopeNames& names) noexcept;

// True when the caller's context has exactly the names of a well-formed stored "ctx".
bool sameNames(const core::EnvelopeNames& stored, const EncryptionContext& context) noexcept;

// "[a, b]": names for a message (context names are never secret and never need escaping).
std::string nameList(const core::EnvelopeNames& stored);
std::string nameList(const EncryptionContext& context);

}  // namespace detail
}  // namespace connector_crypto
