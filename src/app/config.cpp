#include "app/config.hpp"

#include <arpa/inet.h>
#include <sched.h>

#include <array>
#include <string>

namespace mqwarden::app {

std::uint32_t worker_threads(const BrokerSection& broker) {
  if (broker.threads != 0) return broker.threads;
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0) return 1;
  const int count = CPU_COUNT(&cpus);
  return count > 0 ? static_cast<std::uint32_t>(count) : 1;
}

bool is_ip_address(std::string_view text) {
  const std::string address(text);  // inet_pton needs a terminated string
  std::array<unsigned char, 16> bytes{};
  return inet_pton(AF_INET, address.c_str(), bytes.data()) == 1 ||
         inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1;
}

}  // namespace mqwarden::app
