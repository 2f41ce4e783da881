#include "app/config_units.hpp"

#include <gtest/gtest.h>

namespace mqwarden::app {
namespace {

using namespace std::chrono_literals;

TEST(ParseSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(*parse_size("100 B"), 100u);
  EXPECT_EQ(*parse_size("512 KiB"), 512u * 1024);
  EXPECT_EQ(*parse_size("4 MiB"), 4u * 1024 * 1024);
  EXPECT_EQ(*parse_size("2 GiB"), 2ULL * 1024 * 1024 * 1024);
  EXPECT_EQ(*parse_size("3 kB"), 3000u);
  EXPECT_EQ(*parse_size("1 MB"), 1'000'000u);
  EXPECT_EQ(*parse_size("1 GB"), 1'000'000'000u);
}

TEST(ParseSize, SpacesAreOptional) {
  EXPECT_EQ(*parse_size("4MiB"), 4u * 1024 * 1024);
  EXPECT_EQ(*parse_size("  4 \t MiB "), 4u * 1024 * 1024);
}

TEST(ParseSize, RejectsAStringWithoutUnit) {
  EXPECT_EQ(parse_size("4096").error(),
            "a size needs a unit (B, KiB, MiB, GiB (powers of 1024) or kB, MB, GB (powers of 1000)), e.g. \"4 MiB\"");
}

TEST(ParseSize, RejectsUnknownAndMiscasedUnits) {
  EXPECT_EQ(parse_size("4 KB").error(),
            "unknown unit \"KB\"; use B, KiB, MiB, GiB (powers of 1024) or kB, MB, GB (powers of 1000)");
  EXPECT_FALSE(parse_size("4 mib").ok());
}

TEST(ParseSize, RejectsNegativeAndMissingNumbers) {
  EXPECT_EQ(parse_size("-1 MiB").error(), "expected a size like \"4 MiB\": a non-negative integer and a unit");
  EXPECT_FALSE(parse_size("MiB").ok());
  EXPECT_FALSE(parse_size("").ok());
}

TEST(ParseSize, RejectsOverflow) {
  EXPECT_EQ(parse_size("99999999999999999999 B").error(), "the number is too large");
  EXPECT_EQ(parse_size("17179869184 GiB").error(), "the number is too large");
}

TEST(ParseDuration, AllUnits) {
  EXPECT_EQ(*parse_duration("250 us"), 250us);
  EXPECT_EQ(*parse_duration("5 ms"), 5ms);
  EXPECT_EQ(*parse_duration("10 s"), 10s);
  EXPECT_EQ(*parse_duration("2 min"), 2min);
  EXPECT_EQ(*parse_duration("1h"), 1h);
  EXPECT_EQ(*parse_duration("0 s"), 0us);
}

TEST(ParseDuration, RejectsMissingOrUnknownUnits) {
  EXPECT_EQ(parse_duration("5").error(), "a duration needs a unit (us, ms, s, min, h), e.g. \"5 ms\"");
  EXPECT_EQ(parse_duration("5 sec").error(), "unknown unit \"sec\"; use us, ms, s, min, h");
  EXPECT_EQ(parse_duration("1.5 s").error(), "unknown unit \".5 s\"; use us, ms, s, min, h");
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_EQ(parse_duration("9223372036854775807 h").error(), "the number is too large");
  EXPECT_EQ(parse_duration("9223372036854775808 us").error(), "the number is too large");
}

TEST(FormatSize, UsesTheLargestExactBinaryUnit) {
  EXPECT_EQ(format_size(0), "0 B");
  EXPECT_EQ(format_size(128), "128 B");
  EXPECT_EQ(format_size(1536), "1536 B");
  EXPECT_EQ(format_size(4 * 1024 * 1024), "4 MiB");
  EXPECT_EQ(format_size(256ULL * 1024 * 1024), "256 MiB");
  EXPECT_EQ(format_size(1024ULL * 1024 * 1024), "1 GiB");
}

TEST(FormatDuration, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_duration(0us), "0 s");
  EXPECT_EQ(format_duration(5ms), "5 ms");
  EXPECT_EQ(format_duration(1500ms), "1500 ms");
  EXPECT_EQ(format_duration(120s), "2 min");
  EXPECT_EQ(format_duration(65535s), "65535 s");
  EXPECT_EQ(format_duration(7us), "7 us");
}

}  // namespace
}  // namespace mqwarden::app
