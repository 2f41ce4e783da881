#include "broker/retained_store.hpp"

#include <utility>

#include "broker/stored_form.hpp"

namespace mqwarden::broker {
namespace {

// The levels of a topic name or filter: "a//b" is "a", "", "b".
std::vector<std::string_view> levels_of(std::string_view topic) {
  std::vector<std::string_view> levels;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = topic.find('/', start);
    levels.push_back(topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return levels;
    start = slash + 1;
  }
}

// Topics starting with '$' are not matched by a filter starting with a wildcard [MQTT-4.7.2-1].
bool hidden_from_wildcard(std::string_view level, std::size_t depth) {
  return depth == 0 && level.starts_with('$');
}

}  // namespace

RetainedStore::~RetainedStore() {
  // Node by node, not by the nodes' own destructors, whose recursion a topic
  // of thousands of levels would take deeper than a thread's stack.
  std::vector<std::unique_ptr<Node>> doomed;
  for (auto& [level, child] : root_.children) doomed.push_back(std::move(child));
  while (!doomed.empty()) {
    std::unique_ptr<Node> node = std::move(doomed.back());
    doomed.pop_back();
    for (auto& [level, child] : node->children) doomed.push_back(std::move(child));
  }
}

void RetainedStore::retain(const MessagePtr& message, Clock::time_point now) {
  // The broker's own $SYS topics are published afresh at every start, not stored.
  const bool stored = store_ && !message->topic.starts_with("$SYS/");
  std::lock_guard lock(mutex_);
  if (message->payload.empty()) {
    if (put(message->topic, nullptr) && stored) store_->set_retained(message->topic, nullptr);
  } else {
    put(message->topic, message);
    if (stored) store_->set_retained(message->topic, to_record(*message, 0, now));
  }
}

void RetainedStore::restore(const MessagePtr& message) {
  std::lock_guard lock(mutex_);
  put(message->topic, message);
}

bool RetainedStore::put(std::string_view topic, MessagePtr message) {
  const std::vector<std::string_view> levels = levels_of(topic);
  if (message) {
    Node* node = &root_;
    for (std::string_view level : levels) {
      auto it = node->children.find(level);
      if (it == node->children.end()) it = node->children.emplace(std::string(level), std::make_unique<Node>()).first;
      node = it->second.get();
    }
    if (!node->message) ++size_;
    node->message = std::move(message);
    return true;
  }
  // Clearing: find the path, then prune the nodes left holding nothing, deepest first.
  std::vector<Node*> path{&root_};
  for (std::string_view level : levels) {
    auto it = path.back()->children.find(level);
    if (it == path.back()->children.end()) return false;
    path.push_back(it->second.get());
  }
  if (!path.back()->message) return false;
  path.back()->message.reset();
  --size_;
  for (std::size_t depth = levels.size(); depth > 0; --depth) {
    const Node* node = path[depth];
    if (node->message || !node->children.empty()) break;
    path[depth - 1]->children.erase(path[depth - 1]->children.find(levels[depth - 1]));
  }
  return true;
}

std::vector<MessagePtr> RetainedStore::matching(std::string_view filter, Clock::time_point now) const {
  const std::vector<std::string_view> levels = levels_of(filter);
  std::vector<MessagePtr> found;
  auto take = [&](const Node& node) {
    if (node.message && !node.message->expired(now)) found.push_back(node.message);
  };
  std::lock_guard lock(mutex_);
  // Explicit stacks, not recursion: a topic may have thousands of levels.
  std::vector<std::pair<const Node*, std::size_t>> pending{{&root_, 0}};  // node, filter level to match
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (depth == levels.size()) {
      take(*node);
      continue;
    }
    const std::string_view level = levels[depth];
    if (level == "#") {
      // The parent level too: "sport/#" matches "sport" [MQTT-4.7.1-2].
      if (depth > 0) take(*node);
      std::vector<const Node*> subtree;
      for (const auto& [name, child] : node->children) {
        if (!hidden_from_wildcard(name, depth)) subtree.push_back(child.get());
      }
      while (!subtree.empty()) {
        const Node* next = subtree.back();
        subtree.pop_back();
        take(*next);
        for (const auto& [name, child] : next->children) subtree.push_back(child.get());
      }
    } else if (level == "+") {
      for (const auto& [name, child] : node->children) {
        if (!hidden_from_wildcard(name, depth)) pending.emplace_back(child.get(), depth + 1);
      }
    } else if (auto it = node->children.find(level); it != node->children.end()) {
      pending.emplace_back(it->second.get(), depth + 1);
    }
  }
  return found;
}

std::size_t RetainedStore::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace mqwarden::broker
