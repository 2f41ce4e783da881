// The compiled form of a policy expression: a tree of Nodes the evaluator
// walks, with names resolved (fields to FieldRefs, parameters to slots, calls
// to host functions, situations to their compiled conditions), constants
// folded into Values, regular expressions compiled once, and JSON paths split
// into steps.
//
// Immutable once compiled; read concurrently by every deciding thread.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "policy/ast.hpp"
#include "policy/host_functions.hpp"
#include "policy/json_path.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

enum class FieldId : std::uint8_t {
  id,
  username,
  cn,
  ip,
  port,
  protocol,
  roles,
  attributes,  // `client.attr.<path>`
  clean_start,
  keep_alive,
  will_topic,
  will_qos,
  will_retain,
  topic,
  qos,
  retain,
  share_group,
  payload_text,  // `payload` as a string
  payload_json,  // `payload.<path>`
  payload_size,
  content_type,
  user_property,  // `user_properties["<key>"]`
  reason,
  context_entity,
  context_name,
  context_value,  // `context.value[.<path>]`
  situation_name,
  situation_argument,  // `situation.<parameter>`
};

struct FieldRef {
  FieldId id = FieldId::topic;
  bool of_subscriber = false;  // `subscriber.*`; `client.*` and `publisher.*` read Event::client
  bool of_trigger = false;     // `event.<path>` inside an event pattern
  JsonPath path;               // attributes, payload_json, context_value
  std::string key;             // user_property
  std::size_t argument = 0;    // situation_argument
};

enum class NodeKind : std::uint8_t {
  constant,
  field,
  parameter,  // a template or situation parameter: Frame::parameters[index]
  now,
  list,    // a list literal with non-literal items
  object,  // a JSON object literal
  negate,
  concat,  // strings joined in order; absent if a part is not a string
  all,
  any,
  compare,
  presence,
  call,       // a host function
  situation,  // a situation's condition with the children as its arguments
  temporal,   // CompiledRule::temporal[index]
};

struct Node {
  NodeKind kind = NodeKind::constant;
  Type type = Type::unknown;
  Span span;
  Value constant;
  FieldRef field;
  std::size_t index = 0;  // parameter slot, situation, temporal site
  CompareOp compare = CompareOp::equal;
  bool present = false;             // presence: `is present`
  bool subscription_topic = false;  // matches: the left operand is a subscription's filter
  bool operands_valid = false;      // matches: the event's topic against a literal (checked) filter
  const HostFunction* function = nullptr;
  std::shared_ptr<const re2::RE2> regex;
  std::vector<std::string> keys;  // object member keys
  std::vector<Node> children;
};

}  // namespace mqwarden::policy
