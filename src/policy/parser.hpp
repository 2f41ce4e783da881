// The parser: tokens to a Policy AST, by recursive descent.
//
// Never crashes, never loops, never recurses without bound: nesting deeper
// than kMaxNesting is an error. After a syntax error the parser skips to the
// next declaration that starts a line (`rule`, `template`, `configure`,
// `situation`, `zone`, `calendar` in column 1) and goes on, so one run
// reports the errors of several declarations; declarations with errors are
// left out of the Policy. Stateless function; thread-safe on distinct inputs.
#pragma once

#include <span>

#include "policy/ast.hpp"
#include "policy/diagnostic.hpp"
#include "policy/token.hpp"

namespace mqwarden::policy {

inline constexpr int kMaxNesting = 64;

struct ParseResult {
  Policy policy;
  Diagnostics diagnostics;
};

// `tokens` must end with an end_of_file token (as lex() produces).
ParseResult parse(std::span<const Token> tokens);

// Parses into an existing policy (to combine several files into one).
void parse_into(std::span<const Token> tokens, Policy& policy, Diagnostics& diagnostics);

}  // namespace mqwarden::policy
