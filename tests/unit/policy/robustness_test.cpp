// Hostile input: the front end must terminate quickly, never crash, never
// recurse without bound, whatever the bytes. (The fuzz target will push on
// the same property with coverage guidance.)
#include <random>

#include "policy/parser.hpp"
#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using testing::diagnose;

bool has_code(const Diagnostics& diagnostics, DiagnosticCode code) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [&](const Diagnostic& diagnostic) { return diagnostic.code == code; });
}

std::string rule_with_condition(const std::string& condition) {
  return "rule r { on tentative publish if " + condition + " then allow }";
}

TEST(Robustness, RefusesDeepParentheses) {
  const std::string deep = std::string(100000, '(') + "true" + std::string(100000, ')');
  EXPECT_TRUE(has_code(diagnose(rule_with_condition(deep)), DiagnosticCode::nesting_too_deep));
}

TEST(Robustness, RefusesDeepNegation) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "not ";
  EXPECT_TRUE(has_code(diagnose(rule_with_condition(deep + "true")), DiagnosticCode::nesting_too_deep));
}

TEST(Robustness, RefusesDeepListsCallsAndTemporalOperators) {
  for (const std::string& open : {std::string("["), std::string("always("), std::string("reputation(")}) {
    std::string deep;
    for (int i = 0; i < 10000; ++i) deep += open;
    EXPECT_TRUE(has_code(diagnose(rule_with_condition(deep)), DiagnosticCode::nesting_too_deep)) << open;
  }
}

TEST(Robustness, AcceptsNestingUpToTheLimit) {
  const int depth = kMaxNesting - 2;  // the if clause itself is one level
  const std::string nested = std::string(depth, '(') + "true" + std::string(depth, ')');
  EXPECT_TRUE(diagnose(rule_with_condition(nested)).empty());
}

TEST(Robustness, HandlesLongFlatChainsWithoutDeepRecursion) {
  std::string chain = "retain";
  for (int i = 0; i < 30000; ++i) chain += " and retain";
  EXPECT_TRUE(diagnose(rule_with_condition(chain)).empty());
}

TEST(Robustness, SurvivesEveryPrefixOfAValidPolicy) {
  const std::string policy = R"(template t(a, n: number) { rule { on tentative deliver where publisher.id == a
  if situation s(a) and count(within 10 s, actual publish where client.ip == event.publisher.ip) > n
  then modify { set payload.x = {"k": [1, 2]}; blur payload.lat, payload.lon to 1 km } else deny code 0x87 } }
configure t(a = "b", n = 3) for each actual connect until actual disconnect where client.id == a
situation s(a) = reputation(a) >= 1
zone z = polygon((1, 2), (3, 4), (5, -6))
calendar c = weekly Mon-Fri 08:00-18:00
)";
  for (std::size_t length = 0; length <= policy.size(); ++length) {
    const Diagnostics diagnostics = diagnose(policy.substr(0, length));
    if (length == policy.size()) {
      EXPECT_FALSE(has_errors(diagnostics)) << testing::codes_of(diagnostics);
    }
  }
}

TEST(Robustness, SurvivesRandomTokenSoup) {
  const std::vector<std::string> pieces = {
      "rule",  "template", "configure", "situation", "zone",   "calendar", "on",     "tentative", "actual",
      "where", "if",       "then",      "else",      "allow",  "deny",     "modify", "delay",     "execute",
      "count", "within",   "always",    "repLim",    "event",  ".",        "client", "id",        "payload",
      "(",     ")",        "{",         "}",         "[",      "]",        ",",      ";",         ":",
      "=",     "==",       "=~",        "<",         "-",      "not",      "and",    "or",        "in",
      "10",    "s",        "m",         "\"a/#\"",   "08:00",  "publish",  "starts", "for",       "each",
      "until", "set",      "blur",      "to",        "is",     "absent",   "\"",     "@",         "\n"};
  std::mt19937 random(12345);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 80);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i) text += pieces[pick(random)] + " ";
    (void)diagnose(text);
  }
}

TEST(Robustness, SurvivesRandomBytes) {
  std::mt19937 random(54321);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 1000; ++round) {
    std::string text(static_cast<std::size_t>(byte(random)) + 1, '\0');
    for (char& c : text) c = static_cast<char>(byte(random));
    (void)diagnose(text);
  }
}

TEST(Robustness, FollowsLongChainsOfSituationsWithoutDeepRecursion) {
  constexpr int kLength = 20000;
  std::string chain;
  for (int i = 0; i < kLength; ++i) chain += "situation s" + std::to_string(i) + " = situation s" + std::to_string(i + 1) + "\n";
  EXPECT_TRUE(diagnose(chain + "situation s" + std::to_string(kLength) + " = true\n").empty());
  const Diagnostics cycle = diagnose(chain + "situation s" + std::to_string(kLength) + " = situation s0\n");
  ASSERT_EQ(cycle.size(), 1U);
  EXPECT_EQ(cycle[0].code, DiagnosticCode::recursive_situation);
}

TEST(Robustness, ChecksTenThousandConfigurations) {
  std::string text = "template t(device, limit: number) { rule { on tentative publish where client.id == device "
                     "if repMax(limit, actual publish where client.id == device) then allow } }\n";
  for (int i = 0; i < 10000; ++i) text += "configure t(device = \"d" + std::to_string(i) + "\", limit = 5)\n";
  EXPECT_TRUE(diagnose(text).empty());
}

TEST(Robustness, CapsTheNumberOfSyntaxErrors) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "zone z = square\n";
  EXPECT_EQ(diagnose(text).size(), 50U);
}

}  // namespace
}  // namespace mqwarden::policy
