#include "policy/time_zone.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace mqwarden::policy {
namespace {

constexpr std::int32_t kHourSeconds = 3'600;
constexpr std::int32_t kMaxUtcOffset = 26 * kHourSeconds;  // beyond any offset a zone has ever had
constexpr std::size_t kMaxTzifBytes = 1 << 20;

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  bool has(std::size_t count) const { return data_.size() - pos_ >= count; }
  std::string_view take(std::size_t count) {
    const std::string_view out = data_.substr(pos_, count);
    pos_ += count;
    return out;
  }
  std::uint8_t byte() { return static_cast<std::uint8_t>(data_[pos_++]); }
  std::uint64_t big_endian(std::size_t size) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i) value = value << 8 | byte();
    return value;
  }
  std::int64_t signed_big_endian(std::size_t size) {
    // The value's top bit shifted to bit 63, then an arithmetic shift back
    // (both well defined since C++20): no signed arithmetic that could overflow.
    const unsigned unused_bits = 64 - static_cast<unsigned>(size) * 8;
    return static_cast<std::int64_t>(big_endian(size) << unused_bits) >> unused_bits;
  }
  std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  std::uint64_t is_ut_count = 0, is_std_count = 0, leap_count = 0, transition_count = 0, type_count = 0, char_count = 0;

  // The size of the data block that follows, with `time_size`-byte times.
  std::uint64_t block_size(std::size_t time_size) const {
    return transition_count * (time_size + 1) + type_count * 6 + char_count + leap_count * (time_size + 4) +
           is_std_count + is_ut_count;
  }
};

// A header and the check that the data block after it, with `time_size`-byte times, is all there.
Result<TzifHeader, std::string> read_header(ByteReader& in, std::size_t time_size) {
  if (!in.has(44) || in.take(4) != "TZif") return fail(std::string("not a TZif file"));
  TzifHeader header;
  header.version = static_cast<char>(in.byte());
  in.take(15);
  for (std::uint64_t* count : {&header.is_ut_count, &header.is_std_count, &header.leap_count, &header.transition_count,
                               &header.type_count, &header.char_count}) {
    *count = in.big_endian(4);
  }
  if (header.version != '\0' && (header.version < '2' || header.version > '4')) {
    return fail("unsupported TZif version " + std::to_string(static_cast<int>(header.version)));
  }
  if (header.type_count == 0 || (header.is_ut_count != 0 && header.is_ut_count != header.type_count) ||
      (header.is_std_count != 0 && header.is_std_count != header.type_count)) {
    return fail(std::string("inconsistent TZif header"));
  }
  if (header.leap_count != 0) return fail(std::string("zones with leap seconds (right/...) are not supported"));
  if (!in.has(header.block_size(time_size))) return fail(std::string("truncated TZif data"));
  return header;
}

struct TzifBlock {
  std::vector<std::int64_t> transitions;
  std::vector<std::int32_t> offsets;
  std::int32_t initial_offset = 0;
};

Result<TzifBlock, std::string> read_block(ByteReader& in, const TzifHeader& header, std::size_t time_size) {
  TzifBlock block;
  for (std::uint64_t i = 0; i < header.transition_count; ++i) {
    block.transitions.push_back(in.signed_big_endian(time_size));
    if (i > 0 && block.transitions[i] <= block.transitions[i - 1]) {
      return fail(std::string("TZif transitions are not in ascending order"));
    }
  }
  std::vector<std::uint8_t> type_of_transition;
  for (std::uint64_t i = 0; i < header.transition_count; ++i) type_of_transition.push_back(in.byte());
  std::vector<std::int32_t> type_offsets;
  for (std::uint64_t i = 0; i < header.type_count; ++i) {
    const auto offset = static_cast<std::int32_t>(in.signed_big_endian(4));
    in.take(2);  // is_dst, designation index
    if (offset < -kMaxUtcOffset || offset > kMaxUtcOffset)
      return fail(std::string("implausible UTC offset in TZif data"));
    type_offsets.push_back(offset);
  }
  for (std::uint8_t type : type_of_transition) {
    if (type >= type_offsets.size()) return fail(std::string("TZif transition to an undefined local time type"));
    block.offsets.push_back(type_offsets[type]);
  }
  block.initial_offset = type_offsets.front();
  in.take(header.char_count + header.is_std_count + header.is_ut_count);  // no leap seconds: see read_header
  return block;
}

// The footer of a version 2+ file: `\n<POSIX TZ rule>\n`, the rule possibly empty.
Result<std::optional<PosixTimeZoneRule>, std::string> read_footer(ByteReader& in) {
  const std::string_view rest = in.rest();
  const std::size_t end = rest.size() < 2 || rest.front() != '\n' ? std::string_view::npos : rest.find('\n', 1);
  if (end == std::string_view::npos) return fail(std::string("TZif footer missing"));
  const std::string_view text = rest.substr(1, end - 1);
  if (text.empty()) return std::optional<PosixTimeZoneRule>{};
  auto rule = parse_posix_time_zone_rule(text);
  if (!rule) return fail("bad TZif footer: " + rule.error());
  return std::optional<PosixTimeZoneRule>{*rule};
}

// An IANA name: relative, words of letters, digits, '_', '-', '+' joined by '/'.
bool is_zone_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos) {
    return false;
  }
  const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '+' || c == '/' || c == '.';
  });
  return plain && name.front() != '.' && name.find("/.") == std::string_view::npos;
}

TimeZonePtr utc() {
  return std::make_shared<const TimeZone>("UTC", PosixTimeZoneRule{});
}

}  // namespace

TimeZone::TimeZone(std::string name, PosixTimeZoneRule rule) : name_(std::move(name)), rule_(rule) {}

TimeZone::TimeZone(std::string name, std::vector<std::int64_t> transitions, std::vector<std::int32_t> offsets,
                   std::int32_t initial_offset, std::optional<PosixTimeZoneRule> rule)
    : name_(std::move(name)),
      transitions_(std::move(transitions)),
      offsets_(std::move(offsets)),
      initial_offset_(initial_offset),
      rule_(rule) {}

std::int32_t TimeZone::utc_offset_seconds(std::int64_t utc_seconds) const {
  if (transitions_.empty()) return rule_ ? rule_->utc_offset_seconds(utc_seconds) : initial_offset_;
  if (utc_seconds < transitions_.front()) return initial_offset_;
  if (rule_ && utc_seconds >= transitions_.back()) return rule_->utc_offset_seconds(utc_seconds);
  const auto after = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  return offsets_[static_cast<std::size_t>(after - transitions_.begin() - 1)];
}

Result<TimeZonePtr, std::string> parse_tzif(std::string name, std::string_view data) {
  ByteReader in(data);
  auto header = read_header(in, 4);
  if (!header) return fail(header.error());
  if (header->version == '\0') {
    auto block = read_block(in, *header, 4);
    if (!block) return fail(block.error());
    return std::make_shared<const TimeZone>(std::move(name), std::move(block->transitions), std::move(block->offsets),
                                            block->initial_offset, std::nullopt);
  }
  in.take(header->block_size(4));  // the version 1 data, superseded by the 64-bit block
  header = read_header(in, 8);
  if (!header) return fail(header.error());
  auto block = read_block(in, *header, 8);
  if (!block) return fail(block.error());
  auto rule = read_footer(in);
  if (!rule) return fail(rule.error());
  return std::make_shared<const TimeZone>(std::move(name), std::move(block->transitions), std::move(block->offsets),
                                          block->initial_offset, *rule);
}

TimeZoneCache::TimeZoneCache(std::string zoneinfo_directory) : directory_(std::move(zoneinfo_directory)) {}

const Result<TimeZonePtr, std::string>& TimeZoneCache::find(const std::string& name) {
  if (const auto found = zones_.find(name); found != zones_.end()) return found->second;
  const std::string path = directory_ + "/" + name;
  std::error_code error;
  if (!is_zone_name(name) || !std::filesystem::is_regular_file(path, error)) {
    return zones_.emplace(name, fail("unknown time zone '" + name + "'")).first->second;
  }
  auto zone = load_file(name, path);
  if (!zone) zone = fail("time zone '" + name + "' cannot be used: " + zone.error());
  return zones_.emplace(name, std::move(zone)).first->second;
}

TimeZonePtr TimeZoneCache::local() {
  if (local_) return local_;
  const char* variable = std::getenv("TZ");
  std::string setting = variable == nullptr ? "/etc/localtime" : variable;
  if (setting.starts_with(':')) setting.erase(0, 1);
  if (setting.starts_with('/')) {
    auto zone = load_file(setting, setting);
    local_ = zone ? *zone : utc();
  } else if (const auto& named = find(setting); named) {
    local_ = *named;
  } else if (auto rule = parse_posix_time_zone_rule(setting)) {
    local_ = std::make_shared<const TimeZone>(setting, *rule);
  } else {
    local_ = utc();
  }
  return local_;
}

Result<TimeZonePtr, std::string> TimeZoneCache::load_file(std::string name, const std::string& path) const {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxTzifBytes) return fail(path + " is too large for a TZif file");
  std::ifstream in(path, std::ios::binary);
  std::string data;
  if (in) data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) return fail("cannot read " + path);
  auto zone = parse_tzif(std::move(name), data);
  if (!zone) return fail(path + ": " + zone.error());
  return zone;
}

}  // namespace mqwarden::policy
