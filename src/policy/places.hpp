// Logical location and time: whether a position is in a zone (a circle or a
// polygon on the WGS 84 sphere), the great-circle distance between two
// positions, and whether an instant falls in a weekly calendar.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "policy/compiled_policy.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

// Haversine distance on a sphere of the Earth's mean radius.
double distance_metres(GeoPosition from, GeoPosition to);
bool in_zone(GeoPosition position, const CompiledZone& zone);
// `time_ms`: milliseconds since the Unix epoch, shifted by the calendar's UTC offset.
bool in_calendar(std::int64_t time_ms, const CompiledCalendar& calendar);

}  // namespace mqwarden::policy
