// The checker's state and passes, shared by the check_*.cpp files
// (declarations, expressions, actions, reachability). Internal to the policy
// library. One instance per check; not thread-safe.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/ast.hpp"
#include "policy/diagnostic.hpp"
#include "policy/registry.hpp"

namespace mqwarden::policy::detail {

// What an expression may see.
struct Scope {
  const EventSpec* event = nullptr;         // whose fields plain paths read; null in situations
  const EventSpec* rule_trigger = nullptr;  // what `event.` names inside event patterns; null outside `if`
  const EventSpec* trigger = nullptr;       // set inside an event pattern: `event.` is readable
  std::span<const Parameter> parameters;    // template or situation parameters
  std::string_view filter;                  // non-empty in filters, where temporal operators are refused
  bool pattern_allowed = false;             // true only for operands of temporal operators
};

class Checker {
 public:
  Checker(Policy& policy, const Registry& registry, Diagnostics& diagnostics);
  void run();

  void report(DiagnosticCode code, Span span, std::string message, std::string note = {});

  // ---- declarations (check_declarations.cpp) --------------------------------
  void index_declarations();
  void check_zone(const Zone& zone);
  void check_calendar(const Calendar& calendar);
  void check_situation(Situation& situation);
  void check_situation_cycles();
  void check_template(Template& declared);
  void check_configuration(Configuration& configuration);
  void check_parameters(std::span<const Parameter> parameters);
  void check_event_spec(const EventSpec& event);
  const Situation* find_situation(std::string_view name) const;
  const Template* find_template(std::string_view name) const;
  bool is_zone(std::string_view name) const { return zones_.count(name) != 0; }
  bool is_calendar(std::string_view name) const { return calendars_.count(name) != 0; }

  // ---- rules and actions (check_actions.cpp) --------------------------------
  void check_rule(Rule& rule, std::span<const Parameter> parameters);
  void check_actions(std::vector<Action>& actions, const Rule& rule, const Scope& scope);
  void check_edit(Edit& edit, const Scope& scope);

  // ---- expressions (check_expressions.cpp) ----------------------------------
  Type check(Expr& expr, const Scope& scope);
  // Checks `expr` and reports a type_mismatch unless its type is assignable to `expected`.
  void expect_type(Expr& expr, const Scope& scope, Type expected, std::string_view what);
  // literals_only: the arguments of a static configuration, which must be literals.
  void check_arguments(std::vector<Argument>& arguments, const std::vector<ParameterSpec>& parameters,
                       std::string_view callee, Span call_span, const Scope& scope, bool literals_only = false);
  // A literal, or a template parameter: what a window, count or delay may be.
  bool is_constant(const Expr& expr) const;

  // ---- warnings (check_reachability.cpp) ------------------------------------
  void check_reachability(const Rule& rule);
  void warn_unconfigured_templates();

  Policy& policy;
  const Registry& registry;

 private:
  Diagnostics& diagnostics_;
  // By name, the first declaration of each (names point into `policy`).
  std::map<std::string_view, const Situation*> situations_;
  std::map<std::string_view, const Template*> templates_;
  std::map<std::string_view, const Zone*> zones_;
  std::map<std::string_view, const Calendar*> calendars_;
};

// `true`, `3`, `"x"`, `10 s`, `2 km`, or a list of those.
bool is_literal(const Expr& expr);
std::vector<ParameterSpec> specs_of(std::span<const Parameter> parameters);
// "a string", "an event pattern".
std::string with_article(Type type);
// 95, 8.63: the shortest text that reads back as `value`.
std::string number_text(double value);
// "line 3, column 5" style position of a span, for notes.
std::string where_declared(const Span& span);

}  // namespace mqwarden::policy::detail
