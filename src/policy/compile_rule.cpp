// Rules and their actions.
#include <algorithm>

#include "common/overloaded.hpp"
#include "policy/compile_internal.hpp"

namespace mqwarden::policy::detail {
namespace {

JsonPath payload_path(const Expr& target) {
  const auto& segments = std::get<Path>(target.node).segments;
  return json_path_from(std::span(segments).subspan(1));
}

CompiledEdit compile_edit(CompileState& state, const Edit& edit, const CompileScope& scope) {
  CompiledEdit out;
  out.kind = edit.kind;
  if (!edit.targets.empty()) out.target = payload_path(*edit.targets[0]);
  if (edit.targets.size() > 1) out.second_target = payload_path(*edit.targets[1]);
  if (edit.value) out.value = compile_expression(state, *edit.value, scope);
  return out;
}

CompiledAction compile_action(CompileState& state, const Action& action, const CompileScope& scope) {
  CompiledAction out;
  std::visit(Overloaded{
                 [&](const Allow&) { out.kind = ActionKind::allow; },
                 [&](const Deny& deny) {
                   out.kind = ActionKind::deny;
                   out.reason = deny.reason.value_or("");
                   if (deny.code) out.code = static_cast<std::uint8_t>(*deny.code);
                 },
                 [&](const Modify& modify) {
                   out.kind = ActionKind::modify;
                   for (const Edit& edit : modify.edits) out.edits.push_back(compile_edit(state, edit, scope));
                 },
                 [&](const Delay& delay) {
                   out.kind = ActionKind::delay;
                   out.delay = compile_expression(state, *delay.duration, scope);
                 },
                 [&](const Execute& execute) {
                   out.kind = ActionKind::execute;
                   out.reaction = execute.reaction;
                   const ReactionSpec* spec = state.input.registry.reaction(execute.reaction);
                   if (spec != nullptr)
                     out.arguments = compile_arguments(state, execute.arguments, spec->parameters, scope);
                 },
             },
             action.node);
  return out;
}

std::vector<CompiledAction> compile_actions(CompileState& state, const std::vector<Action>& actions,
                                            const CompileScope& scope) {
  std::vector<CompiledAction> out;
  for (const Action& action : actions) out.push_back(compile_action(state, action, scope));
  return out;
}

bool reads_subscriber(const Node& node) {
  if (node.kind == NodeKind::field && node.field.of_subscriber) return true;
  return std::any_of(node.children.begin(), node.children.end(), reads_subscriber);
}

// Splits a deliver rule's `where` into its publication part and its subscriber part.
void split_where(CompiledRule& rule) {
  if (!rule.where || rule.trigger.activity != Activity::deliver) return;
  const Node& where = *rule.where;
  const std::vector<Node> single{where};
  const std::vector<Node>& conjuncts = where.kind == NodeKind::all ? where.children : single;
  Node publication = where;
  publication.kind = NodeKind::all;
  publication.children.clear();
  Node subscriber = publication;
  for (const Node& conjunct : conjuncts)
    (reads_subscriber(conjunct) ? subscriber : publication).children.push_back(conjunct);
  if (!publication.children.empty()) rule.where_publication = std::move(publication);
  if (!subscriber.children.empty()) rule.where_subscriber = std::move(subscriber);
}

}  // namespace

std::string_view text_of(const SourceSet& sources, const Span& span) {
  if (span.file >= sources.size()) return {};
  const std::string& text = sources.file(span.file).text;
  return std::string_view(text).substr(std::min<std::size_t>(span.offset, text.size()), span.length);
}

CompiledRule compile_rule(CompileState& state, const Rule& rule, std::span<const Parameter> parameters) {
  CompiledRule out;
  out.name = rule.name;
  out.span = rule.span;
  out.trigger = rule.trigger;
  out.fingerprint = std::string(text_of(state.input.sources, rule.span));
  CompileScope scope;
  scope.event = &rule.trigger;
  scope.parameters = parameters;
  if (rule.where) out.where = compile_expression(state, *rule.where, scope);
  CompileScope condition_scope = scope;
  condition_scope.temporal = &out.temporal;
  if (rule.condition) out.condition = compile_expression(state, *rule.condition, condition_scope);
  out.then_actions = compile_actions(state, rule.then_actions, scope);
  out.else_actions = compile_actions(state, rule.else_actions, scope);
  out.hint = index_hint(out.where ? &*out.where : nullptr);
  split_where(out);
  return out;
}

}  // namespace mqwarden::policy::detail
