// The lexer: policy source text to tokens with spans. Never fails as a whole:
// malformed pieces are reported and skipped, and the token list always ends
// with one end_of_file token. Linear in the input; no recursion.
// Stateless function; safe to call from several threads on distinct inputs.
#pragma once

#include <vector>

#include "policy/diagnostic.hpp"
#include "policy/source.hpp"
#include "policy/token.hpp"

namespace mqwarden::policy {

struct LexResult {
  std::vector<Token> tokens;
  Diagnostics diagnostics;
};

LexResult lex(const SourceSet& sources, std::uint32_t file);

}  // namespace mqwarden::policy
