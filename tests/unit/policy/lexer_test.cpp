// The lexer: token kinds, decoded values, and exact source positions.
#include "policy/lexer.hpp"

#include <gtest/gtest.h>

namespace mqwarden::policy {
namespace {

LexResult lex_text(std::string text) {
  SourceSet sources;
  sources.add("t.policy", std::move(text));
  return lex(sources, 0);
}

std::vector<TokenKind> kinds(const LexResult& result) {
  std::vector<TokenKind> out;
  for (const Token& token : result.tokens) out.push_back(token.kind);
  return out;
}

TEST(Lexer, ProducesWordsNumbersStringsAndPunctuation) {
  const LexResult result = lex_text("rule r { where qos >= 1 and topic == \"a/b\" }");
  EXPECT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(kinds(result), (std::vector<TokenKind>{TokenKind::word, TokenKind::word, TokenKind::left_brace,
                                                   TokenKind::word, TokenKind::word, TokenKind::greater_equal,
                                                   TokenKind::number, TokenKind::word, TokenKind::word,
                                                   TokenKind::equal, TokenKind::string, TokenKind::right_brace,
                                                   TokenKind::end_of_file}));
  EXPECT_EQ(result.tokens[10].text, "a/b");
}

TEST(Lexer, RecordsFileLineColumnAndOffset) {
  const LexResult result = lex_text("# comment\n  rule\tname\n\"x\"");
  ASSERT_EQ(result.tokens.size(), 4U);
  EXPECT_EQ(result.tokens[0].span, (Span{0, 12, 4, 2, 3}));
  EXPECT_EQ(result.tokens[1].span, (Span{0, 17, 4, 2, 8}));
  EXPECT_EQ(result.tokens[2].span, (Span{0, 22, 3, 3, 1}));
  EXPECT_EQ(result.tokens[3].span.offset, 25U);  // end of file
}

TEST(Lexer, ReadsDecimalAndHexadecimalNumbers) {
  const LexResult result = lex_text("45.8100 0x87 7");
  ASSERT_EQ(result.tokens.size(), 4U);
  EXPECT_DOUBLE_EQ(result.tokens[0].number, 45.81);
  EXPECT_DOUBLE_EQ(result.tokens[1].number, 0x87);
  EXPECT_DOUBLE_EQ(result.tokens[2].number, 7);
}

TEST(Lexer, SplitsANumberFromAUnitWrittenWithoutSpace) {
  const LexResult result = lex_text("10s 2km");
  EXPECT_EQ(kinds(result), (std::vector<TokenKind>{TokenKind::number, TokenKind::word, TokenKind::number,
                                                   TokenKind::word, TokenKind::end_of_file}));
}

TEST(Lexer, ReadsTimesOfDay) {
  const LexResult result = lex_text("08:00-18:30 24:00");
  ASSERT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(result.tokens[0].kind, TokenKind::time_of_day);
  EXPECT_EQ(result.tokens[0].number, 8 * 60);
  EXPECT_EQ(result.tokens[1].kind, TokenKind::minus);
  EXPECT_EQ(result.tokens[2].number, 18 * 60 + 30);
  EXPECT_EQ(result.tokens[3].number, 24 * 60);
}

TEST(Lexer, RefusesTimesOfDayOutOfRange) {
  for (const char* text : {"24:01", "12:60", "8:5", "123:00"}) {
    const LexResult result = lex_text(text);
    ASSERT_EQ(result.diagnostics.size(), 1U) << text;
    EXPECT_EQ(result.diagnostics[0].code, DiagnosticCode::invalid_time) << text;
  }
}

TEST(Lexer, DecodesStringEscapes) {
  const LexResult result = lex_text(R"("a\"b\\c\nd\te")");
  ASSERT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(result.tokens[0].text, "a\"b\\c\nd\te");
}

TEST(Lexer, PointsAnInvalidEscapeAtTheEscapeItself) {
  const LexResult result = lex_text("x \"ab\\qc\"");
  ASSERT_EQ(result.diagnostics.size(), 1U);
  EXPECT_EQ(result.diagnostics[0].span.column, 6U);
  EXPECT_EQ(result.diagnostics[0].span.length, 2U);
}

TEST(Lexer, TreatsABackslashAtTheEndOfALineAsAnUnclosedString) {
  const LexResult result = lex_text("\"abc\\\nrule");
  ASSERT_EQ(result.diagnostics.size(), 1U);
  EXPECT_EQ(result.diagnostics[0].code, DiagnosticCode::unterminated_string);
  EXPECT_EQ(result.tokens.front().text, "rule");
}

TEST(Lexer, DistinguishesAssignmentEqualityAndRegexMatch) {
  const LexResult result = lex_text("= == =~ != < <= > >=");
  EXPECT_EQ(kinds(result),
            (std::vector<TokenKind>{TokenKind::assign, TokenKind::equal, TokenKind::regex_match, TokenKind::not_equal,
                                    TokenKind::less, TokenKind::less_equal, TokenKind::greater,
                                    TokenKind::greater_equal, TokenKind::end_of_file}));
}

TEST(Lexer, ReadsPlusAndMinus) {
  const LexResult result = lex_text("\"a/\" + client.id - 1");
  EXPECT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(kinds(result),
            (std::vector<TokenKind>{TokenKind::string, TokenKind::plus, TokenKind::word, TokenKind::dot,
                                    TokenKind::word, TokenKind::minus, TokenKind::number, TokenKind::end_of_file}));
}

TEST(Lexer, ReportsAMultiByteCharacterOnce) {
  const LexResult result = lex_text("a \xC3\xA9 b");
  ASSERT_EQ(result.diagnostics.size(), 1U);
  EXPECT_EQ(result.diagnostics[0].message, "unexpected character '\xC3\xA9'");
  EXPECT_EQ(kinds(result), (std::vector<TokenKind>{TokenKind::word, TokenKind::word, TokenKind::end_of_file}));
}

TEST(Lexer, SuggestsNotForAnExclamationMark) {
  const LexResult result = lex_text("!x");
  ASSERT_EQ(result.diagnostics.size(), 1U);
  EXPECT_NE(result.diagnostics[0].note.find("'not'"), std::string::npos);
}

TEST(Lexer, StopsReportingAfterFiftyProblems) {
  const LexResult result = lex_text(std::string(10000, '@'));
  EXPECT_EQ(result.diagnostics.size(), 50U);
  EXPECT_EQ(result.tokens.back().kind, TokenKind::end_of_file);
  EXPECT_EQ(result.tokens.back().span.offset, 10000U);
}

}  // namespace
}  // namespace mqwarden::policy
