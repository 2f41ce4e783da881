// "Did you mean …?" for misspelt configuration keys, sections and choices:
// the candidate closest to a word, when it is close enough to be a typo.
// A pure function, safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace mqwarden::app {

// The candidate at the smallest edit distance from word when that distance is
// at most 2 (or a third of the word's length, if larger), or a candidate that
// word is a prefix of ("warn" -> "warning"); nothing when none is that close.
std::optional<std::string_view> closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace mqwarden::app
