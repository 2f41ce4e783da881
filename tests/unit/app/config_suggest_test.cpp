#include "app/config_suggest.hpp"

#include <gtest/gtest.h>

#include <array>

namespace mqwarden::app {
namespace {

constexpr std::array<std::string_view, 4> kKeys{"max_packet_size", "max_connections", "max_keep_alive",
                                                "max_topic_alias"};

TEST(ClosestMatch, FindsATypo) {
  EXPECT_EQ(closest_match("max_packet_sise", kKeys), "max_packet_size");
  EXPECT_EQ(closest_match("max_conections", kKeys), "max_connections");
  EXPECT_EQ(closest_match("max_keepalive", kKeys), "max_keep_alive");
}

TEST(ClosestMatch, FindsAWordThatStartsTheCandidate) {
  constexpr std::array<std::string_view, 4> levels{"error", "warning", "info", "debug"};
  EXPECT_EQ(closest_match("warn", levels), "warning");
}

TEST(ClosestMatch, SuggestsNothingForAnUnrelatedWord) {
  EXPECT_EQ(closest_match("colour", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("ma", kKeys), std::nullopt);
}

TEST(ClosestMatch, PrefersTheNearestCandidate) {
  constexpr std::array<std::string_view, 2> words{"limit", "limits"};
  EXPECT_EQ(closest_match("limitss", words), "limits");
}

}  // namespace
}  // namespace mqwarden::app
