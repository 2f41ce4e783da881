#include "policy/evaluate.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "policy/compare.hpp"
#include "policy/read_field.hpp"
#include "policy/temporal_state.hpp"

namespace mqwarden::policy {
namespace {

constexpr std::size_t kInlineArguments = 8;
// Concatenations up to this many bytes that a comparison consumes are built on the stack.
constexpr std::size_t kInlineText = 256;

Value build_list(const Node& node, const Frame& frame) {
  if (node.type == Type::number_list) {
    std::vector<double> items;
    for (const Node& child : node.children) items.push_back(evaluate(child, frame).as_number());
    return Value::numbers(frame.arena.keep(std::move(items)));
  }
  std::vector<std::string> items;
  for (const Node& child : node.children) items.emplace_back(evaluate(child, frame).as_string());
  return Value::strings(frame.arena.keep(std::move(items)));
}

Value build_object(const Node& node, const Frame& frame) {
  nlohmann::json object = nlohmann::json::object();
  for (std::size_t i = 0; i < node.children.size(); ++i)
    object[node.keys[i]] = to_json(evaluate(node.children[i], frame));
  return Value::json(&frame.arena.keep(std::move(object)));
}

// Evaluates the children into `out` and calls `use(span of values)`.
template <class Use>
Value with_arguments(const Node& node, const Frame& frame, Use use) {
  if (node.children.size() <= kInlineArguments) {
    std::array<Value, kInlineArguments> values;
    for (std::size_t i = 0; i < node.children.size(); ++i) values[i] = evaluate(node.children[i], frame);
    return use(std::span<const Value>(values.data(), node.children.size()));
  }
  std::vector<Value> values;
  for (const Node& child : node.children) values.push_back(evaluate(child, frame));
  return use(std::span<const Value>(values));
}

// Joins the parts' text in `buffer` when it fits, else in the arena; absent if a part is not a string.
Value concatenate(const Node& node, const Frame& frame, std::span<char> buffer) {
  std::size_t used = 0;
  std::string spilled;
  bool spilling = false;
  for (const Node& part : node.children) {
    const Value value = evaluate(part, frame);
    if (value.kind() != ValueKind::string) return {};
    const std::string_view text = value.as_string();
    if (!spilling && text.size() <= buffer.size() - used) {
      std::copy(text.begin(), text.end(), buffer.begin() + static_cast<std::ptrdiff_t>(used));
      used += text.size();
      continue;
    }
    if (!spilling) spilled.assign(buffer.data(), used);
    spilling = true;
    spilled += text;
  }
  if (spilling) return Value::string(frame.arena.keep(std::move(spilled)));
  return Value::string(std::string_view(buffer.data(), used));
}

// A comparison keeps neither operand, so the text of a concatenation it compares may live on the stack.
bool compare_operands(const Node& node, const Frame& frame) {
  std::array<char, kInlineText> left_text;
  std::array<char, kInlineText> right_text;
  const auto operand = [&](const Node& child, std::span<char> buffer) {
    return child.kind == NodeKind::concat ? concatenate(child, frame, buffer) : evaluate(child, frame);
  };
  return compare(node, operand(node.children[0], left_text), operand(node.children[1], right_text));
}

Value situation(const Node& node, const Frame& frame) {
  const CompiledSituation& declared = frame.policy.situations[node.index];
  return with_arguments(node, frame, [&](std::span<const Value> arguments) {
    const Frame inner{frame.policy, frame.event, arguments, frame.arena, frame.temporal, frame.instance};
    return Value::boolean(holds(declared.condition, inner));
  });
}

}  // namespace

Value evaluate(const Node& node, const Frame& frame) {
  switch (node.kind) {
    case NodeKind::constant: return node.constant;
    case NodeKind::field: return read_field(node.field, frame.event);
    case NodeKind::parameter: return node.index < frame.parameters.size() ? frame.parameters[node.index] : Value();
    case NodeKind::now: return Value::time(frame.event.time_ms);
    case NodeKind::list: return build_list(node, frame);
    case NodeKind::object: return build_object(node, frame);
    case NodeKind::negate: return Value::boolean(!holds(node.children.front(), frame));
    case NodeKind::concat: return concatenate(node, frame, {});
    case NodeKind::all:
      for (const Node& child : node.children) {
        if (!holds(child, frame)) return Value::boolean(false);
      }
      return Value::boolean(true);
    case NodeKind::any:
      for (const Node& child : node.children) {
        if (holds(child, frame)) return Value::boolean(true);
      }
      return Value::boolean(false);
    case NodeKind::compare: return Value::boolean(compare_operands(node, frame));
    case NodeKind::presence: return Value::boolean(evaluate(node.children.front(), frame).is_absent() != node.present);
    case NodeKind::call:
      return with_arguments(node, frame,
                            [&](std::span<const Value> arguments) { return (*node.function)(arguments, frame.arena); });
    case NodeKind::situation: return situation(node, frame);
    case NodeKind::temporal:
      if (frame.temporal == nullptr || frame.instance == nullptr) return {};
      return frame.temporal->read(frame.instance->rule->temporal[node.index], node.index, frame);
  }
  return {};
}

bool holds(const Node& node, const Frame& frame) {
  const Value value = evaluate(node, frame);
  return value.kind() == ValueKind::boolean && value.as_bool();
}

}  // namespace mqwarden::policy
