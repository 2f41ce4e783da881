#include "policy/suggest.hpp"

#include <algorithm>

#include "common/edit_distance.hpp"

namespace mqwarden::policy {

std::optional<std::string> closest_name(std::string_view wrong, const std::vector<std::string>& known) {
  const std::size_t tolerance = std::max<std::size_t>(1, wrong.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = tolerance + 1;
  for (const std::string& candidate : known) {
    const std::size_t distance = edit_distance(wrong, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view wrong, const std::vector<std::string>& known) {
  const auto best = closest_name(wrong, known);
  return best ? "did you mean '" + *best + "'?" : "";
}

}  // namespace mqwarden::policy
