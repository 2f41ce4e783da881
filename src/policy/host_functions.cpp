#include "policy/host_functions.hpp"

namespace mqwarden::policy {

bool HostFunctions::add(std::string name, HostFunction function) {
  return functions_.emplace(std::move(name), std::move(function)).second;
}

const HostFunction* HostFunctions::find(std::string_view name) const {
  const auto found = functions_.find(name);
  return found == functions_.end() ? nullptr : &found->second;
}

}  // namespace mqwarden::policy
