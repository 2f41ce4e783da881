// AddressGate: the cheap per-address admission check made when a TCP
// connection is accepted, before anything is read from it — at most so many
// live connections per remote address, and new connections per address
// limited by a token bucket (a sustained rate, and a burst above it).
//
// Time is passed in, so tests need no sleeping. Not thread-safe: the server
// calls it under its own lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace mqwarden::net {

struct AddressLimits {
  std::uint32_t max_connections = 5000;  // live connections per address
  std::uint32_t rate_per_second = 500;   // new connections per address and second (at least 1)
  std::uint32_t burst = 5000;            // new connections per address at once, above the rate
};

class AddressGate {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Verdict { admitted, too_many_connections, too_fast };

  explicit AddressGate(AddressLimits limits) : limits_(limits) {}

  // Counts a new connection from `address` unless a limit refuses it.
  Verdict admit(const std::string& address, Clock::time_point now);
  // A connection admitted from `address` has ended.
  void release(const std::string& address);

  // Addresses remembered (for live connections or a bucket not yet full again).
  std::size_t tracked_addresses() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint32_t live = 0;
    double tokens = 0;
    Clock::time_point refilled;
  };
  void refill(Entry& entry, Clock::time_point now) const;
  // Forgets addresses with no connection whose bucket is full again.
  void forget_idle(Clock::time_point now);

  AddressLimits limits_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t admissions_since_sweep_ = 0;
};

}  // namespace mqwarden::net
