#include "policy/checker.hpp"

#include <algorithm>
#include <charconv>

#include "policy/checker_internal.hpp"

namespace mqwarden::policy {
namespace detail {

Checker::Checker(Policy& checked, const Registry& host, Diagnostics& diagnostics)
    : policy(checked), registry(host), diagnostics_(diagnostics) {}

void Checker::report(DiagnosticCode code, Span span, std::string message, std::string note) {
  diagnostics_.push_back(Diagnostic{code, span, std::move(message), std::move(note)});
}

void Checker::run() {
  index_declarations();
  for (const Zone& zone : policy.zones) check_zone(zone);
  for (const Calendar& calendar : policy.calendars) check_calendar(calendar);
  for (Situation& situation : policy.situations) check_situation(situation);
  check_situation_cycles();
  for (Template& declared : policy.templates) check_template(declared);
  for (Configuration& configuration : policy.configurations) check_configuration(configuration);
  for (Rule& rule : policy.rules) check_rule(rule, {});
  warn_unconfigured_templates();
}

std::vector<ParameterSpec> specs_of(std::span<const Parameter> parameters) {
  std::vector<ParameterSpec> specs;
  for (const Parameter& parameter : parameters) specs.push_back({parameter.name, parameter.type});
  return specs;
}

std::string with_article(Type type) {
  const std::string name(to_string(type));
  const bool vowel = name.front() == 'a' || name.front() == 'e' || name.front() == 'u';
  return (vowel ? "an " : "a ") + name;
}

std::string number_text(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string where_declared(const Span& span) {
  return "line " + std::to_string(span.line) + ", column " + std::to_string(span.column);
}

}  // namespace detail

Diagnostics check(Policy& policy, const Registry& registry) {
  Diagnostics diagnostics;
  detail::Checker(policy, registry, diagnostics).run();
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.span.file != b.span.file ? a.span.file < b.span.file : a.span.offset < b.span.offset;
  });
  return diagnostics;
}

}  // namespace mqwarden::policy
