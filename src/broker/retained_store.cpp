#include "broker/retained_store.hpp"

#include "broker/stored_form.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::broker {

void RetainedStore::retain(const MessagePtr& message, Clock::time_point now) {
  // The broker's own $SYS topics are published afresh at every start, not stored.
  const bool stored = store_ && !message->topic.starts_with("$SYS/");
  std::lock_guard lock(mutex_);
  if (message->payload.empty()) {
    if (messages_.erase(message->topic) > 0 && stored) store_->set_retained(message->topic, nullptr);
  } else {
    messages_.insert_or_assign(message->topic, message);
    if (stored) store_->set_retained(message->topic, to_record(*message, 0, now));
  }
}

void RetainedStore::restore(const MessagePtr& message) {
  std::lock_guard lock(mutex_);
  messages_.insert_or_assign(message->topic, message);
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
