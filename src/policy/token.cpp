#include "policy/token.hpp"

namespace mqwarden::policy {

std::string_view describe(TokenKind kind) {
  switch (kind) {
    case TokenKind::word: return "a word";
    case TokenKind::number: return "a number";
    case TokenKind::string: return "a string";
    case TokenKind::time_of_day: return "a time of day";
    case TokenKind::left_paren: return "'('";
    case TokenKind::right_paren: return "')'";
    case TokenKind::left_brace: return "'{'";
    case TokenKind::right_brace: return "'}'";
    case TokenKind::left_bracket: return "'['";
    case TokenKind::right_bracket: return "']'";
    case TokenKind::comma: return "','";
    case TokenKind::dot: return "'.'";
    case TokenKind::colon: return "':'";
    case TokenKind::semicolon: return "';'";
    case TokenKind::assign: return "'='";
    case TokenKind::equal: return "'=='";
    case TokenKind::not_equal: return "'!='";
    case TokenKind::less: return "'<'";
    case TokenKind::less_equal: return "'<='";
    case TokenKind::greater: return "'>'";
    case TokenKind::greater_equal: return "'>='";
    case TokenKind::regex_match: return "'=~'";
    case TokenKind::minus: return "'-'";
    case TokenKind::plus: return "'+'";
    case TokenKind::end_of_file: return "the end of the file";
  }
  return "a token";
}

}  // namespace mqwarden::policy
