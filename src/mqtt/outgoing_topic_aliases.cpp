#include "mqtt/outgoing_topic_aliases.hpp"

namespace mqwarden::mqtt {

OutgoingTopicAliases::Applied OutgoingTopicAliases::apply(Publish& publish) {
  if (maximum_ == 0 || publish.topic.empty()) return {};
  auto found = aliases_.find(publish.topic);
  if (found != aliases_.end()) {
    publish.properties.add_number(PropertyId::topic_alias, found->second);
    publish.topic.clear();  // the alias stands for it [MQTT-3.3.2-13]
    return {};
  }
  if (aliases_.size() >= maximum_) return {};
  const auto alias = static_cast<std::uint16_t>(aliases_.size() + 1);
  aliases_.emplace(publish.topic, alias);
  publish.properties.add_number(PropertyId::topic_alias, alias);
  return {true};
}

void OutgoingTopicAliases::undo(Publish& publish) {
  publish.properties.remove(PropertyId::topic_alias);
  aliases_.erase(publish.topic);
}

}  // namespace mqwarden::mqtt
