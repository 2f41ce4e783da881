// Tokens of the policy language, as the lexer produces them and the parser
// reads them. Words are not split into keywords here: the parser decides
// from context whether `count` is an operator or a JSON field name.
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "policy/source.hpp"

namespace mqwarden::policy {

enum class TokenKind : std::uint8_t {
  word,         // identifiers and keywords: letters, digits, '_'
  number,       // 42, 0.5, 0x80
  string,       // "text", escapes decoded
  time_of_day,  // 08:00 (minutes since midnight in `number`)
  left_paren,
  right_paren,
  left_brace,
  right_brace,
  left_bracket,
  right_bracket,
  comma,
  dot,
  colon,
  semicolon,
  assign,         // =
  equal,          // ==
  not_equal,      // !=
  less,           // <
  less_equal,     // <=
  greater,        // >
  greater_equal,  // >=
  regex_match,    // =~
  minus,          // -
  plus,           // +
  end_of_file,
};

// How the token kind is named in "expected ..., found ..." messages.
std::string_view describe(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::end_of_file;
  Span span;
  std::string text;   // the word, or the decoded string
  double number = 0;  // number and time_of_day tokens
};

}  // namespace mqwarden::policy
