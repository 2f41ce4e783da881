// OutgoingTopicAliases: the Topic Aliases a server assigns on one MQTT 5.0
// connection, to send repeated topics as a two-byte alias (spec 3.3.2.3.4).
//
// The first PUBLISH of a topic carries the topic and a new alias; later ones
// carry the alias and an empty topic. Aliases are handed out in order up to
// the client's Topic Alias Maximum and never reassigned, so a connection
// whose topics keep changing sends the topics beyond the maximum in full.
// Not thread-safe: the connection's send path uses it under its lock.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "mqtt/packets.hpp"

namespace mqwarden::mqtt {

class OutgoingTopicAliases {
 public:
  // `maximum`: the aliases the client accepts [MQTT-3.3.2-9]; 0 turns aliasing off.
  explicit OutgoingTopicAliases(std::uint16_t maximum = 0) : maximum_(maximum) {}

  // What apply() did, so that a PUBLISH that is then not sent can be undone.
  struct Applied {
    bool assigned = false;  // a new alias for the topic, which `publish` still carries
  };
  // Rewrites `publish` (with a non-empty topic and no Topic Alias) to use an alias where it can.
  Applied apply(Publish& publish);
  // Takes back the new alias apply() assigned (applied.assigned) when that
  // PUBLISH is not sent: the alias property is removed and the alias is free again.
  void undo(Publish& publish);

  std::size_t size() const { return aliases_.size(); }

 private:
  std::uint16_t maximum_;
  std::unordered_map<std::string, std::uint16_t> aliases_;
};

}  // namespace mqwarden::mqtt
