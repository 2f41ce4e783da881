// The host functions that need no context layer — `distance(a, b)` and
// `in_network(address, network)` — shared by the broker and by the policy
// tools. Pure and thread-safe.
#pragma once

#include <string_view>

#include "policy/host_functions.hpp"

namespace mqwarden::app {

void add_pure_functions(policy::HostFunctions& functions);

// Whether `address` (IPv4 or IPv6 text) is in `network` ("10.0.0.0/8", "fd00::/8"); false if either is malformed.
bool address_in_network(std::string_view address, std::string_view network);

}  // namespace mqwarden::app
