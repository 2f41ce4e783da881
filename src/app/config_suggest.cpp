#include "app/config_suggest.hpp"

#include <algorithm>

#include "common/edit_distance.hpp"

namespace mqwarden::app {
namespace {

constexpr std::size_t kMinPrefix = 3;

}  // namespace

std::optional<std::string_view> closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  const std::size_t threshold = std::max<std::size_t>(2, word.size() / 3);
  std::optional<std::string_view> best;
  std::size_t best_distance = threshold + 1;
  for (const std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best) return best;
  if (word.size() < kMinPrefix) return std::nullopt;
  for (const std::string_view candidate : candidates) {
    if (candidate.starts_with(word)) return candidate;
  }
  return std::nullopt;
}

}  // namespace mqwarden::app
