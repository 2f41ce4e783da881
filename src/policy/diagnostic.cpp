#include "policy/diagnostic.hpp"

#include <algorithm>
#include <array>

namespace mqwarden::policy {
namespace {

constexpr std::array<std::string_view, kDiagnosticCodeCount> kNames = {
    "unreadable-file",
    "unexpected-character",
    "unterminated-string",
    "invalid-escape",
    "invalid-number",
    "invalid-time",
    "syntax",
    "nesting-too-deep",
    "missing-mode",
    "mode-not-applicable",
    "unknown-activity",
    "unnamed-rule",
    "reserved-word",
    "chained-comparison",
    "positional-after-named",
    "unknown-type",
    "negative-quantity",
    "unknown-field",
    "unknown-name",
    "unknown-function",
    "unknown-reaction",
    "unknown-situation",
    "unknown-template",
    "unknown-context",
    "unknown-time-zone",
    "unknown-parameter",
    "missing-argument",
    "wrong-arity",
    "duplicate-declaration",
    "duplicate-parameter",
    "duplicate-argument",
    "duplicate-key",
    "recursive-situation",
    "type-mismatch",
    "incomparable-types",
    "invalid-topic-filter",
    "regex-not-literal",
    "pattern-outside-temporal",
    "temporal-in-filter",
    "trigger-field-outside-pattern",
    "not-constant",
    "out-of-range",
    "verdict-on-actual",
    "action-not-applicable",
    "conflicting-verdicts",
    "not-modifiable",
    "unreachable-rule",
    "unreachable-else",
    "unconfigured-template",
};

// The caret line under `line` for a span starting at 1-based `column`:
// tabs are kept so the caret lines up with the text above it.
std::string caret_line(std::string_view line, std::uint32_t column, std::uint32_t length) {
  const std::size_t start = std::min<std::size_t>(column == 0 ? 0 : column - 1, line.size());
  std::string out;
  for (std::size_t i = 0; i < start; ++i) out += line[i] == '\t' ? '\t' : ' ';
  out += '^';
  const std::size_t visible = std::min<std::size_t>(length, line.size() - start);
  if (visible > 1) out.append(visible - 1, '~');
  return out;
}

}  // namespace

std::string_view to_string(DiagnosticCode code) { return kNames.at(static_cast<std::size_t>(code)); }

Severity severity_of(DiagnosticCode code) {
  switch (code) {
    case DiagnosticCode::unreachable_rule:
    case DiagnosticCode::unreachable_else:
    case DiagnosticCode::unconfigured_template:
      return Severity::warning;
    default:
      return Severity::error;
  }
}

bool has_errors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity() == Severity::error; });
}

std::string format(const Diagnostic& diagnostic, const SourceSet& sources) {
  const Span& span = diagnostic.span;
  std::string out;
  if (span.file < sources.size()) out += sources.file(span.file).name;
  out += ':' + std::to_string(span.line) + ':' + std::to_string(span.column) + ": ";
  out += diagnostic.severity() == Severity::error ? "error: " : "warning: ";
  out += diagnostic.message + " [" + std::string(to_string(diagnostic.code)) + "]\n";
  if (span.line != 0) {
    const std::string number = std::to_string(span.line);
    const std::string gutter(number.size() + 1, ' ');
    const std::string_view line = sources.line_of(span);
    out += ' ' + number + " | " + std::string(line) + '\n';
    out += gutter + " | " + caret_line(line, span.column, span.length) + '\n';
  }
  if (!diagnostic.note.empty()) out += "note: " + diagnostic.note + '\n';
  return out;
}

std::string format(const Diagnostics& diagnostics, const SourceSet& sources) {
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics) out += format(diagnostic, sources);
  return out;
}

}  // namespace mqwarden::policy
