// BanList: the client identifiers and remote addresses refused at connect
// until a time, as the policy's `ban` reaction sets them; with a store, kept
// across restarts. Expired bans are forgotten when they are next looked at or
// when the list is pruned.
//
// Thread-safe: bans come from the reaction thread, lookups from every
// connection's CONNECT.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/store.hpp"

namespace mqwarden::broker {

class BanList {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // `who` is an IP address (IPv4 or IPv6 literal) or a client identifier.
  // A later ban of the same subject replaces an earlier one only if it lasts longer.
  void ban(std::string_view who, TimePoint until);
  // Bans from now on are written to `store` (null: kept in memory only). Set before use.
  void set_store(store::Store* store) { store_ = store; }
  // A ban read back from the store.
  void restore(std::string_view who, TimePoint until);
  bool banned(std::string_view client_id, std::string_view ip, TimePoint now);
  std::size_t size(TimePoint now);

  // Whether `who` names an address rather than a client.
  static bool is_address(std::string_view who);

 private:
  bool active(std::unordered_map<std::string, TimePoint>& bans, std::string_view key, TimePoint now);
  void prune(TimePoint now);

  void add_locked(std::string_view who, TimePoint until);

  store::Store* store_ = nullptr;
  std::mutex mutex_;
  std::unordered_map<std::string, TimePoint> clients_;
  std::unordered_map<std::string, TimePoint> addresses_;
};

}  // namespace mqwarden::broker
