#include "policy/lexer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace mqwarden::policy {
namespace {

// After this many problems the rest of the file is skipped: a binary file fed
// to the checker should give a short answer, not megabytes of errors.
constexpr std::size_t kMaxLexerDiagnostics = 50;

bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) { return is_word_start(c) || is_digit(c); }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

class Lexer {
 public:
  Lexer(std::string_view text, std::uint32_t file) : text_(text), file_(file) {}

  LexResult run() {
    while (result_.diagnostics.size() < kMaxLexerDiagnostics) {
      skip_blanks_and_comments();
      if (at_end()) break;
      lex_token();
    }
    // The end token sits at the end of the text even if lexing stopped early,
    // so "expected ..., found end of file" points at the real end.
    while (!at_end()) advance();
    start_token();
    push(TokenKind::end_of_file);
    return std::move(result_);
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  void skip_blanks_and_comments() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') advance();
      } else {
        return;
      }
    }
  }

  void start_token() {
    start_ = pos_;
    start_line_ = line_;
    start_column_ = column_;
  }

  Span current_span() const {
    return Span{file_, static_cast<std::uint32_t>(start_), static_cast<std::uint32_t>(pos_ - start_), start_line_,
                start_column_};
  }

  Token& push(TokenKind kind) {
    Token token;
    token.kind = kind;
    token.span = current_span();
    result_.tokens.push_back(std::move(token));
    return result_.tokens.back();
  }

  void report(DiagnosticCode code, std::string message, std::string note = {}) {
    result_.diagnostics.push_back(Diagnostic{code, current_span(), std::move(message), std::move(note)});
  }

  void lex_token() {
    start_token();
    const char c = peek();
    if (is_word_start(c)) return lex_word();
    if (is_digit(c)) return lex_number();
    if (c == '"') return lex_string();
    lex_punctuation();
  }

  void lex_word() {
    while (!at_end() && is_word_char(peek())) advance();
    push(TokenKind::word).text = std::string(text_.substr(start_, pos_ - start_));
  }

  void lex_number() {
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) return lex_hex_number();
    while (is_digit(peek())) advance();
    if (peek() == ':' && is_digit(peek(1))) return lex_time_of_day();
    if (peek() == '.' && is_digit(peek(1))) {
      advance();
      while (is_digit(peek())) advance();
    }
    const std::string_view digits = text_.substr(start_, pos_ - start_);
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || end != digits.data() + digits.size() || !std::isfinite(value)) {
      report(DiagnosticCode::invalid_number, "number '" + std::string(digits) + "' is too large");
      return;
    }
    push(TokenKind::number).number = value;
  }

  void lex_hex_number() {
    advance();
    advance();
    while (is_hex_digit(peek())) advance();
    const std::string_view digits = text_.substr(start_ + 2, pos_ - start_ - 2);
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() || value > (1ULL << 53)) {
      report(DiagnosticCode::invalid_number,
             "malformed hexadecimal number '" + std::string(text_.substr(start_, pos_ - start_)) + "'",
             "write hexadecimal numbers like 0x80");
      return;
    }
    push(TokenKind::number).number = static_cast<double>(value);
  }

  // HH:MM, from 00:00 to 24:00; the hours are already consumed.
  void lex_time_of_day() {
    const std::string_view hours = text_.substr(start_, pos_ - start_);
    advance();  // ':'
    const std::size_t minutes_start = pos_;
    while (is_digit(peek())) advance();
    const std::string_view minutes = text_.substr(minutes_start, pos_ - minutes_start);
    int h = 0;
    int m = 0;
    std::from_chars(hours.data(), hours.data() + hours.size(), h);
    std::from_chars(minutes.data(), minutes.data() + minutes.size(), m);
    const bool well_formed = hours.size() <= 2 && minutes.size() == 2 && m < 60 && (h < 24 || (h == 24 && m == 0));
    if (!well_formed) {
      report(DiagnosticCode::invalid_time,
             "'" + std::string(text_.substr(start_, pos_ - start_)) + "' is not a time of day",
             "times of day run from 00:00 to 24:00, written HH:MM");
      return;
    }
    push(TokenKind::time_of_day).number = h * 60 + m;
  }

  void lex_string() {
    advance();  // opening quote
    std::string value;
    while (true) {
      if (at_end() || peek() == '\n') {
        report(DiagnosticCode::unterminated_string, "string is not closed", "add a '\"' before the end of the line");
        return;
      }
      const char c = peek();
      if (c == '"') break;
      if (c != '\\') {
        value += c;
        advance();
        continue;
      }
      advance();
      if (at_end() || peek() == '\n') continue;  // reported as an unclosed string
      const char escaped = peek();
      switch (escaped) {
        case '"': value += '"'; break;
        case '\\': value += '\\'; break;
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        default: {
          const std::size_t escape_start = pos_ - 1;
          advance();
          Diagnostic diagnostic{DiagnosticCode::invalid_escape, current_span(),
                                "unknown escape '\\" + std::string(1, escaped) + "' in a string",
                                "the escapes are \\\", \\\\, \\n and \\t"};
          diagnostic.span.offset = static_cast<std::uint32_t>(escape_start);
          diagnostic.span.column += static_cast<std::uint32_t>(escape_start - start_);
          diagnostic.span.length = static_cast<std::uint32_t>(pos_ - escape_start);
          result_.diagnostics.push_back(std::move(diagnostic));
          continue;
        }
      }
      advance();
    }
    advance();  // closing quote
    push(TokenKind::string).text = std::move(value);
  }

  void lex_punctuation() {
    const char c = peek();
    const char next = peek(1);
    auto single = [&](TokenKind kind) {
      advance();
      push(kind);
    };
    auto twin = [&](TokenKind kind) {
      advance();
      advance();
      push(kind);
    };
    switch (c) {
      case '(': return single(TokenKind::left_paren);
      case ')': return single(TokenKind::right_paren);
      case '{': return single(TokenKind::left_brace);
      case '}': return single(TokenKind::right_brace);
      case '[': return single(TokenKind::left_bracket);
      case ']': return single(TokenKind::right_bracket);
      case ',': return single(TokenKind::comma);
      case '.': return single(TokenKind::dot);
      case ':': return single(TokenKind::colon);
      case ';': return single(TokenKind::semicolon);
      case '-': return single(TokenKind::minus);
      case '+': return single(TokenKind::plus);
      case '=':
        if (next == '=') return twin(TokenKind::equal);
        if (next == '~') return twin(TokenKind::regex_match);
        return single(TokenKind::assign);
      case '!':
        if (next == '=') return twin(TokenKind::not_equal);
        break;
      case '<':
        if (next == '=') return twin(TokenKind::less_equal);
        return single(TokenKind::less);
      case '>':
        if (next == '=') return twin(TokenKind::greater_equal);
        return single(TokenKind::greater);
      default:
        break;
    }
    // One UTF-8 sequence is one unexpected character.
    advance();
    while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) advance();
    const std::string_view bad = text_.substr(start_, pos_ - start_);
    report(DiagnosticCode::unexpected_character, "unexpected character '" + std::string(bad) + "'",
           c == '!' ? "write 'not' for negation and '!=' for inequality" : "");
  }

  std::string_view text_;
  std::uint32_t file_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
  std::size_t start_ = 0;
  std::uint32_t start_line_ = 1;
  std::uint32_t start_column_ = 1;
  LexResult result_;
};

}  // namespace

LexResult lex(const SourceSet& sources, std::uint32_t file) { return Lexer(sources.file(file).text, file).run(); }

}  // namespace mqwarden::policy
