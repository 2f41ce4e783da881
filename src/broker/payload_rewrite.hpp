// The payload one recipient gets when a decision modifies it: the `modify`
// edits applied to a copy of the parsed JSON, written back as compact JSON
// (so a modified payload is valid JSON by construction). The original
// message is never touched: every other recipient shares it.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "policy/event.hpp"
#include "policy/payload_edit.hpp"

namespace mqwarden::broker {

// The edited payload, or nullopt when the edits change nothing. A payload that
// is not JSON is edited as `null`: only a whole-payload replacement changes it.
std::optional<std::string> rewritten_payload(const policy::Payload& payload, std::span<const policy::PayloadEdit> edits,
                                             std::span<const std::byte> pseudonym_key);

}  // namespace mqwarden::broker
