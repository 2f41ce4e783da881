#include "policy/places.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "policy/civil_calendar.hpp"
#include "policy/time_zone.hpp"

namespace mqwarden::policy {
namespace {

constexpr double kEarthRadiusMetres = 6'371'008.8;
constexpr std::int64_t kDayMinutes = 24 * 60;

double radians(double degrees) {
  return degrees * std::numbers::pi / 180.0;
}

// `degrees` brought into [0, 360).
double wrap_360(double degrees) {
  const double wrapped = std::fmod(degrees, 360.0);
  return wrapped < 0 ? wrapped + 360 : wrapped;
}

// Ray casting in the plane of (unwrapped longitude, latitude): fine for zones
// of a city's or a region's size.
bool in_polygon(GeoPosition position, const CompiledZone& zone) {
  // The one longitude of the position, among those 360° apart, that can be inside the unwrapped corners.
  const double longitude = zone.west_longitude + wrap_360(position.longitude - zone.west_longitude);
  const std::vector<GeoPoint>& corners = zone.points;
  bool inside = false;
  for (std::size_t i = 0, j = corners.size() - 1; i < corners.size(); j = i++) {
    const GeoPoint& a = corners[i];
    const GeoPoint& b = corners[j];
    const bool crosses = (a.latitude > position.latitude) != (b.latitude > position.latitude);
    if (crosses &&
        longitude <
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

std::int64_t local_minute_of(const CalendarDate& date, int default_minute) {
  return days_from_civil(date.year, date.month, date.day) * kDayMinutes + date.minute.value_or(default_minute);
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
  return in_polygon(position, zone);
}

bool in_calendar(std::int64_t time_ms, const CompiledCalendar& calendar) {
  const std::int64_t utc_seconds = floor_div(time_ms, 1000);
  const std::int64_t minutes = floor_div(utc_seconds + calendar.time_zone->utc_offset_seconds(utc_seconds), 60);
  for (const LocalInterval& interval : calendar.dates) {
    if (minutes >= interval.start_minute && minutes < interval.end_minute) return true;
  }
  const std::int64_t days = floor_div(minutes, kDayMinutes);
  const int minute = static_cast<int>(minutes - days * kDayMinutes);
  const int day = static_cast<int>(((days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday (3 when Monday is 0)
  return std::any_of(calendar.slots.begin(), calendar.slots.end(),
                     [&](const WeeklySlot& slot) { return in_slot(day, minute, slot); });
}

double longitude_step(double from, double to) {
  return wrap_360(to - from + 180) - 180;
}

LocalInterval local_interval(const DatedInterval& interval) {
  const CalendarDate& last = interval.last.value_or(interval.first);
  // A last day without a time runs to its end.
  return {local_minute_of(interval.first, 0), local_minute_of(last, static_cast<int>(kDayMinutes))};
}

CompiledZone compile_zone(const Zone& zone) {
  CompiledZone out{zone.shape, zone.points, zone.radius_metres, 0};
  if (zone.shape == ZoneShape::polygon && !out.points.empty()) {
    for (std::size_t i = 1; i < out.points.size(); ++i) {
      out.points[i].longitude =
          out.points[i - 1].longitude + longitude_step(out.points[i - 1].longitude, zone.points[i].longitude);
    }
    out.west_longitude =
        std::min_element(out.points.begin(), out.points.end(), [](const GeoPoint& a, const GeoPoint& b) {
          return a.longitude < b.longitude;
        })->longitude;
  }
  return out;
}

CompiledCalendar compile_calendar(const Calendar& calendar) {
  CompiledCalendar out{calendar.slots, {}, calendar.time_zone};
  for (const DatedInterval& interval : calendar.dates) out.dates.push_back(local_interval(interval));
  return out;
}

}  // namespace mqwarden::policy
