// The compiler's shared state and the expression compiler, used by the
// compile_*.cpp files. Internal to the policy library; one instance per
// compilation, not thread-safe.
#pragma once

#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "policy/compile.hpp"

namespace mqwarden::policy::detail {

struct CompileState {
  const CompileInput& input;
  CompiledPolicy& output;
  Diagnostics diagnostics;
  std::map<std::string_view, std::size_t> situations;  // name -> index in output.situations
  std::map<std::string_view, const CompiledZone*> zones;
  std::map<std::string_view, const CompiledCalendar*> calendars;

  void error(DiagnosticCode code, Span span, std::string message, std::string note = {}) {
    diagnostics.push_back({code, span, std::move(message), std::move(note)});
  }
};

// What an expression being compiled may see.
struct CompileScope {
  const EventSpec* event = nullptr;               // whose fields plain paths read; null in situations
  std::span<const Parameter> parameters;          // template or situation parameters, by slot
  std::vector<TemporalSite>* temporal = nullptr;  // where temporal operators go
};

Node compile_expression(CompileState& state, const Expr& expr, const CompileScope& scope);
// Call, reaction or situation arguments (positional, then named) in declared parameter order.
std::vector<Node> compile_arguments(CompileState& state, const std::vector<Argument>& arguments,
                                    const std::vector<ParameterSpec>& parameters, const CompileScope& scope);
// A top-level rule (no parameters) or a template's rule.
CompiledRule compile_rule(CompileState& state, const Rule& rule, std::span<const Parameter> parameters);
// The source text under `span`.
std::string_view text_of(const SourceSet& sources, const Span& span);
// The first level of a literal topic (filter) that `where` requires, if any.
IndexHint index_hint(const Node* where);

}  // namespace mqwarden::policy::detail
