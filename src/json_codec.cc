#include "json_codec.hpp"

#include <vector>

#include <openssl/crypto.h>

#include "connector_crypto/error.hpp"
#include "connector_crypto/limits.hpp"

namespace connector_crypto {
namespace detail {
namespace {

struct TooDeep {};

}  // namespace

SecretBuffer serializeJson(const nlohmann::json& value) {
  SecretBuffer out;
  try {
    nlohmann::detail::serializer<nlohmann::json> serializer(
        std::make_shared<nlohmann::detail::output_vector_adapter<char, WipingAllocator<char>>>(out),
        ' ', nlohmann::json::error_handler_t::strict);
    serializer.dump(value, false, false, 0);
  } catch (const nlohmann::json::exception&) {
    // type_error 316 quotes the offending bytes: replace it.
    throw Error("credentials: a string is not valid UTF-8; nothing was encrypted");
  }
  return out;
}

bool parseJson(const char* text, std::size_t size, nlohmann::json& out) {
  const auto limitDepth = [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    // depth counts the containers already open around the one starting now.
    if ((event == nlohmann::json::parse_event_t::object_start ||
         event == nlohmann::json::parse_event_t::array_start) &&
        static_cast<std::size_t>(depth) >= kMaxJsonDepth) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    out = nlohmann::json::parse(text, text + size, limitDepth, true, false);
    return true;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    out = nullptr;
    return false;
  }
}

void wipeJsonValues(nlohmann::json& value) noexcept {
  std::vector<nlohmann::json*> pending{&value};
  while (!pending.empty()) {
    nlohmann::json* v = pending.back();
    pending.pop_back();
    switch (v->type()) {
      case nlohmann::json::value_t::string: {
        auto& s = v->get_ref<std::string&>();
        OPENSSL_cleanse(s.data(), s.capacity());
        break;
      }
      case nlohmann::json::value_t::object:
      case nlohmann::json::value_t::array:
        for (auto& child : *v) pending.push_back(&child);
        break;
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float:
      case nlohmann::json::value_t::boolean:
        *v = false;
        break;
      default:
        break;
    }
  }
}

}  // namespace detail
}  // namespace connector_crypto
