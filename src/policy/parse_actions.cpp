// Actions after `then` and `else`: allow, deny [reason "..."] [code 0x87],
// modify { edits }, delay <duration>, execute <reaction>(arguments).
#include "policy/parser_internal.hpp"

namespace mqwarden::policy::detail {

std::vector<Action> Parser::parse_actions() {
  std::vector<Action> actions;
  do {
    auto action = parse_action();
    if (!action) break;
    actions.push_back(std::move(*action));
  } while (accept(TokenKind::comma));
  return actions;
}

std::optional<Action> Parser::parse_action() {
  const Span start = peek().span;
  auto finish = [&](auto node) -> std::optional<Action> {
    if (panicking()) return std::nullopt;
    return Action{Span::cover(start, previous().span), std::move(node)};
  };
  if (accept_word("allow")) return finish(Allow{});
  if (accept_word("deny")) {
    Deny deny;
    while (true) {
      if (accept_word("reason")) {
        if (expect(TokenKind::string, "the reason in quotes")) deny.reason = previous().text;
      } else if (accept_word("code")) {
        if (expect(TokenKind::number, "an MQTT reason code such as 0x87")) {
          deny.code = previous().number;
          deny.code_span = previous().span;
        }
      } else {
        break;
      }
    }
    return finish(std::move(deny));
  }
  if (accept_word("modify")) {
    Modify modify;
    expect(TokenKind::left_brace, "'{' and the edits to make");
    do {
      auto edit = parse_edit();
      if (!edit) break;
      modify.edits.push_back(std::move(*edit));
    } while ((accept(TokenKind::semicolon) || accept(TokenKind::comma)) && !at(TokenKind::right_brace));
    expect(TokenKind::right_brace, "';' and another edit, or '}' to end the modification");
    return finish(std::move(modify));
  }
  if (accept_word("delay")) return finish(Delay{parse_expression()});
  if (accept_word("execute")) {
    if (!expect(TokenKind::word, "the name of a reaction, such as log")) return std::nullopt;
    Execute execute{previous().text, previous().span, {}};
    expect(TokenKind::left_paren, "'(' and the reaction's arguments");
    execute.arguments = parse_arguments();
    return finish(std::move(execute));
  }
  error_expected("an action (allow, deny, modify, delay or execute)");
  return std::nullopt;
}

std::optional<Edit> Parser::parse_edit() {
  Edit edit;
  const Span start = peek().span;
  const std::string word = at(TokenKind::word) ? peek().text : "";
  if (word == "set" || word == "replace") {
    advance();
    edit.kind = word == "set" ? EditKind::set : EditKind::replace;
    edit.targets.push_back(parse_path_expression());
    if (edit.kind == EditKind::set) {
      expect(TokenKind::assign, "'=' and the new value");
    } else {
      expect_word("with");
    }
    edit.value = parse_expression();
  } else if (word == "remove" || word == "pseudonymise" || word == "pseudonymize") {
    advance();
    edit.kind = word == "remove" ? EditKind::remove : EditKind::pseudonymise;
    edit.targets.push_back(parse_path_expression());
  } else if (word == "round" || word == "truncate") {
    advance();
    edit.kind = word == "round" ? EditKind::round : EditKind::truncate;
    edit.targets.push_back(parse_path_expression());
    expect_word("to");
    edit.value = parse_expression();
    if (!accept_word("decimals") && !accept_word("decimal")) error_expected("'decimals'");
  } else if (word == "blur") {
    advance();
    edit.kind = EditKind::blur;
    edit.targets.push_back(parse_path_expression());
    expect(TokenKind::comma, "',' and the longitude field");
    edit.targets.push_back(parse_path_expression());
    expect_word("to");
    edit.value = parse_expression();
  } else {
    error_expected("an edit (set, remove, replace, pseudonymise, round, truncate or blur)");
    return std::nullopt;
  }
  if (panicking()) return std::nullopt;
  edit.span = Span::cover(start, previous().span);
  return edit;
}

}  // namespace mqwarden::policy::detail
