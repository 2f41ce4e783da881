#include "policy/parser.hpp"

#include "policy/parser_internal.hpp"
#include "policy/words.hpp"

namespace mqwarden::policy {
namespace detail {
namespace {

// After this many errors the parser stops: the rest of the file is likely
// not a policy at all.
constexpr std::size_t kMaxParserDiagnostics = 50;

bool starts_declaration(const Token& token) {
  if (token.kind != TokenKind::word || token.span.column != 1) return false;
  for (std::string_view keyword : {"rule", "template", "configure", "situation", "zone", "calendar"}) {
    if (token.text == keyword) return true;
  }
  return false;
}

}  // namespace

std::string describe_token(const Token& token) {
  switch (token.kind) {
    case TokenKind::word: return "'" + token.text + "'";
    case TokenKind::string: return "the string \"" + token.text + "\"";
    default: return std::string(describe(token.kind));
  }
}

Parser::Parser(std::span<const Token> tokens, Diagnostics& diagnostics)
    : tokens_(tokens), diagnostics_(diagnostics) {}

const Token& Parser::peek(std::size_t ahead) const {
  const std::size_t last = tokens_.size() - 1;  // the end_of_file token
  if (panic_) return tokens_[last];
  return tokens_[std::min(position_ + ahead, last)];
}

const Token& Parser::advance() {
  if (!panic_ && position_ + 1 < tokens_.size()) {
    previous_ = position_;
    ++position_;
  }
  return previous();
}

bool Parser::at_word(std::string_view word, std::size_t ahead) const {
  const Token& token = peek(ahead);
  return token.kind == TokenKind::word && token.text == word;
}

bool Parser::accept(TokenKind kind) {
  if (!at(kind)) return false;
  advance();
  return true;
}

bool Parser::accept_word(std::string_view word) {
  if (!at_word(word)) return false;
  advance();
  return true;
}

bool Parser::expect(TokenKind kind, std::string_view what) {
  if (accept(kind)) return true;
  error_expected(what);
  return false;
}

bool Parser::expect_word(std::string_view word) {
  if (accept_word(word)) return true;
  error_expected("'" + std::string(word) + "'");
  return false;
}

std::optional<Token> Parser::expect_name(std::string_view what) {
  if (!at(TokenKind::word)) {
    error_expected(what);
    return std::nullopt;
  }
  if (is_reserved_word(peek().text)) {
    error(DiagnosticCode::reserved_word, peek().span,
          "'" + peek().text + "' is a reserved word and cannot be used as " + std::string(what),
          "choose another name, e.g. '" + peek().text + "_1'");
    return std::nullopt;
  }
  return advance();
}

void Parser::error(DiagnosticCode code, Span span, std::string message, std::string note) {
  if (panic_) return;
  panic_ = true;
  if (diagnostics_.size() < kMaxParserDiagnostics) {
    diagnostics_.push_back(Diagnostic{code, span, std::move(message), std::move(note)});
  }
}

void Parser::error_expected(std::string_view what) {
  const Token& found = peek();
  error(DiagnosticCode::syntax, found.span, "expected " + std::string(what) + ", found " + describe_token(found));
}

void Parser::recover() {
  panic_ = false;
  // Progress is guaranteed: either the failed declaration consumed a token,
  // or one is skipped here.
  if (position_ == declaration_start_ && !at(TokenKind::end_of_file)) advance();
  while (!at(TokenKind::end_of_file) && !starts_declaration(peek())) advance();
}

void Parser::parse_policy(Policy& policy) {
  while (!at(TokenKind::end_of_file)) {
    if (diagnostics_.size() >= kMaxParserDiagnostics) return;
    declaration_start_ = position_;
    parse_declaration(policy);
    if (panic_) recover();
  }
}

NestingGuard::NestingGuard(Parser& parser) : parser_(parser) {
  if (++parser_.depth_ == kMaxNesting + 1) {
    parser_.error(DiagnosticCode::nesting_too_deep, parser_.peek().span,
                  "expression nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)",
                  "split it with a situation declaration");
  }
  if (parser_.depth_ > kMaxNesting) parser_.panic_ = true;
}

NestingGuard::~NestingGuard() { --parser_.depth_; }

}  // namespace detail

void parse_into(std::span<const Token> tokens, Policy& policy, Diagnostics& diagnostics) {
  if (tokens.empty() || tokens.back().kind != TokenKind::end_of_file) return;
  detail::Parser(tokens, diagnostics).parse_policy(policy);
}

ParseResult parse(std::span<const Token> tokens) {
  ParseResult result;
  parse_into(tokens, result.policy, result.diagnostics);
  return result;
}

}  // namespace mqwarden::policy
