// Diagnostics of the policy front end: what is wrong (or suspicious) in a
// policy, where, and how to show it to an operator the way a compiler does:
//
//   home.policy:12:9: error: unknown field 'client.usrname' in publish events [unknown-field]
//    12 |   where client.usrname == "tv"
//       |         ^~~~~~~~~~~~~~
//   note: did you mean 'client.username'?
//
// Every diagnostic has a stable code (its name in brackets) so that tools and
// tests need not match message text. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/source.hpp"

namespace mqwarden::policy {

enum class DiagnosticCode : std::uint8_t {
  unreadable_file,
  // lexer
  unexpected_character,
  unterminated_string,
  invalid_escape,
  invalid_number,
  invalid_time,
  // parser
  syntax,
  nesting_too_deep,
  missing_mode,
  mode_not_applicable,
  unknown_activity,
  unnamed_rule,
  reserved_word,
  chained_comparison,
  positional_after_named,
  unknown_type,
  negative_quantity,
  // checker: names
  unknown_field,
  unknown_name,
  unknown_function,
  unknown_reaction,
  unknown_situation,
  unknown_template,
  unknown_context,
  unknown_time_zone,
  unknown_parameter,
  missing_argument,
  wrong_arity,
  duplicate_declaration,
  duplicate_parameter,
  duplicate_argument,
  duplicate_key,
  recursive_situation,
  // checker: types and placement
  type_mismatch,
  incomparable_types,
  invalid_topic_filter,
  regex_not_literal,
  pattern_outside_temporal,
  temporal_in_filter,
  trigger_field_outside_pattern,
  not_constant,
  out_of_range,
  // checker: actions
  verdict_on_actual,
  action_not_applicable,
  conflicting_verdicts,
  not_modifiable,
  // warnings
  unreachable_rule,
  unreachable_else,
  unconfigured_template,
};
inline constexpr std::size_t kDiagnosticCodeCount = static_cast<std::size_t>(DiagnosticCode::unconfigured_template) + 1;

enum class Severity : std::uint8_t { error, warning };

// "unknown-field"
std::string_view to_string(DiagnosticCode code);
Severity severity_of(DiagnosticCode code);

struct Diagnostic {
  DiagnosticCode code;
  Span span;
  std::string message;
  std::string note;  // optional hint: a suggestion, or where the first declaration is

  Severity severity() const { return severity_of(code); }
};

using Diagnostics = std::vector<Diagnostic>;

bool has_errors(const Diagnostics& diagnostics);

// The compiler-style rendering shown above, ending with a line break.
std::string format(const Diagnostic& diagnostic, const SourceSet& sources);
std::string format(const Diagnostics& diagnostics, const SourceSet& sources);

}  // namespace mqwarden::policy
