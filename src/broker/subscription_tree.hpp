// SubscriptionTree: the topic filters clients subscribed to, organised as a
// tree of topic levels so that finding the subscriptions matching a topic
// costs in proportion to the topic's levels and the matches, not to the
// number of subscriptions (MQTT spec 4.7). Shared subscriptions
// (`$share/<group>/<filter>`, spec 4.8.2) are kept as groups at their filter.
//
// Not thread-safe: one tree is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "mqtt/packets.hpp"

namespace mqwarden::broker {

// Identifies a session for the lifetime of the broker process.
using SubscriberId = std::uint64_t;

struct Subscription {
  SubscriberId subscriber = 0;
  mqtt::SubscribeOptions options;
  std::uint32_t identifier = 0;  // MQTT 5.0 Subscription Identifier; 0: none

  friend bool operator==(const Subscription&, const Subscription&) = default;
};

// Receives the subscriptions that match a topic.
class SubscriptionVisitor {
 public:
  virtual ~SubscriptionVisitor() = default;
  // An ordinary (not shared) subscription whose filter matches.
  virtual void on_subscription(const Subscription& subscription) = 0;
  // A shared subscription group whose filter matches: the visitor delivers to
  // one member, starting its search at `next_member` (the round-robin cursor,
  // which it advances past the member chosen). `members` is never empty.
  virtual void on_shared_group(std::string_view group, std::span<const Subscription> members,
                               std::size_t& next_member) = 0;
};

class SubscriptionTree {
 public:
  SubscriptionTree();
  ~SubscriptionTree();
  SubscriptionTree(const SubscriptionTree&) = delete;
  SubscriptionTree& operator=(const SubscriptionTree&) = delete;

  // Adds the subscription of `subscription.subscriber` to `filter`, a valid
  // topic filter (validate_topic_filter), or replaces that subscriber's
  // existing one to the same filter [MQTT-3.8.4-3]. Returns true when new.
  bool add(std::string_view filter, const Subscription& subscription);

  // Removes `subscriber`'s subscription to `filter`; returns whether it existed.
  bool remove(std::string_view filter, SubscriberId subscriber);

  // Visits every subscription matching `topic`, a valid topic name. A filter
  // starting with a wildcard does not match a topic starting with '$' [MQTT-4.7.2-1].
  void match(std::string_view topic, SubscriptionVisitor& visitor);

  // The number of subscriptions, shared ones included.
  std::size_t size() const { return size_; }

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::size_t size_ = 0;
};

}  // namespace mqwarden::broker
