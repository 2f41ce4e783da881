// The recursive-descent parser's state and productions, shared by the
// parse_*.cpp files (declarations, expressions, actions). Internal to the
// policy library.
//
// Error strategy: the first error of a declaration is reported and the parser
// enters "panic": from then on it sees only end_of_file, so every production
// unwinds quickly without further reports, and the declaration loop resumes
// at the next declaration. One instance per parse; not thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "policy/ast.hpp"
#include "policy/diagnostic.hpp"
#include "policy/token.hpp"

namespace mqwarden::policy::detail {

class Parser {
 public:
  Parser(std::span<const Token> tokens, Diagnostics& diagnostics);

  void parse_policy(Policy& policy);
  bool panicking() const { return panic_; }

 private:
  friend class NestingGuard;

  // ---- declarations (parse_declarations.cpp) ------------------------------
  void parse_declaration(Policy& policy);
  std::optional<Rule> parse_rule(bool name_required);
  std::optional<Template> parse_template();
  std::optional<Configuration> parse_configuration();
  std::optional<Situation> parse_situation();
  std::optional<Zone> parse_zone();
  std::optional<Calendar> parse_calendar();
  std::vector<Parameter> parse_parameters();
  std::optional<EventSpec> parse_event_spec();
  EventPattern parse_event_pattern_rest(EventSpec event);
  std::optional<GeoPoint> parse_geo_point();
  std::optional<double> parse_coordinate();
  std::optional<WeeklySlot> parse_weekly_slot();
  std::optional<CalendarDate> parse_calendar_date();
  std::optional<DatedInterval> parse_dated_interval();

  // ---- expressions (parse_expressions.cpp) --------------------------------
  ExprPtr parse_expression();
  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_comparison();
  std::optional<CompareOp> parse_compare_op();
  ExprPtr parse_concatenation();
  ExprPtr parse_primary();
  ExprPtr parse_quantity(bool negative);
  ExprPtr parse_list();
  ExprPtr parse_object();
  ExprPtr parse_word_primary();
  ExprPtr parse_temporal(TemporalOp op);
  ExprPtr parse_path_expression();
  ExprPtr parse_path(const Token& first);
  std::vector<Argument> parse_arguments();  // after '(' up to and including ')'

  // ---- actions (parse_actions.cpp) ----------------------------------------
  std::vector<Action> parse_actions();
  std::optional<Action> parse_action();
  std::optional<Edit> parse_edit();

  // ---- token access (parser.cpp) ------------------------------------------
  // In panic, every token is end_of_file.
  const Token& peek(std::size_t ahead = 0) const;
  const Token& previous() const { return tokens_[previous_]; }
  const Token& advance();
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool at_word(std::string_view word, std::size_t ahead = 0) const;
  bool accept(TokenKind kind);
  bool accept_word(std::string_view word);
  // Consumes the token or reports "expected <what>, found <token>".
  bool expect(TokenKind kind, std::string_view what);
  bool expect_word(std::string_view word);
  // A name for a declaration or parameter: a word that is not reserved.
  std::optional<Token> expect_name(std::string_view what);

  // ---- errors (parser.cpp) ------------------------------------------------
  // Reports the first error of a declaration and enters panic.
  void error(DiagnosticCode code, Span span, std::string message, std::string note = {});
  void error_expected(std::string_view what);
  // Leaves panic and skips to the next declaration keyword in column 1.
  void recover();

  std::span<const Token> tokens_;
  Diagnostics& diagnostics_;
  std::size_t position_ = 0;
  std::size_t previous_ = 0;
  std::size_t declaration_start_ = 0;
  bool panic_ = false;
  int depth_ = 0;
};

// Counts one level of nesting for as long as it lives; beyond kMaxNesting it
// reports once and puts the parser in panic.
class NestingGuard {
 public:
  explicit NestingGuard(Parser& parser);
  ~NestingGuard();
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

 private:
  Parser& parser_;
};

// "'then'", "a string", "the end of the file": how a found token is named.
std::string describe_token(const Token& token);

}  // namespace mqwarden::policy::detail
