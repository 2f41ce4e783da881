// The unit rules of the configuration file: sizes ("4 MiB", "512 KiB", "1 MB")
// and durations ("5 ms", "10 s", "2 min"), parsed and formatted.
//
// A size or duration string is a non-negative integer, optional spaces, and a
// unit from a fixed, case-sensitive list; docs/configuration.md lists them.
// Pure functions, safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mqwarden::app {

// Bytes; units B, KiB, MiB, GiB (powers of 1024) and kB, MB, GB (powers of 1000).
// The error says what is wrong, without the key or position.
Result<std::uint64_t, std::string> parse_size(std::string_view text);

// Units us, ms, s, min, h.
Result<std::chrono::microseconds, std::string> parse_duration(std::string_view text);

// The shortest exact form in the largest binary unit: "256 MiB", "1536 B".
std::string format_size(std::uint64_t bytes);

// The shortest exact form in the largest unit: "5 ms", "2 min", "0 s".
std::string format_duration(std::chrono::microseconds duration);

}  // namespace mqwarden::app
