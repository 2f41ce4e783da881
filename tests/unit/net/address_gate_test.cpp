// The per-address admission limits: live connections and the token bucket.
#include "net/address_gate.hpp"

#include <gtest/gtest.h>

namespace mqwarden::net {
namespace {

using namespace std::chrono_literals;
using Verdict = AddressGate::Verdict;

const AddressGate::Clock::time_point kStart{};

TEST(AddressGate, CapsLiveConnectionsPerAddress) {
  AddressGate gate({.max_connections = 2, .rate_per_second = 1000, .burst = 1000});
  EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::admitted);
  EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::admitted);
  EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::too_many_connections);
  EXPECT_EQ(gate.admit("10.0.0.2", kStart), Verdict::admitted);  // another address is counted apart
  gate.release("10.0.0.1");
  EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::admitted);
}

TEST(AddressGate, RateLimitsNewConnectionsWithABurst) {
  AddressGate gate({.max_connections = 100, .rate_per_second = 10, .burst = 3});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::admitted);
  EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::too_fast);
  EXPECT_EQ(gate.admit("10.0.0.2", kStart), Verdict::admitted);
  // 10 per second: one token every 100 ms.
  EXPECT_EQ(gate.admit("10.0.0.1", kStart + 50ms), Verdict::too_fast);
  EXPECT_EQ(gate.admit("10.0.0.1", kStart + 100ms), Verdict::admitted);
  EXPECT_EQ(gate.admit("10.0.0.1", kStart + 100ms), Verdict::too_fast);
  // The bucket refills up to the burst, not beyond.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gate.admit("10.0.0.1", kStart + 10s), Verdict::admitted);
  EXPECT_EQ(gate.admit("10.0.0.1", kStart + 10s), Verdict::too_fast);
}

TEST(AddressGate, ARefusedConnectionIsNotCountedAsLive) {
  AddressGate gate({.max_connections = 1, .rate_per_second = 1, .burst = 1});
  EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::admitted);
  gate.release("10.0.0.1");
  EXPECT_EQ(gate.admit("10.0.0.1", kStart), Verdict::too_fast);
  EXPECT_EQ(gate.admit("10.0.0.1", kStart + 1s), Verdict::admitted);
}

TEST(AddressGate, ForgetsAddressesWithoutConnections) {
  AddressGate rated({.max_connections = 10, .rate_per_second = 1000, .burst = 1});
  for (int i = 0; i < 5000; ++i) {
    const std::string address = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    ASSERT_EQ(rated.admit(address, kStart + std::chrono::seconds(i)), Verdict::admitted);
    rated.release(address);
  }
  // Swept every 4096 admissions once their bucket is full again.
  EXPECT_LT(rated.tracked_addresses(), 5000u);
}

}  // namespace
}  // namespace mqwarden::net
