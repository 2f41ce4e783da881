// Expressions, lowest precedence first:
//   or  <  and  <  not  <  comparison (==, !=, <, <=, >, >=, in, not in,
//   contains, matches, matches regex, =~, is absent, is present)  <
//   concatenation (+)  <  primary.
// Comparisons do not chain; `and`/`or` and `+` chains become one n-ary node,
// so the tree's depth only grows with parentheses, `not`, lists, calls and
// temporal operators, all of which count against kMaxNesting.
//
// Every production returns a non-null expression; after an error it is a
// placeholder and the enclosing declaration is dropped.
#include <cmath>

#include "policy/parser_internal.hpp"
#include "policy/words.hpp"

namespace mqwarden::policy::detail {
namespace {

// Durations beyond this many milliseconds (about 100 years) are refused,
// which also keeps the conversion to int64 defined.
constexpr double kMaxDurationMs = 100.0 * 365 * 86400 * 1000;

ExprPtr placeholder(Span span) { return make_expr(span, BoolLiteral{false}); }

}  // namespace

ExprPtr Parser::parse_expression() {
  NestingGuard guard(*this);
  return parse_or();
}

ExprPtr Parser::parse_or() {
  ExprPtr first = parse_and();
  if (!at_word("or")) return first;
  Logical any{LogicalOp::any, {}};
  any.operands.push_back(std::move(first));
  while (accept_word("or")) any.operands.push_back(parse_and());
  const Span span = Span::cover(any.operands.front()->span, any.operands.back()->span);
  return make_expr(span, std::move(any));
}

ExprPtr Parser::parse_and() {
  ExprPtr first = parse_not();
  if (!at_word("and")) return first;
  Logical all{LogicalOp::all, {}};
  all.operands.push_back(std::move(first));
  while (accept_word("and")) all.operands.push_back(parse_not());
  const Span span = Span::cover(all.operands.front()->span, all.operands.back()->span);
  return make_expr(span, std::move(all));
}

ExprPtr Parser::parse_not() {
  if (!at_word("not")) return parse_comparison();
  const Span start = advance().span;
  NestingGuard guard(*this);
  ExprPtr operand = parse_not();
  const Span span = Span::cover(start, operand->span);
  return make_expr(span, Not{std::move(operand)});
}

std::optional<CompareOp> Parser::parse_compare_op() {
  static constexpr std::pair<TokenKind, CompareOp> kSymbols[] = {
      {TokenKind::equal, CompareOp::equal},     {TokenKind::not_equal, CompareOp::not_equal},
      {TokenKind::less, CompareOp::less},       {TokenKind::less_equal, CompareOp::less_equal},
      {TokenKind::greater, CompareOp::greater}, {TokenKind::greater_equal, CompareOp::greater_equal},
      {TokenKind::regex_match, CompareOp::matches_regex}};
  for (const auto& [kind, op] : kSymbols) {
    if (accept(kind)) return op;
  }
  if (accept_word("in")) return CompareOp::in;
  if (accept_word("contains")) return CompareOp::contains;
  if (at_word("not") && at_word("in", 1)) {
    advance();
    advance();
    return CompareOp::not_in;
  }
  if (accept_word("matches")) return accept_word("regex") ? CompareOp::matches_regex : CompareOp::matches;
  return std::nullopt;
}

ExprPtr Parser::parse_comparison() {
  ExprPtr left = parse_concatenation();
  if (at_word("is")) {
    advance();
    bool present = true;
    if (accept_word("absent")) {
      present = false;
    } else if (!accept_word("present")) {
      error_expected("'absent' or 'present'");
    }
    const Span span = Span::cover(left->span, previous().span);
    return make_expr(span, Presence{std::move(left), present});
  }
  if (at(TokenKind::assign)) {
    error(DiagnosticCode::syntax, peek().span, "'=' does not compare; write '==' to test equality");
    return left;
  }
  const auto op = parse_compare_op();
  if (!op) return left;
  ExprPtr right = parse_concatenation();
  const Span span = Span::cover(left->span, right->span);
  const Span next = peek().span;
  if (parse_compare_op()) {
    error(DiagnosticCode::chained_comparison, Span::cover(next, previous().span), "comparisons cannot be chained",
          "combine them with 'and': a < b and b < c");
  }
  return make_expr(span, Compare{*op, std::move(left), std::move(right)});
}

ExprPtr Parser::parse_concatenation() {
  ExprPtr first = parse_primary();
  if (!at(TokenKind::plus)) return first;
  Concat concat;
  concat.parts.push_back(std::move(first));
  while (accept(TokenKind::plus)) concat.parts.push_back(parse_primary());
  const Span span = Span::cover(concat.parts.front()->span, concat.parts.back()->span);
  return make_expr(span, std::move(concat));
}

ExprPtr Parser::parse_primary() {
  const Token& token = peek();
  switch (token.kind) {
    case TokenKind::number:
      return parse_quantity(false);
    case TokenKind::minus:
      advance();
      if (!at(TokenKind::number)) {
        error_expected("a number after '-'");
        return placeholder(token.span);
      }
      return parse_quantity(true);
    case TokenKind::string: {
      advance();
      return make_expr(token.span, StringLiteral{token.text});
    }
    case TokenKind::left_paren: {
      advance();
      ExprPtr inner = parse_expression();
      expect(TokenKind::right_paren, "')'");
      return inner;
    }
    case TokenKind::left_bracket:
      return parse_list();
    case TokenKind::left_brace:
      return parse_object();
    case TokenKind::word:
      return parse_word_primary();
    default:
      error_expected("a value");
      return placeholder(token.span);
  }
}

ExprPtr Parser::parse_quantity(bool negative) {
  const Token& number = advance();
  const Span start = negative ? Span::cover(tokens_[previous_ - 1].span, number.span) : number.span;
  const double value = negative ? -number.number : number.number;
  const auto unit = at(TokenKind::word) ? unit_named(peek().text) : std::nullopt;
  if (!unit) return make_expr(start, NumberLiteral{value});
  advance();
  const Span span = Span::cover(start, previous().span);
  if (negative) {
    error(DiagnosticCode::negative_quantity, span,
          std::string("a ") + (unit->quantity == Type::duration ? "duration" : "distance") + " cannot be negative");
    return placeholder(span);
  }
  if (unit->quantity == Type::distance) return make_expr(span, DistanceLiteral{value * unit->factor});
  const double milliseconds = value * unit->factor;
  if (milliseconds > kMaxDurationMs) {
    error(DiagnosticCode::out_of_range, span, "duration is too long (more than 100 years)");
    return placeholder(span);
  }
  return make_expr(span, DurationLiteral{std::llround(milliseconds)});
}

ExprPtr Parser::parse_list() {
  const Span start = advance().span;  // '['
  ListLiteral list;
  if (!at(TokenKind::right_bracket)) {
    do {
      list.items.push_back(parse_expression());
    } while (accept(TokenKind::comma));
  }
  expect(TokenKind::right_bracket, "',' or ']'");
  return make_expr(Span::cover(start, previous().span), std::move(list));
}

ExprPtr Parser::parse_object() {
  const Span start = advance().span;  // '{'
  ObjectLiteral object;
  if (!at(TokenKind::right_brace)) {
    do {
      if (!expect(TokenKind::string, "a key in quotes, such as \"device\"")) break;
      ObjectMember member{previous().text, previous().span, nullptr};
      expect(TokenKind::colon, "':' after the key");
      member.value = parse_expression();
      object.members.push_back(std::move(member));
    } while (accept(TokenKind::comma));
  }
  expect(TokenKind::right_brace, "',' or '}'");
  return make_expr(Span::cover(start, previous().span), std::move(object));
}

ExprPtr Parser::parse_word_primary() {
  const Token& word = peek();
  const std::string& text = word.text;
  const bool call_follows = peek(1).kind == TokenKind::left_paren;
  if (text == "true" || text == "false") {
    advance();
    return make_expr(word.span, BoolLiteral{text == "true"});
  }
  if (text == "now") {
    advance();
    return make_expr(word.span, Now{});
  }
  const bool situation_event = text == "situation" && (at_word("starts", 2) || at_word("ends", 2));
  const bool context_event = text == "context" && at_word("changes", 2);
  if (text == "tentative" || text == "actual" || situation_event || context_event) {
    auto event = parse_event_spec();
    if (!event) return placeholder(word.span);
    EventPattern pattern = parse_event_pattern_rest(std::move(*event));
    const Span span = Span::cover(pattern.event.span, previous().span);
    return make_expr(span, std::move(pattern));
  }
  if (text == "situation" && peek(1).kind != TokenKind::dot) {
    const Span start = advance().span;
    const auto name = expect_name("a situation name");
    if (!name) return placeholder(start);
    SituationRef situation{name->text, name->span, {}};
    if (accept(TokenKind::left_paren)) situation.arguments = parse_arguments();
    return make_expr(Span::cover(start, previous().span), std::move(situation));
  }
  if (const auto op = temporal_op_named(text); op && call_follows) return parse_temporal(*op);
  if (call_follows) {
    advance();
    advance();  // '('
    Call call{text, word.span, {}};
    call.arguments = parse_arguments();
    return make_expr(Span::cover(word.span, previous().span), std::move(call));
  }
  if (is_reserved_word(text) && text != "situation" && text != "event") {
    error_expected("a value");
    return placeholder(word.span);
  }
  return parse_path(advance());
}

ExprPtr Parser::parse_path_expression() {
  if (!at(TokenKind::word)) {
    error_expected("a payload field such as payload.name");
    return placeholder(peek().span);
  }
  return parse_path(advance());
}

ExprPtr Parser::parse_path(const Token& first) {
  Path path;
  if (first.text == "event") {
    path.of_trigger = true;
    if (!at(TokenKind::dot)) {
      error_expected("'.' and a field of the triggering event after 'event'");
      return placeholder(first.span);
    }
  } else {
    path.segments.push_back(PathSegment{first.text, first.span, false, false});
  }
  while (true) {
    if (accept(TokenKind::dot)) {
      if (!expect(TokenKind::word, "a field name after '.'")) break;
      path.segments.push_back(PathSegment{previous().text, previous().span, false, false});
    } else if (accept(TokenKind::left_bracket)) {
      const Token& key = peek();
      if (key.kind == TokenKind::string) {
        path.segments.push_back(PathSegment{key.text, key.span, true, false});
      } else if (key.kind == TokenKind::number && key.number == std::floor(key.number) && key.number < 1e9) {
        path.segments.push_back(PathSegment{std::to_string(static_cast<long>(key.number)), key.span, true, true});
      } else {
        error_expected("a key in quotes or an array index");
        break;
      }
      advance();
      expect(TokenKind::right_bracket, "']'");
    } else {
      break;
    }
  }
  return make_expr(Span::cover(first.span, previous().span), std::move(path));
}

std::vector<Argument> Parser::parse_arguments() {
  std::vector<Argument> arguments;
  if (accept(TokenKind::right_paren)) return arguments;
  bool named_seen = false;
  do {
    Argument argument;
    if (at(TokenKind::word) && peek(1).kind == TokenKind::assign) {
      argument.name = peek().text;
      argument.name_span = advance().span;
      advance();  // '='
      named_seen = true;
    } else if (named_seen) {
      error(DiagnosticCode::positional_after_named, peek().span, "an unnamed argument cannot follow a named one",
            "name it too, or move it before the named arguments");
      return arguments;
    }
    argument.value = parse_expression();
    arguments.push_back(std::move(argument));
  } while (accept(TokenKind::comma));
  expect(TokenKind::right_paren, "',' or ')'");
  return arguments;
}

ExprPtr Parser::parse_temporal(TemporalOp op) {
  const Span start = advance().span;  // the operator's name
  advance();                          // '('
  Temporal temporal{op, {}};
  if (op == TemporalOp::count) {
    if (!accept_word("within")) error_expected("'within' and a duration, as in count(within 10 s, ...)");
    temporal.operands.push_back(parse_expression());
    expect(TokenKind::comma, "',' and what to count");
    temporal.operands.push_back(parse_expression());
  } else if (!at(TokenKind::right_paren)) {
    do {
      temporal.operands.push_back(parse_expression());
    } while (accept(TokenKind::comma));
  }
  expect(TokenKind::right_paren, "',' or ')'");
  return make_expr(Span::cover(start, previous().span), std::move(temporal));
}

}  // namespace mqwarden::policy::detail
