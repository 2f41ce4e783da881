// The run-time values of policy expressions: what the evaluator computes,
// what host functions take and return, and what situation events carry.
//
// A Value is a small non-owning handle: strings, lists and JSON documents are
// views into storage that outlives the evaluation (the broker's event data,
// the compiled policy's constants, a template instance's arguments, or a
// ValueArena for values computed during one decision). JSON scalars are
// normalised to boolean, number or string values, so that `payload.qos == 1`
// and `qos == 1` compare the same way; JSON objects, arrays and null stay JSON.
//
// Thread safety: Values are plain data. A ValueArena belongs to one decision
// on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::policy {

struct GeoPosition {
  double latitude = 0;
  double longitude = 0;
};

struct CompiledZone;
struct CompiledCalendar;

enum class ValueKind : std::uint8_t {
  absent,  // a JSON value that is not there (docs/policy-language.md §2, "Absent values")
  boolean,
  number,
  string,
  duration,  // milliseconds
  distance,  // metres
  position,
  time,  // milliseconds since the Unix epoch
  string_list,
  number_list,
  json,  // a JSON object, array or null
  zone,
  calendar,
};

class Value {
 public:
  Value() = default;  // absent

  static Value boolean(bool value);
  static Value number(double value);
  static Value string(std::string_view text);
  static Value duration(std::int64_t milliseconds);
  static Value distance(double metres);
  static Value position(GeoPosition position);
  static Value time(std::int64_t milliseconds_since_epoch);
  static Value strings(std::span<const std::string> items);
  static Value numbers(std::span<const double> items);
  static Value zone(const CompiledZone& zone);
  static Value calendar(const CompiledCalendar& calendar);
  // Absent for nullptr; a boolean, number or string for a JSON scalar.
  static Value json(const nlohmann::json* document);

  ValueKind kind() const { return kind_; }
  bool is_absent() const { return kind_ == ValueKind::absent; }

  bool as_bool() const { return number_ != 0; }
  double as_number() const { return number_; }  // number, distance
  std::string_view as_string() const { return text_; }
  std::int64_t as_milliseconds() const { return milliseconds_; }  // duration, time
  GeoPosition as_position() const { return {number_, second_}; }
  std::span<const std::string> as_strings() const;
  std::span<const double> as_numbers() const;
  const nlohmann::json& as_json() const { return *static_cast<const nlohmann::json*>(pointer_); }
  const CompiledZone& as_zone() const { return *static_cast<const CompiledZone*>(pointer_); }
  const CompiledCalendar& as_calendar() const { return *static_cast<const CompiledCalendar*>(pointer_); }

 private:
  ValueKind kind_ = ValueKind::absent;
  double number_ = 0;  // boolean (0/1), number, distance, latitude
  double second_ = 0;  // longitude
  std::int64_t milliseconds_ = 0;
  std::string_view text_;
  const void* pointer_ = nullptr;  // list data, JSON, zone, calendar
  std::size_t size_ = 0;           // list length
};

// Storage for values computed during one evaluation (JSON built by object
// literals, strings returned by host functions). Element addresses are
// stable. Allocates only when used.
class ValueArena {
 public:
  std::string_view keep(std::string text) { return storage().strings.emplace_back(std::move(text)); }
  const nlohmann::json& keep(nlohmann::json document) { return storage().documents.emplace_back(std::move(document)); }
  std::span<const std::string> keep(std::vector<std::string> items) {
    return storage().string_lists.emplace_back(std::move(items));
  }
  std::span<const double> keep(std::vector<double> items) {
    return storage().number_lists.emplace_back(std::move(items));
  }

 private:
  struct Storage {
    std::deque<std::string> strings;
    std::deque<nlohmann::json> documents;
    std::deque<std::vector<std::string>> string_lists;
    std::deque<std::vector<double>> number_lists;
  };
  Storage& storage() {
    if (!storage_) storage_ = std::make_unique<Storage>();
    return *storage_;
  }
  std::unique_ptr<Storage> storage_;
};

// The value as JSON, for reaction arguments and payload edits: durations in
// milliseconds, distances in metres, positions as {"lat", "lon"}, absent as null.
nlohmann::json to_json(const Value& value);

}  // namespace mqwarden::policy
