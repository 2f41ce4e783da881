// Indexing hints from a rule's compiled `where` (see rule_index.hpp).
#include "policy/compile_internal.hpp"

namespace mqwarden::policy::detail {
namespace {

bool is_field(const Node& node, FieldId id) {
  return node.kind == NodeKind::field && node.field.id == id;
}

// A field that reads as a string (not JSON) from the triggering event.
bool is_string_field(const Node& node) {
  if (node.kind != NodeKind::field || node.field.of_trigger) return false;
  switch (node.field.id) {
    case FieldId::id:
    case FieldId::username:
    case FieldId::cn:
    case FieldId::ip:
    case FieldId::topic:
    case FieldId::will_topic:
    case FieldId::share_group:
    case FieldId::content_type:
    case FieldId::reason:
    case FieldId::context_entity: return true;
    default: return false;
  }
}

std::optional<std::string> literal_first_level(const Node& filter, bool is_filter) {
  if (filter.kind != NodeKind::constant || filter.constant.kind() != ValueKind::string) return std::nullopt;
  const std::string_view text = filter.constant.as_string();
  const std::string_view level = text.substr(0, text.find('/'));
  if (is_filter && (level == "+" || level == "#")) return std::nullopt;
  return std::string(level);
}

void learn(const Node& conjunct, IndexHint& hint) {
  if (conjunct.kind != NodeKind::compare || conjunct.children.size() != 2) return;
  const Node& left = conjunct.children[0];
  const Node& right = conjunct.children[1];
  if (conjunct.compare == CompareOp::matches && is_field(left, FieldId::topic) && !hint.topic_level) {
    hint.topic_level = literal_first_level(right, true);
  }
  if (conjunct.compare != CompareOp::equal) return;
  if (!hint.topic_level) {
    if (is_field(left, FieldId::topic)) hint.topic_level = literal_first_level(right, false);
    if (is_field(right, FieldId::topic)) hint.topic_level = literal_first_level(left, false);
  }
  if (hint.keyed_field) return;
  const auto keyed = [&](const Node& field, const Node& parameter) {
    if (is_string_field(field) && parameter.kind == NodeKind::parameter && is_stringy(parameter.type)) {
      hint.keyed_field = field.field;
      hint.keyed_parameter = parameter.index;
    }
  };
  keyed(left, right);
  if (!hint.keyed_field) keyed(right, left);
}

}  // namespace

IndexHint index_hint(const Node* where) {
  IndexHint hint;
  if (where == nullptr) return hint;
  if (where->kind == NodeKind::all) {
    for (const Node& conjunct : where->children) learn(conjunct, hint);
  } else {
    learn(*where, hint);
  }
  return hint;
}

}  // namespace mqwarden::policy::detail
