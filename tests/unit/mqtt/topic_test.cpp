// Topic names and filters (spec 4.7 of both versions) and shared subscriptions
// (5.0 section 4.8.2): validation with the statement each error breaks in each
// version (the 4.7.x numbers shift between 3.1.1 and 5.0), the configured
// length and level limits, and matching, including the examples of section 4.7
// and the rule that wildcards at the start do not match `$` topics.
#include "mqtt/topic.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

namespace mqwarden::mqtt {
namespace {

constexpr ProtocolVersion v311 = ProtocolVersion::v311;
constexpr ProtocolVersion v5 = ProtocolVersion::v5;

constexpr TopicError kAllErrors[] = {
    TopicError::empty,
    TopicError::too_long,
    TopicError::too_many_levels,
    TopicError::bad_utf8,
    TopicError::wildcard_in_name,
    TopicError::misplaced_multi_level_wildcard,
    TopicError::misplaced_single_level_wildcard,
    TopicError::empty_share_name,
    TopicError::bad_share_name,
    TopicError::missing_share_filter,
};

// Errors compared by their description, so that a failure says which one came out.
std::string describe(std::optional<TopicError> error) {
  return error ? std::string(to_string(*error)) : "valid";
}

std::string name_error(std::string_view name, const TopicLimits& limits = {}) {
  return describe(validate_topic_name(name, limits));
}

std::string filter_error(std::string_view filter, const TopicLimits& limits = {}) {
  return describe(validate_topic_filter(filter, limits));
}

const std::string kValid = "valid";
std::string expected(TopicError error) {
  return std::string(to_string(error));
}

// ---- Validation ----------------------------------------------------------------

TEST(MQTT_4_7_3_1, EmptyNameAndFilterAreInvalid) {
  EXPECT_EQ(name_error(""), expected(TopicError::empty));
  EXPECT_EQ(filter_error(""), expected(TopicError::empty));
  EXPECT_EQ(topic_rule(TopicError::empty, v311), "MQTT-4.7.3-1");
  EXPECT_EQ(topic_rule(TopicError::empty, v5), "MQTT-4.7.3-1");
}

TEST(MQTT_4_7_3_1, EmptyLevelsAreValid) {
  for (std::string_view topic : {"/", "//", "/finance", "finance/", "a//b"}) {
    EXPECT_EQ(name_error(topic), kValid) << topic;
    EXPECT_EQ(filter_error(topic), kValid) << topic;
  }
}

TEST(MQTT_4_7_3_2, NullCharacterIsInvalid) {
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(name_error(with_nul), expected(TopicError::bad_utf8));
  EXPECT_EQ(filter_error(with_nul), expected(TopicError::bad_utf8));
  EXPECT_EQ(topic_rule(TopicError::bad_utf8, v5), "MQTT-4.7.3-2");
}

TEST(MQTT_1_5_4_1, IllFormedUtf8TopicIsInvalid) {
  for (std::string_view topic : {"a/\xC0\xAF", "\xED\xA0\x80", "\xFF"}) {
    EXPECT_EQ(name_error(topic), expected(TopicError::bad_utf8));
    EXPECT_EQ(filter_error(topic), expected(TopicError::bad_utf8));
  }
}

TEST(MQTT_4_7_3_3, AtMost65535Bytes) {
  EXPECT_EQ(name_error(std::string(65'535, 'a')), kValid);
  EXPECT_EQ(name_error(std::string(65'536, 'a')), expected(TopicError::too_long));
  EXPECT_EQ(filter_error(std::string(65'535, 'a')), kValid);
  EXPECT_EQ(filter_error(std::string(65'536, 'a')), expected(TopicError::too_long));
  EXPECT_EQ(topic_rule(TopicError::too_long, v311), "MQTT-4.7.3-3");
}

TEST(MQTT_4_7_3_3, ConfiguredMaximumLength) {
  const TopicLimits limits{.max_length = 8};
  EXPECT_EQ(name_error("12345678", limits), kValid);
  EXPECT_EQ(name_error("123456789", limits), expected(TopicError::too_long));
  EXPECT_EQ(filter_error("1234567#", limits), expected(TopicError::misplaced_multi_level_wildcard));
  EXPECT_EQ(filter_error("1234/67/#", limits), expected(TopicError::too_long));
  // The length counts bytes, not characters: four two-byte characters fill 8 bytes.
  EXPECT_EQ(name_error("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", limits), kValid);
  EXPECT_EQ(name_error("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "a",
                       limits),
            expected(TopicError::too_long));
}

TEST(MQTT_4_7_3_3, ConfiguredLengthAboveTheProtocolLimitStillStopsAt65535) {
  const TopicLimits limits{.max_length = 1'000'000};
  EXPECT_EQ(name_error(std::string(65'536, 'a'), limits), expected(TopicError::too_long));
}

TEST(MQTT_4_7_3_3, ConfiguredMaximumLevels) {
  const TopicLimits limits{.max_levels = 3};
  EXPECT_EQ(name_error("a/b/c", limits), kValid);
  EXPECT_EQ(name_error("a/b/c/d", limits), expected(TopicError::too_many_levels));
  EXPECT_EQ(name_error("//", limits), kValid);  // three empty levels
  EXPECT_EQ(name_error("///", limits), expected(TopicError::too_many_levels));
  EXPECT_EQ(filter_error("a/+/#", limits), kValid);
  EXPECT_EQ(filter_error("a/+/c/#", limits), expected(TopicError::too_many_levels));
  // Zero means no limit on levels.
  EXPECT_EQ(name_error("a/b/c/d/e/f/g/h", TopicLimits{.max_levels = 0}), kValid);
}

TEST(MQTT_4_7_1_1, V311WildcardsAreNotAllowedInTopicNames) {
  for (std::string_view name : {"+", "#", "a/+", "a/#", "+/b", "a+b", "sport/tennis#"}) {
    EXPECT_EQ(name_error(name), expected(TopicError::wildcard_in_name)) << name;
  }
  EXPECT_EQ(topic_rule(TopicError::wildcard_in_name, v311), "MQTT-4.7.1-1");
}

TEST(MQTT_4_7_0_1, V5WildcardsAreNotAllowedInTopicNames) {
  EXPECT_EQ(name_error("a/+"), expected(TopicError::wildcard_in_name));
  EXPECT_EQ(topic_rule(TopicError::wildcard_in_name, v5), "MQTT-4.7.0-1");
}

TEST(MQTT_4_7_1_1, ValidTopicNames) {
  for (std::string_view name : {"sport/tennis/player1", "$SYS/broker/load", "a b", "caf\xC3\xA9", "$share/g/t"}) {
    EXPECT_EQ(name_error(name), kValid) << name;
  }
}

TEST(MQTT_4_7_1_2, V311MultiLevelWildcardMustBeLastAndAloneInItsLevel) {
  for (std::string_view filter :
       {"sport/tennis#", "sport/tennis/#/ranking", "#/", "#/a", "a/#/", "##", "a#", "#a", "a/b#/c"}) {
    EXPECT_EQ(filter_error(filter), expected(TopicError::misplaced_multi_level_wildcard)) << filter;
  }
  EXPECT_EQ(topic_rule(TopicError::misplaced_multi_level_wildcard, v311), "MQTT-4.7.1-2");
}

TEST(MQTT_4_7_1_1, V5MultiLevelWildcardMustBeLastAndAloneInItsLevel) {
  EXPECT_EQ(filter_error("sport/tennis/#/ranking"), expected(TopicError::misplaced_multi_level_wildcard));
  EXPECT_EQ(topic_rule(TopicError::misplaced_multi_level_wildcard, v5), "MQTT-4.7.1-1");
}

TEST(MQTT_4_7_1_3, V311SingleLevelWildcardMustBeAloneInItsLevel) {
  for (std::string_view filter : {"sport+", "sport/+player1", "++", "+a", "a+/b", "a/b+", "+#", "a/+b/c"}) {
    EXPECT_EQ(filter_error(filter), expected(TopicError::misplaced_single_level_wildcard)) << filter;
  }
  EXPECT_EQ(topic_rule(TopicError::misplaced_single_level_wildcard, v311), "MQTT-4.7.1-3");
}

TEST(MQTT_4_7_1_2, V5SingleLevelWildcardMustBeAloneInItsLevel) {
  EXPECT_EQ(filter_error("sport+"), expected(TopicError::misplaced_single_level_wildcard));
  EXPECT_EQ(topic_rule(TopicError::misplaced_single_level_wildcard, v5), "MQTT-4.7.1-2");
}

TEST(MQTT_4_7_1_2, ValidWildcardFilters) {
  for (std::string_view filter : {"#", "+", "+/+", "/+", "+/", "sport/#", "sport/tennis/+", "+/tennis/#",
                                  "sport/+/player1", "+/+/+", "/#", "$SYS/#", "a//+//#"}) {
    EXPECT_EQ(filter_error(filter), kValid) << filter;
  }
}

TEST(TopicError, EveryErrorHasADistinctDescription) {
  std::set<std::string_view> seen;
  for (TopicError error : kAllErrors) {
    EXPECT_FALSE(to_string(error).empty());
    EXPECT_TRUE(seen.insert(to_string(error)).second) << to_string(error);
  }
}

TEST(TopicError, EveryRuleIsAStatementOrSectionId) {
  for (TopicError error : kAllErrors) {
    for (ProtocolVersion version : {v311, v5}) {
      EXPECT_TRUE(topic_rule(error, version).starts_with("MQTT-4.")) << to_string(error);
    }
  }
}

TEST(HasWildcard, FindsEitherWildcardAnywhere) {
  EXPECT_TRUE(has_wildcard("a/+/b"));
  EXPECT_TRUE(has_wildcard("#"));
  EXPECT_TRUE(has_wildcard("a+b"));
  EXPECT_FALSE(has_wildcard("a/b"));
  EXPECT_FALSE(has_wildcard("$SYS"));
}

// ---- Shared subscriptions --------------------------------------------------------

TEST(MQTT_4_8_2_1, ParsesGroupAndFilter) {
  const auto shared = parse_shared_subscription("$share/consumers/sport/+/player1");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->group, "consumers");
  EXPECT_EQ(shared->filter, "sport/+/player1");

  const auto hash = parse_shared_subscription("$share/g/#");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->group, "g");
  EXPECT_EQ(hash->filter, "#");
}

TEST(MQTT_4_8_2_1, OnlyFiltersStartingWithShareSlashAreShared) {
  for (std::string_view filter : {"sport/x", "$share", "$SHARE/g/x", "$shared/g/x", "share/g/x", "/$share/g/x"}) {
    EXPECT_FALSE(parse_shared_subscription(filter).has_value()) << filter;
  }
}

TEST(MQTT_4_8_2_1, ShareNameMustNotBeEmpty) {
  const auto shared = parse_shared_subscription("$share//x");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->group, "");
  EXPECT_EQ(filter_error("$share//x"), expected(TopicError::empty_share_name));
  EXPECT_EQ(topic_rule(TopicError::empty_share_name, v5), "MQTT-4.8.2-1");
}

TEST(MQTT_4_8_2_2, ShareNameMustNotContainWildcards) {
  for (std::string_view filter : {"$share/+/x", "$share/#/x", "$share/g+/x", "$share/a#b/x", "$share/#"}) {
    EXPECT_EQ(filter_error(filter), expected(TopicError::bad_share_name)) << filter;
  }
  EXPECT_EQ(topic_rule(TopicError::bad_share_name, v5), "MQTT-4.8.2-2");
}

TEST(MQTT_4_8_2_2, ShareNameMustBeFollowedBySlashAndAFilter) {
  for (std::string_view filter : {"$share/g", "$share/g/"}) {
    EXPECT_EQ(filter_error(filter), expected(TopicError::missing_share_filter)) << filter;
  }
  const auto no_filter = parse_shared_subscription("$share/g");
  ASSERT_TRUE(no_filter.has_value());
  EXPECT_EQ(no_filter->group, "g");
  EXPECT_EQ(no_filter->filter, "");
  EXPECT_EQ(topic_rule(TopicError::missing_share_filter, v5), "MQTT-4.8.2-2");
}

TEST(MQTT_4_8_2_2, TheSharedFilterIsValidatedAsAFilter) {
  EXPECT_EQ(filter_error("$share/g/a/#/b"), expected(TopicError::misplaced_multi_level_wildcard));
  EXPECT_EQ(filter_error("$share/g/a+"), expected(TopicError::misplaced_single_level_wildcard));
  EXPECT_EQ(filter_error("$share/g/+/x/#"), kValid);
  EXPECT_EQ(filter_error("$share/g//"), kValid);  // the filter "/" has two empty levels
}

// ---- Matching ------------------------------------------------------------------

struct MatchCase {
  std::string_view filter;
  std::string_view name;
  bool matches;
};

std::ostream& operator<<(std::ostream& out, const MatchCase& c) {
  return out << '"' << c.filter << (c.matches ? "\" matches \"" : "\" does not match \"") << c.name << '"';
}

class TopicMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(TopicMatch, MatchesAsTheSpecificationSays) {
  const MatchCase& c = GetParam();
  ASSERT_EQ(filter_error(c.filter), kValid);
  ASSERT_EQ(name_error(c.name), kValid);
  EXPECT_EQ(topic_matches(c.filter, c.name), c.matches) << c;
}

// The examples of section 4.7.1.2 and 4.7.1.3.
INSTANTIATE_TEST_SUITE_P(MQTT_4_7_1_SpecExamples, TopicMatch,
                         ::testing::Values(MatchCase{"sport/tennis/player1/#", "sport/tennis/player1", true},
                                           MatchCase{"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
                                           MatchCase{"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon",
                                                     true},
                                           MatchCase{"sport/#", "sport", true}, MatchCase{"#", "sport/tennis", true},
                                           MatchCase{"sport/tennis/+", "sport/tennis/player1", true},
                                           MatchCase{"sport/tennis/+", "sport/tennis/player2", true},
                                           MatchCase{"sport/tennis/+", "sport/tennis/player1/ranking", false},
                                           MatchCase{"sport/+", "sport", false}, MatchCase{"sport/+", "sport/", true},
                                           MatchCase{"+/+", "/finance", true}, MatchCase{"/+", "/finance", true},
                                           MatchCase{"+", "/finance", false}));

INSTANTIATE_TEST_SUITE_P(MQTT_4_7_1_Levels, TopicMatch,
                         ::testing::Values(MatchCase{"a/b", "a/b", true}, MatchCase{"a/b", "a/b/c", false},
                                           MatchCase{"a/b/c", "a/b", false}, MatchCase{"a/b", "a/b/", false},
                                           MatchCase{"a/+/b", "a//b", true}, MatchCase{"a//b", "a/b", false},
                                           MatchCase{"a/+/c", "a/b/c", true}, MatchCase{"a/+/c", "a/b/d", false},
                                           MatchCase{"a/+/c", "a/b/x/c", false}, MatchCase{"a/#", "a", true},
                                           MatchCase{"a/b/#", "a", false}, MatchCase{"a/b/#", "ab", false},
                                           MatchCase{"a/#", "ab/c", false}, MatchCase{"#", "/", true},
                                           MatchCase{"+", "a", true}, MatchCase{"+/#", "a", true},
                                           MatchCase{"+/+/+", "a/b", false}, MatchCase{"/#", "/", true},
                                           MatchCase{"/#", "a", false}));

// [MQTT-4.7.2-1]: a filter starting with a wildcard does not match a name starting with '$'.
INSTANTIATE_TEST_SUITE_P(MQTT_4_7_2_1, TopicMatch,
                         ::testing::Values(MatchCase{"#", "$SYS/x", false}, MatchCase{"#", "$SYS", false},
                                           MatchCase{"+", "$SYS", false},
                                           MatchCase{"+/monitor/Clients", "$SYS/monitor/Clients", false},
                                           MatchCase{"+/#", "$data/x", false}, MatchCase{"$SYS/#", "$SYS/x", true},
                                           MatchCase{"$SYS/#", "$SYS", true},
                                           MatchCase{"$SYS/monitor/+", "$SYS/monitor/Clients", true},
                                           MatchCase{"a/+", "a/$b", true}, MatchCase{"a/#", "a/$b/c", true}));

// [MQTT-4.7.3-4]: no normalisation or case folding when matching.
INSTANTIATE_TEST_SUITE_P(MQTT_4_7_3_4, TopicMatch,
                         ::testing::Values(MatchCase{"ACCOUNTS", "Accounts", false},
                                           MatchCase{"Accounts", "Accounts", true},
                                           MatchCase{"Accounts/+", "accounts/x", false},
                                           // U+00E9 precomposed against "e" + U+0301 combining acute.
                                           MatchCase{"caf\xC3\xA9", "cafe\xCC\x81", false},
                                           MatchCase{"a /b", "a/b", false}));

}  // namespace
}  // namespace mqwarden::mqtt
