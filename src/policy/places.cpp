#include "policy/places.hpp"

#include <cmath>
#include <numbers>

namespace mqwarden::policy {
namespace {

constexpr double kEarthRadiusMetres = 6'371'008.8;
constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMinutes = 24 * 60;

double radians(double degrees) {
  return degrees * std::numbers::pi / 180.0;
}

// Ray casting in the (longitude, latitude) plane: fine for zones of a city's size.
bool in_polygon(GeoPosition position, const std::vector<GeoPoint>& corners) {
  bool inside = false;
  for (std::size_t i = 0, j = corners.size() - 1; i < corners.size(); j = i++) {
    const GeoPoint& a = corners[i];
    const GeoPoint& b = corners[j];
    const bool crosses = (a.latitude > position.latitude) != (b.latitude > position.latitude);
    if (crosses &&
        position.longitude <
            (b.longitude - a.longitude) * (position.latitude - a.latitude) / (b.latitude - a.latitude) + a.longitude) {
      inside = !inside;
    }
  }
  return inside;
}

// Whether (day, minute) is in `slot`; days 0 = Monday.
bool in_slot(int day, int minute, const WeeklySlot& slot) {
  const int first = static_cast<int>(slot.first_day);
  const int last = static_cast<int>(slot.last_day);
  const auto covers_day = [&](int candidate) {
    return first <= last ? candidate >= first && candidate <= last : candidate >= first || candidate <= last;
  };
  if (slot.start_minute < slot.end_minute)
    return covers_day(day) && minute >= slot.start_minute && minute < slot.end_minute;
  // Past midnight: the evening part on a slot day, the morning part on the next day.
  return (covers_day(day) && minute >= slot.start_minute) || (covers_day((day + 6) % 7) && minute < slot.end_minute);
}

}  // namespace

double distance_metres(GeoPosition from, GeoPosition to) {
  const double dlat = radians(to.latitude - from.latitude);
  const double dlon = radians(to.longitude - from.longitude);
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(radians(from.latitude)) *
                                                                 std::cos(radians(to.latitude)) * std::sin(dlon / 2) *
                                                                 std::sin(dlon / 2);
  return 2 * kEarthRadiusMetres * std::asin(std::min(1.0, std::sqrt(a)));
}

bool in_zone(GeoPosition position, const CompiledZone& zone) {
  if (zone.shape == ZoneShape::circle) {
    const GeoPoint& centre = zone.points.front();
    return distance_metres(position, {centre.latitude, centre.longitude}) <= zone.radius_metres;
  }
  return in_polygon(position, zone.points);
}

bool in_calendar(std::int64_t time_ms, const CompiledCalendar& calendar) {
  const std::int64_t minutes =
      (time_ms >= 0 ? time_ms / kMinuteMs : (time_ms - kMinuteMs + 1) / kMinuteMs) + calendar.utc_offset_minutes;
  const std::int64_t days = minutes >= 0 ? minutes / kDayMinutes : (minutes - kDayMinutes + 1) / kDayMinutes;
  const int minute = static_cast<int>(minutes - days * kDayMinutes);
  const int day = static_cast<int>(((days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday (3 when Monday is 0)
  for (const WeeklySlot& slot : calendar.slots) {
    if (in_slot(day, minute, slot)) return true;
  }
  return false;
}

}  // namespace mqwarden::policy
