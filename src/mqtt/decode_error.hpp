// DecodeError: why a packet could not be accepted, precise enough to log and
// to answer: the normative statement broken, and the MQTT 5.0 reason code to
// send (in CONNACK before a session exists, otherwise in DISCONNECT; a 3.1.1
// peer is refused with the mapped CONNACK code or simply disconnected).
#pragma once

#include <string>
#include <string_view>

#include "mqtt/reason_code.hpp"

namespace mqwarden::mqtt {

struct DecodeError {
  ReasonCode reason = ReasonCode::malformed_packet;
  // The normative statement broken, e.g. "MQTT-3.3.1-4", or a section
  // reference ("MQTT-2.2.2") where the specification states no numbered rule.
  std::string_view rule;
  std::string detail;  // human-readable, for logs

  // "malformed packet (MQTT-3.3.1-4): PUBLISH with QoS 3"
  std::string to_string() const;
};

}  // namespace mqwarden::mqtt
