// RetainedStore: the last retained message of each topic (spec 3.3.1.3),
// in a tree of topic levels, so that a new subscription with wildcards costs
// in proportion to what its filter can match, not to every retained topic.
//
// With a store, each change is also written there, under the same lock, so
// the stored retained message of a topic is the last one set in memory.
//
// Thread-safe (one mutex): it is touched by PUBLISHes with RETAIN set and by
// new subscriptions, not by ordinary message routing.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "broker/message.hpp"
#include "store/store.hpp"

namespace mqwarden::broker {

class RetainedStore {
 public:
  // `store` (null: nothing is written) outlives this.
  explicit RetainedStore(store::Store* store) : store_(store) {}
  ~RetainedStore();
  RetainedStore(const RetainedStore&) = delete;
  RetainedStore& operator=(const RetainedStore&) = delete;

  // Stores `message`, received at `now`, as its topic's retained message; an
  // empty payload removes the topic's retained message instead [MQTT-3.3.1-10, -11].
  void retain(const MessagePtr& message, Clock::time_point now);
  // Puts back a retained message read from the store (not written again).
  void restore(const MessagePtr& message);

  // The unexpired retained messages whose topics match `filter` (a valid
  // topic filter, not a shared subscription).
  std::vector<MessagePtr> matching(std::string_view filter, Clock::time_point now) const;

  std::size_t size() const;

 private:
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> children;  // by topic level
    MessagePtr message;                                                  // retained at the topic ending here
  };

  // Sets (or, with null, clears) the message of `topic`; false when clearing found nothing.
  bool put(std::string_view topic, MessagePtr message);

  store::Store* const store_;
  mutable std::mutex mutex_;
  Node root_;
  std::size_t size_ = 0;
};

}  // namespace mqwarden::broker
