#include "policy/ast.hpp"

#include "common/overloaded.hpp"

namespace mqwarden::policy {

std::string_view to_string(Mode mode) { return mode == Mode::tentative ? "tentative" : "actual"; }

std::string_view to_string(Activity activity) {
  switch (activity) {
    case Activity::connect: return "connect";
    case Activity::subscribe: return "subscribe";
    case Activity::unsubscribe: return "unsubscribe";
    case Activity::publish: return "publish";
    case Activity::deliver: return "deliver";
    case Activity::ping: return "ping";
    case Activity::disconnect: return "disconnect";
    case Activity::situation_starts: return "situation starts";
    case Activity::situation_ends: return "situation ends";
    case Activity::context_changes: return "context changes";
  }
  return "event";
}

std::optional<Activity> mqtt_activity_named(std::string_view name) {
  for (Activity activity : {Activity::connect, Activity::subscribe, Activity::unsubscribe, Activity::publish,
                            Activity::deliver, Activity::ping, Activity::disconnect}) {
    if (to_string(activity) == name) return activity;
  }
  return std::nullopt;
}

bool is_mqtt_activity(Activity activity) {
  return activity != Activity::situation_starts && activity != Activity::situation_ends &&
         activity != Activity::context_changes;
}

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::equal: return "==";
    case CompareOp::not_equal: return "!=";
    case CompareOp::less: return "<";
    case CompareOp::less_equal: return "<=";
    case CompareOp::greater: return ">";
    case CompareOp::greater_equal: return ">=";
    case CompareOp::in: return "in";
    case CompareOp::not_in: return "not in";
    case CompareOp::contains: return "contains";
    case CompareOp::matches: return "matches";
    case CompareOp::matches_regex: return "matches regex";
  }
  return "?";
}

std::string_view to_string(TemporalOp op) {
  switch (op) {
    case TemporalOp::always: return "always";
    case TemporalOp::before: return "before";
    case TemporalOp::within: return "within";
    case TemporalOp::during: return "during";
    case TemporalOp::since: return "since";
    case TemporalOp::rep_max: return "repMax";
    case TemporalOp::rep_lim: return "repLim";
    case TemporalOp::rep_since: return "repSince";
    case TemporalOp::count: return "count";
  }
  return "?";
}

std::optional<TemporalOp> temporal_op_named(std::string_view name) {
  for (TemporalOp op : {TemporalOp::always, TemporalOp::before, TemporalOp::within, TemporalOp::during,
                        TemporalOp::since, TemporalOp::rep_max, TemporalOp::rep_lim, TemporalOp::rep_since,
                        TemporalOp::count}) {
    if (to_string(op) == name) return op;
  }
  return std::nullopt;
}

std::string_view to_string(EditKind kind) {
  switch (kind) {
    case EditKind::set: return "set";
    case EditKind::remove: return "remove";
    case EditKind::replace: return "replace";
    case EditKind::pseudonymise: return "pseudonymise";
    case EditKind::round: return "round";
    case EditKind::truncate: return "truncate";
    case EditKind::blur: return "blur";
  }
  return "?";
}

void for_each_child(const Expr& expr, const std::function<void(const Expr&)>& visit) {
  auto each = [&](const std::vector<ExprPtr>& children) {
    for (const ExprPtr& child : children) visit(*child);
  };
  auto each_argument = [&](const std::vector<Argument>& arguments) {
    for (const Argument& argument : arguments) visit(*argument.value);
  };
  std::visit(Overloaded{
                 [&](const ListLiteral& list) { each(list.items); },
                 [&](const ObjectLiteral& object) {
                   for (const ObjectMember& member : object.members) visit(*member.value);
                 },
                 [&](const Not& negation) { visit(*negation.operand); },
                 [&](const Concat& concat) { each(concat.parts); },
                 [&](const Logical& logical) { each(logical.operands); },
                 [&](const Compare& compare) {
                   visit(*compare.left);
                   visit(*compare.right);
                 },
                 [&](const Presence& presence) { visit(*presence.operand); },
                 [&](const Call& call) { each_argument(call.arguments); },
                 [&](const SituationRef& situation) { each_argument(situation.arguments); },
                 [&](const EventPattern& pattern) {
                   if (pattern.where) visit(*pattern.where);
                 },
                 [&](const Temporal& temporal) { each(temporal.operands); },
                 [](const auto&) {},
             },
             expr.node);
}

std::string Path::dotted() const {
  std::string out = of_trigger ? "event" : "";
  for (const PathSegment& segment : segments) {
    if (segment.index) {
      out += '[' + segment.name + ']';
    } else if (segment.bracketed) {
      out += "[\"" + segment.name + "\"]";
    } else {
      if (!out.empty()) out += '.';
      out += segment.name;
    }
  }
  return out;
}

std::string to_string(const CalendarDate& date) {
  const auto two = [](int n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  std::string text = std::to_string(date.year) + "-" + two(date.month) + "-" + two(date.day);
  if (date.minute) text += " " + two(*date.minute / 60) + ":" + two(*date.minute % 60);
  return text;
}

}  // namespace mqwarden::policy
