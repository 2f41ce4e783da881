// Zones: polygons across the antimeridian, circles near it, and the checks
// on polygon edges (places.hpp).
#include "policy/places.hpp"

#include <gtest/gtest.h>

#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using testing::codes_of;
using testing::diagnose;

CompiledZone polygon(std::vector<GeoPoint> corners) {
  Zone zone;
  zone.shape = ZoneShape::polygon;
  zone.points = std::move(corners);
  return compile_zone(zone);
}

CompiledZone circle(GeoPoint centre, double radius_metres) {
  Zone zone;
  zone.points = {centre};
  zone.radius_metres = radius_metres;
  return compile_zone(zone);
}

TEST(Places, PolygonAcrossTheAntimeridianHoldsPointsOnBothSides) {
  const CompiledZone strait = polygon({{-1, 179.5}, {1, 179.5}, {1, -179.5}, {-1, -179.5}});
  EXPECT_TRUE(in_zone({0, 179.9}, strait));
  EXPECT_TRUE(in_zone({0, -179.9}, strait));
  EXPECT_TRUE(in_zone({0, 180}, strait));
  EXPECT_TRUE(in_zone({0, -180}, strait));
  EXPECT_FALSE(in_zone({0, 0}, strait));
  EXPECT_FALSE(in_zone({0, 179.0}, strait));
  EXPECT_FALSE(in_zone({0, -179.0}, strait));
  EXPECT_FALSE(in_zone({2, 179.9}, strait));
}

TEST(Places, PolygonAcrossTheAntimeridianDoesNotDependOnTheFirstCorner) {
  const CompiledZone strait = polygon({{1, -179.5}, {-1, -179.5}, {-1, 179.5}, {1, 179.5}});
  EXPECT_TRUE(in_zone({0, 179.9}, strait));
  EXPECT_TRUE(in_zone({0, -179.9}, strait));
  EXPECT_FALSE(in_zone({0, 0}, strait));
}

TEST(Places, PolygonWiderThanHalfTheEarthFindsPointsFarFromItsFirstCorner) {
  // A band from longitude 0 eastwards over the antimeridian to -100 (260 degrees wide).
  const CompiledZone band = polygon({{-1, 0}, {-1, 90}, {-1, 179}, {-1, -100}, {1, -100}, {1, 179}, {1, 90}, {1, 0}});
  EXPECT_TRUE(in_zone({0, 45}, band));
  EXPECT_TRUE(in_zone({0, -179}, band));
  EXPECT_TRUE(in_zone({0, -120}, band));
  EXPECT_FALSE(in_zone({0, -90}, band));
  EXPECT_FALSE(in_zone({0, -10}, band));
}

TEST(Places, PolygonAwayFromTheAntimeridianIsUnchanged) {
  const CompiledZone yard = polygon({{45.80, 8.62}, {45.82, 8.62}, {45.82, 8.64}, {45.80, 8.64}});
  EXPECT_TRUE(in_zone({45.81, 8.63}, yard));
  EXPECT_FALSE(in_zone({45.81, 8.65}, yard));
  EXPECT_FALSE(in_zone({45.83, 8.63}, yard));
}

TEST(Places, CircleNearTheAntimeridianReachesAcrossIt) {
  const CompiledZone harbour = circle({0, 179.999}, 500);
  EXPECT_TRUE(in_zone({0, -179.999}, harbour));  // about 220 m away, over the antimeridian
  EXPECT_TRUE(in_zone({0, 180}, harbour));
  EXPECT_FALSE(in_zone({0, 179.99}, harbour));  // about 1 km away
  EXPECT_FALSE(in_zone({0, -179.99}, harbour));
}

TEST(Places, LongitudeStepTakesTheShortWay) {
  EXPECT_DOUBLE_EQ(longitude_step(179.5, -179.5), 1.0);
  EXPECT_DOUBLE_EQ(longitude_step(-179.5, 179.5), -1.0);
  EXPECT_DOUBLE_EQ(longitude_step(10, 20), 10.0);
  EXPECT_DOUBLE_EQ(longitude_step(0, 180), -180.0);
}

TEST(Places, PolygonOverTheAntimeridianIsAccepted) {
  const Diagnostics diagnostics = diagnose("zone strait = polygon((-1, 179.5), (1, 179.5), (1, -179.5), (-1, -179.5))");
  EXPECT_TRUE(diagnostics.empty()) << codes_of(diagnostics);
}

TEST(Places, EdgeOfHalfTheEarthIsRefused) {
  const Diagnostics diagnostics = diagnose("zone z = polygon((0, 0), (1, 180), (2, -90))");
  ASSERT_EQ(diagnostics.size(), 1U) << codes_of(diagnostics);
  EXPECT_EQ(diagnostics[0].code, DiagnosticCode::out_of_range);
  EXPECT_EQ(diagnostics[0].span.column, 27U);  // the corner (1, 180), after its parenthesis
}

TEST(Places, PolygonAroundAPoleIsRefused) {
  const Diagnostics diagnostics = diagnose("zone arctic = polygon((80, 0), (80, 120), (80, -120))");
  ASSERT_EQ(diagnostics.size(), 1U) << codes_of(diagnostics);
  EXPECT_EQ(diagnostics[0].code, DiagnosticCode::out_of_range);
  EXPECT_NE(diagnostics[0].message.find("cannot enclose a pole"), std::string::npos);
}

}  // namespace
}  // namespace mqwarden::policy
