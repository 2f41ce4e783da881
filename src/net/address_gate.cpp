#include "net/address_gate.hpp"

#include <algorithm>
#include <iterator>

namespace mqwarden::net {
namespace {

// How many admissions pass between two sweeps of forgotten addresses.
constexpr std::size_t kSweepEvery = 4096;

}  // namespace

void AddressGate::refill(Entry& entry, Clock::time_point now) const {
  const std::chrono::duration<double> elapsed = now - entry.refilled;
  entry.tokens = std::min<double>(limits_.burst, entry.tokens + elapsed.count() * limits_.rate_per_second);
  entry.refilled = now;
}

AddressGate::Verdict AddressGate::admit(const std::string& address, Clock::time_point now) {
  if (++admissions_since_sweep_ >= kSweepEvery) forget_idle(now);
  auto [it, added] = entries_.try_emplace(address, Entry{0, static_cast<double>(limits_.burst), now});
  Entry& entry = it->second;
  if (entry.live >= limits_.max_connections) return Verdict::too_many_connections;
  refill(entry, now);
  if (entry.tokens < 1) return Verdict::too_fast;
  entry.tokens -= 1;
  ++entry.live;
  return Verdict::admitted;
}

void AddressGate::release(const std::string& address) {
  const auto it = entries_.find(address);
  if (it != entries_.end() && it->second.live > 0) --it->second.live;
}

void AddressGate::forget_idle(Clock::time_point now) {
  admissions_since_sweep_ = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& entry = it->second;
    if (entry.live == 0) refill(entry, now);
    it = entry.live == 0 && entry.tokens >= limits_.burst ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace mqwarden::net
