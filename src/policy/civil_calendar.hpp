// Proleptic Gregorian calendar arithmetic on days since 1970-01-01, and
// division that rounds towards minus infinity: what time zones and calendars
// share. Pure functions.
#pragma once

#include <cstdint>

namespace mqwarden::policy {

std::int64_t floor_div(std::int64_t value, std::int64_t divisor);
std::int64_t floor_mod(std::int64_t value, std::int64_t divisor);
bool is_leap_year(std::int64_t year);
// Days since 1970-01-01 of a date (month 1-12, day 1-31).
std::int64_t days_from_civil(std::int64_t year, int month, int day);
int days_in_month(std::int64_t year, int month);
// The year of a day since 1970-01-01.
std::int64_t year_of_day(std::int64_t days);

}  // namespace mqwarden::policy
