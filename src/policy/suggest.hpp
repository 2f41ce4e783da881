// "Did you mean ...?": the known name closest to a misspelt one, by edit
// distance, if it is close enough to be a plausible typo. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::policy {

std::optional<std::string> closest_name(std::string_view wrong, const std::vector<std::string>& known);

// "did you mean 'x'?" or "" when nothing is close.
std::string did_you_mean(std::string_view wrong, const std::vector<std::string>& known);

}  // namespace mqwarden::policy
