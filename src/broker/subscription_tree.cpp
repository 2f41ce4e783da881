#include "broker/subscription_tree.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "mqtt/topic.hpp"

namespace mqwarden::broker {
namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

struct SharedGroup {
  std::string name;
  std::vector<Subscription> members;  // sorted by subscriber
  std::size_t next_member = 0;
};

// Subscriptions sorted by subscriber, so one subscriber's entry is found by binary search.
auto find_subscriber(std::vector<Subscription>& list, SubscriberId subscriber) {
  return std::lower_bound(list.begin(), list.end(), subscriber,
                          [](const Subscription& s, SubscriberId id) { return s.subscriber < id; });
}

bool insert_or_replace(std::vector<Subscription>& list, const Subscription& subscription) {
  auto it = find_subscriber(list, subscription.subscriber);
  if (it != list.end() && it->subscriber == subscription.subscriber) {
    *it = subscription;
    return false;
  }
  list.insert(it, subscription);
  return true;
}

bool erase(std::vector<Subscription>& list, SubscriberId subscriber) {
  auto it = find_subscriber(list, subscriber);
  if (it == list.end() || it->subscriber != subscriber) return false;
  list.erase(it);
  return true;
}

// The group of a `$share/<group>/<filter>` (empty for an ordinary filter), and the filter to match.
std::pair<std::string_view, std::string_view> split_share(std::string_view filter) {
  if (auto shared = mqtt::parse_shared_subscription(filter)) return {shared->group, shared->filter};
  return {{}, filter};
}

// Splits off the first level of `rest`; returns false when it was the last.
bool next_level(std::string_view& rest, std::string_view& level) {
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    level = rest;
    rest = {};
    return false;
  }
  level = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  return true;
}

}  // namespace

struct SubscriptionTree::Node {
  std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
  std::unique_ptr<Node> single_level;  // the "+" child
  std::unique_ptr<Node> multi_level;   // the "#" child
  std::vector<Subscription> subscriptions;
  std::vector<SharedGroup> groups;

  std::vector<SharedGroup>::iterator find_group(std::string_view name) {
    return std::find_if(groups.begin(), groups.end(), [&](const SharedGroup& g) { return g.name == name; });
  }

  bool empty() const {
    return children.empty() && !single_level && !multi_level && subscriptions.empty() && groups.empty();
  }

  std::unique_ptr<Node>* child_slot(std::string_view level) {
    if (level == "+") return &single_level;
    if (level == "#") return &multi_level;
    auto it = children.find(level);
    return it == children.end() ? nullptr : &it->second;
  }

  Node& child(std::string_view level) {
    if (auto* slot = child_slot(level)) {
      if (!*slot) *slot = std::make_unique<Node>();
      return **slot;
    }
    return *children.emplace(std::string(level), std::make_unique<Node>()).first->second;
  }

  void remove_child(std::string_view level) {
    if (level == "+") {
      single_level.reset();
    } else if (level == "#") {
      multi_level.reset();
    } else {
      children.erase(children.find(level));
    }
  }

  void visit(SubscriptionVisitor& visitor) {
    for (const Subscription& subscription : subscriptions) visitor.on_subscription(subscription);
    for (SharedGroup& group : groups) visitor.on_shared_group(group.name, group.members, group.next_member);
  }

  // The topic ends at this node: its own subscriptions match, and so do those
  // of its "#" child, since "a/#" also matches "a".
  void visit_end(SubscriptionVisitor& visitor) {
    visit(visitor);
    if (multi_level) multi_level->visit(visitor);
  }

  // Visits the subscriptions matching `topic` below this node (the root).
  // The "+" branches wait on an explicit stack rather than a recursion a
  // topic of thousands of levels would take deeper than a thread's stack.
  void match(std::string_view topic, SubscriptionVisitor& visitor) {
    const bool dollar_topic = !topic.empty() && topic.front() == '$';
    struct Branch {
      Node* node;
      std::string_view rest;
      bool first_level;
    };
    std::vector<Branch> branches{{this, topic, true}};
    while (!branches.empty()) {
      auto [node, rest, first_level] = branches.back();
      branches.pop_back();
      while (node != nullptr) {
        const bool wildcards_apply = !(first_level && dollar_topic);  // [MQTT-4.7.2-1]
        if (wildcards_apply && node->multi_level) node->multi_level->visit(visitor);
        std::string_view level;
        const bool more = next_level(rest, level);
        if (wildcards_apply && node->single_level) {
          if (more) {
            branches.push_back({node->single_level.get(), rest, false});
          } else {
            node->single_level->visit_end(visitor);
          }
        }
        auto it = node->children.find(level);
        if (it == node->children.end()) break;
        node = it->second.get();
        if (!more) {
          node->visit_end(visitor);
          break;
        }
        first_level = false;
      }
    }
  }

  // Moves this node's children into `out`, leaving it with none.
  void release_children(std::vector<std::unique_ptr<Node>>& out) {
    for (auto& [level, child] : children) out.push_back(std::move(child));
    children.clear();
    if (single_level) out.push_back(std::move(single_level));
    if (multi_level) out.push_back(std::move(multi_level));
  }
};

SubscriptionTree::SubscriptionTree() : root_(std::make_unique<Node>()) {}
SubscriptionTree::~SubscriptionTree() {
  // Node by node: the nodes' own destructors would recurse once per level.
  std::vector<std::unique_ptr<Node>> doomed;
  root_->release_children(doomed);
  while (!doomed.empty()) {
    std::unique_ptr<Node> node = std::move(doomed.back());
    doomed.pop_back();
    node->release_children(doomed);
  }
}

bool SubscriptionTree::add(std::string_view full_filter, const Subscription& subscription) {
  const auto [group, filter] = split_share(full_filter);
  Node* node = root_.get();
  std::string_view rest = filter;
  std::string_view level;
  bool more = true;
  while (more) {
    more = next_level(rest, level);
    node = &node->child(level);
  }
  bool added;
  if (group.empty()) {
    added = insert_or_replace(node->subscriptions, subscription);
  } else {
    auto it = node->find_group(group);
    if (it == node->groups.end()) it = node->groups.insert(it, SharedGroup{std::string(group), {}, 0});
    added = insert_or_replace(it->members, subscription);
  }
  if (added) ++size_;
  return added;
}

bool SubscriptionTree::remove(std::string_view full_filter, SubscriberId subscriber) {
  const auto [group, filter] = split_share(full_filter);
  // The path from the root, to prune nodes left empty.
  std::vector<std::pair<Node*, std::string_view>> path;
  Node* node = root_.get();
  std::string_view rest = filter;
  std::string_view level;
  bool more = true;
  while (more) {
    more = next_level(rest, level);
    std::unique_ptr<Node>* slot = node->child_slot(level);
    if (slot == nullptr || !*slot) return false;
    path.emplace_back(node, level);
    node = slot->get();
  }
  bool removed;
  if (group.empty()) {
    removed = erase(node->subscriptions, subscriber);
  } else {
    auto it = node->find_group(group);
    if (it == node->groups.end()) return false;
    removed = erase(it->members, subscriber);
    if (it->members.empty()) {
      node->groups.erase(it);
    } else {
      it->next_member %= it->members.size();
    }
  }
  if (!removed) return false;
  --size_;
  for (auto step = path.rbegin(); step != path.rend() && node->empty(); ++step) {
    Node* parent = step->first;
    parent->remove_child(step->second);
    node = parent;
  }
  return true;
}

void SubscriptionTree::match(std::string_view topic, SubscriptionVisitor& visitor) {
  root_->match(topic, visitor);
}

}  // namespace mqwarden::broker
