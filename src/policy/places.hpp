// Logical location and time: whether a position is in a zone (a circle or a
// polygon on the WGS 84 sphere), the great-circle distance between two
// positions, and whether an instant falls in a weekly or dated calendar in
// its time zone; and the compilation of zones and calendars into the form
// these tests read.
//
// Polygons: each edge takes the short way round, spanning less than 180° of
// longitude, so a polygon may cross the antimeridian (corners at 179.5 and
// -179.5 enclose 179.9 and -179.9); a polygon may not enclose a pole.
// Calendars: the local wall-clock time of the instant in the calendar's zone
// decides, so a slot follows daylight saving time.
// Pure functions; thread-safe; the tests allocate nothing.
#pragma once

#include <cstdint>

#include "policy/ast.hpp"
#include "policy/compiled_policy.hpp"
#include "policy/value.hpp"

namespace mqwarden::policy {

// Haversine distance on a sphere of the Earth's mean radius.
double distance_metres(GeoPosition from, GeoPosition to);
bool in_zone(GeoPosition position, const CompiledZone& zone);
// `time_ms`: milliseconds since the Unix epoch (UTC).
bool in_calendar(std::int64_t time_ms, const CompiledCalendar& calendar);

// The signed change of longitude going the short way from `from` to `to`, in [-180, 180).
double longitude_step(double from, double to);
// The interval a dated entry covers, in local wall-clock minutes (empty if it ends before it starts).
LocalInterval local_interval(const DatedInterval& interval);

// A checked zone; a checked calendar (its time zone resolved).
CompiledZone compile_zone(const Zone& zone);
CompiledCalendar compile_calendar(const Calendar& calendar);

}  // namespace mqwarden::policy
