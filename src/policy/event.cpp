#include "policy/event.hpp"

namespace mqwarden::policy {

const nlohmann::json* Payload::json() const {
  std::call_once(parsed_once_, [this] {
    document_ = nlohmann::json::parse(text(), nullptr, /*allow_exceptions=*/false);
    is_json_ = !document_.is_discarded();
  });
  return is_json_ ? &document_ : nullptr;
}

}  // namespace mqwarden::policy
