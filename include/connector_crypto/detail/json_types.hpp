// Internal: which nlohmann::basic_json specialisations the header adapters accept (one rule).
#pragma once

#include <type_traits>

#include <nlohmann/json.hpp>

namespace connector_crypto {
namespace detail {

// True for every nlohmann::basic_json specialisation: what the adapter templates are constrained to,
// so that a braced list, nullptr or a string literal still selects the non-template json overload.
template <typename T>
inline constexpr bool isBasicJson = nlohmann::detail::is_basic_json<std::decay_t<T>>::value;

// True for the specialisations whose string and number types round-trip through the envelope
// format: nlohmann::json and nlohmann::ordered_json.
template <typename T>
inline constexpr bool isSupportedJson = std::is_same_v<std::decay_t<T>, nlohmann::json> ||
                                        std::is_same_v<std::decay_t<T>, nlohmann::ordered_json>;

// The return type of an adapter template: BasicJson for a basic_json specialisation, else no overload.
template <typename BasicJson, typename R = std::decay_t<BasicJson>>
using IfBasicJson = std::enable_if_t<isBasicJson<BasicJson>, R>;

// Placed first in every adapter template's body: other specialisations are refused with a message.
#define CONNECTOR_CRYPTO_ASSERT_SUPPORTED_JSON(BasicJson)                                       \
  static_assert(::connector_crypto::detail::isSupportedJson<BasicJson>,                        \
                "connector_crypto supports nlohmann::json and nlohmann::ordered_json only: "   \
                "another basic_json's string or number types would not round-trip")

}  // namespace detail
}  // namespace connector_crypto
