// The host functions of the default registry (docs/policy-language.md §4)
// as `mqwarden policy test` and `explain` answer them: from a scenario's
// context instead of a running broker's context layer. A value the context
// does not have is absent, as a stale or missing value is in the broker.
// The functions only read `context`, which must outlive them; thread-safe.
#pragma once

#include <string_view>

#include "app/policy_scenario.hpp"
#include "policy/host_functions.hpp"

namespace mqwarden::app {

policy::HostFunctions scenario_functions(const ScenarioContext& context);

}  // namespace mqwarden::app
