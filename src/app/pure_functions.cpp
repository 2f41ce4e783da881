#include "app/pure_functions.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <string>

#include "policy/places.hpp"

namespace mqwarden::app {
namespace {

using policy::Value;

// The bytes of an IPv4 or IPv6 address; the length tells which (4 or 16), 0 if malformed.
struct Address {
  std::array<unsigned char, 16> bytes{};
  std::size_t length = 0;
};

Address parse_address(std::string_view text) {
  Address address;
  const std::string terminated(text);
  if (::inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) {
    address.length = 4;
  } else if (::inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) == 1) {
    address.length = 16;
  }
  return address;
}

}  // namespace

bool address_in_network(std::string_view address_text, std::string_view network) {
  const std::size_t slash = network.find('/');
  if (slash == std::string_view::npos) return false;
  const Address address = parse_address(address_text);
  const Address base = parse_address(network.substr(0, slash));
  const std::string_view prefix_text = network.substr(slash + 1);
  std::size_t prefix = 0;
  auto [end, error] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  if (error != std::errc() || end != prefix_text.data() + prefix_text.size()) return false;
  if (address.length == 0 || address.length != base.length || prefix > address.length * 8) return false;
  for (std::size_t bit = 0; bit < prefix; ++bit) {
    const unsigned mask = 0x80u >> (bit % 8);
    if ((address.bytes[bit / 8] & mask) != (base.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

void add_pure_functions(policy::HostFunctions& functions) {
  functions.add("distance", [](std::span<const Value> arguments, policy::ValueArena&) {
    if (arguments[0].is_absent() || arguments[1].is_absent()) return Value();
    return Value::distance(policy::distance_metres(arguments[0].as_position(), arguments[1].as_position()));
  });
  functions.add("in_network", [](std::span<const Value> arguments, policy::ValueArena&) {
    return Value::boolean(address_in_network(arguments[0].as_string(), arguments[1].as_string()));
  });
}

}  // namespace mqwarden::app
