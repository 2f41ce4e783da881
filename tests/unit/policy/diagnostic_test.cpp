// How diagnostics are shown: file:line:column, severity, message, code, the
// offending line with a caret under the span, and the note.
#include "policy/diagnostic.hpp"

#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

TEST(DiagnosticFormat, ShowsTheLineWithACaretUnderTheSpan) {
  SourceSet sources;
  sources.add("home.policy", "rule r {\n  on tentative publish\n  where client.usrname == \"tv\"\n  then deny\n}\n");
  const auto loaded = load_policy(sources, Registry::defaults());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(format(loaded.error(), sources),
            "home.policy:3:9: error: unknown field 'client.usrname' in publish events [unknown-field]\n"
            " 3 |   where client.usrname == \"tv\"\n"
            "   |         ^~~~~~~~~~~~~~\n"
            "note: did you mean 'client.username'?\n");
}

TEST(DiagnosticFormat, ShowsWarningsAsWarnings) {
  SourceSet sources;
  sources.add("t.policy", "template t() { rule { on tentative ping then allow } }");
  const auto loaded = load_policy(sources, Registry::defaults());
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->warnings.size(), 1U);
  const std::string text = format(loaded->warnings[0], sources);
  EXPECT_EQ(text.rfind("t.policy:1:10: warning: template 't' is never configured", 0), 0U) << text;
}

TEST(DiagnosticFormat, KeepsTabsSoTheCaretLinesUp) {
  SourceSet sources;
  sources.add("t.policy", "\t\tx");
  const Diagnostic diagnostic{DiagnosticCode::syntax, Span{0, 2, 1, 1, 3}, "here", ""};
  EXPECT_EQ(format(diagnostic, sources), "t.policy:1:3: error: here [syntax]\n 1 | \t\tx\n   | \t\t^\n");
}

TEST(DiagnosticFormat, ClipsTheCaretAtTheEndOfTheLine) {
  SourceSet sources;
  sources.add("t.policy", "abc\ndef");
  const Diagnostic diagnostic{DiagnosticCode::syntax, Span{0, 1, 6, 1, 2}, "here", ""};
  EXPECT_EQ(format(diagnostic, sources), "t.policy:1:2: error: here [syntax]\n 1 | abc\n   |  ^~\n");
}

TEST(DiagnosticFormat, PointsAtTheEndOfTheFile) {
  SourceSet sources;
  sources.add("t.policy", "rule r {\n");
  const auto loaded = load_policy(sources, Registry::defaults());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(format(loaded.error(), sources),
            "t.policy:2:1: error: expected 'on' and the event the rule reacts to, found the end of the file [syntax]\n"
            " 2 | \n"
            "   | ^\n");
}

TEST(DiagnosticFormat, NamesTheFileOfEachDiagnostic) {
  SourceSet sources;
  sources.add("a.policy", "zone lab = circle(1, 2, 3 m)\n");
  sources.add("b.policy", "\nzone lab = circle(1, 2, 3 m)\n");
  const auto loaded = load_policy(sources, Registry::defaults());
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.error().size(), 1U);
  EXPECT_EQ(format(loaded.error()[0], sources).rfind("b.policy:2:6: error: 'lab' is already declared", 0), 0U);
  EXPECT_EQ(loaded.error()[0].note, "first declared at line 1, column 6");
}

TEST(DiagnosticFormat, NamesEveryCode) {
  for (std::size_t code = 0; code < kDiagnosticCodeCount; ++code) {
    const std::string_view name = to_string(static_cast<DiagnosticCode>(code));
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(name.find('_'), std::string_view::npos) << name;
  }
  EXPECT_EQ(to_string(DiagnosticCode::unconfigured_template), "unconfigured-template");
}

TEST(SourceSet, FindsTheLineOfASpan) {
  SourceSet sources;
  sources.add("t", "first\r\nsecond\nthird");
  EXPECT_EQ(sources.line_of(Span{0, 0, 1, 1, 1}), "first");
  EXPECT_EQ(sources.line_of(Span{0, 9, 1, 2, 3}), "second");
  EXPECT_EQ(sources.line_of(Span{0, 18, 1, 3, 5}), "third");
  EXPECT_EQ(sources.line_of(Span{3, 0, 0, 1, 1}), "");  // no such file
}

}  // namespace
}  // namespace mqwarden::policy
