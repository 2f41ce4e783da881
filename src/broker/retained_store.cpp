#include "broker/retained_store.hpp"

#include "mqtt/topic.hpp"

namespace mqwarden::broker {

void RetainedStore::retain(const MessagePtr& message) {
  std::lock_guard lock(mutex_);
  if (message->payload.empty()) {
    messages_.erase(message->topic);
  } else {
    messages_.insert_or_assign(message->topic, message);
  }
}

std::vector<MessagePtr> RetainedStore::matching(std::string_view filter, Clock::time_point now) const {
  std::vector<MessagePtr> found;
  std::lock_guard lock(mutex_);
  // A filter without wildcards names one topic; otherwise scan the topics.
  if (!mqtt::has_wildcard(filter)) {
    auto it = messages_.find(filter);
    if (it != messages_.end() && !it->second->expired(now)) found.push_back(it->second);
    return found;
  }
  for (const auto& [topic, message] : messages_) {
    if (mqtt::topic_matches(filter, topic) && !message->expired(now)) found.push_back(message);
  }
  return found;
}

std::size_t RetainedStore::size() const {
  std::lock_guard lock(mutex_);
  return messages_.size();
}

}  // namespace mqwarden::broker
