#include "broker/payload_rewrite.hpp"

namespace mqwarden::broker {

std::optional<std::string> rewritten_payload(const policy::Payload& payload, std::span<const policy::PayloadEdit> edits,
                                             std::span<const std::byte> pseudonym_key) {
  if (edits.empty()) return std::nullopt;
  const nlohmann::json* parsed = payload.json();
  nlohmann::json document = parsed != nullptr ? *parsed : nlohmann::json();
  const policy::EditOutcome outcome = policy::apply_edits(document, edits, pseudonym_key);
  if (!outcome.changed) return std::nullopt;
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace mqwarden::broker
