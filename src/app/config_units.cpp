#include "app/config_units.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <span>

namespace mqwarden::app {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::array<Unit, 7> kSizeUnits{{{"B", 1},
                                          {"KiB", 1024},
                                          {"MiB", 1024ULL * 1024},
                                          {"GiB", 1024ULL * 1024 * 1024},
                                          {"kB", 1000},
                                          {"MB", 1000ULL * 1000},
                                          {"GB", 1000ULL * 1000 * 1000}}};
constexpr std::size_t kBinarySizeUnits = 4;  // B to GiB, first in the table
constexpr std::string_view kSizeUnitHelp = "B, KiB, MiB, GiB (powers of 1024) or kB, MB, GB (powers of 1000)";

constexpr std::array<Unit, 5> kDurationUnits{
    {{"us", 1}, {"ms", 1000}, {"s", 1000ULL * 1000}, {"min", 60ULL * 1000 * 1000}, {"h", 3600ULL * 1000 * 1000}}};
constexpr std::string_view kDurationUnitHelp = "us, ms, s, min, h";

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// "<integer> <unit>" with a unit from the table, the product in the table's base unit.
Result<std::uint64_t, std::string> parse_quantity(std::string_view text, std::span<const Unit> units,
                                                  std::string_view kind, std::string_view example,
                                                  std::string_view unit_help) {
  const std::string_view trimmed = trim(text);
  std::uint64_t number = 0;
  const auto [end, status] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
  if (status == std::errc::invalid_argument) {
    return fail("expected a " + std::string(kind) + " like \"" + std::string(example) +
                "\": a non-negative integer and a unit");
  }
  if (status == std::errc::result_out_of_range) return fail(std::string("the number is too large"));
  const std::string_view unit = trim(trimmed.substr(static_cast<std::size_t>(end - trimmed.data())));
  if (unit.empty()) {
    return fail("a " + std::string(kind) + " needs a unit (" + std::string(unit_help) + "), e.g. \"" +
                std::string(example) + "\"");
  }
  for (const Unit& candidate : units) {
    if (candidate.name != unit) continue;
    if (number > std::numeric_limits<std::uint64_t>::max() / candidate.factor) {
      return fail(std::string("the number is too large"));
    }
    return number * candidate.factor;
  }
  return fail("unknown unit \"" + std::string(unit) + "\"; use " + std::string(unit_help));
}

// In the last unit of the table that divides amount exactly (the table goes from small to large).
std::string format_quantity(std::uint64_t amount, std::span<const Unit> units) {
  for (auto unit = units.rbegin(); unit != units.rend(); ++unit) {
    if (amount != 0 && amount % unit->factor == 0) {
      return std::to_string(amount / unit->factor) + " " + std::string(unit->name);
    }
  }
  return std::to_string(amount) + " " + std::string(units.front().name);
}

}  // namespace

Result<std::uint64_t, std::string> parse_size(std::string_view text) {
  return parse_quantity(text, kSizeUnits, "size", "4 MiB", kSizeUnitHelp);
}

Result<std::chrono::microseconds, std::string> parse_duration(std::string_view text) {
  auto micros = parse_quantity(text, kDurationUnits, "duration", "5 ms", kDurationUnitHelp);
  if (!micros) return fail(micros.error());
  if (*micros > static_cast<std::uint64_t>(std::chrono::microseconds::max().count())) {
    return fail(std::string("the number is too large"));
  }
  return std::chrono::microseconds{static_cast<std::chrono::microseconds::rep>(*micros)};
}

std::string format_size(std::uint64_t bytes) {
  return format_quantity(bytes, std::span(kSizeUnits).first<kBinarySizeUnits>());
}

std::string format_duration(std::chrono::microseconds duration) {
  if (duration.count() == 0) return "0 s";
  return format_quantity(static_cast<std::uint64_t>(duration.count()), kDurationUnits);
}

}  // namespace mqwarden::app
