#include "broker/ban_list.hpp"

#include <arpa/inet.h>

#include <string>

namespace mqwarden::broker {

bool BanList::is_address(std::string_view who) {
  const std::string text(who);
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

void BanList::ban(std::string_view who, TimePoint until) {
  const TimePoint now = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  add_locked(who, until);
  // Kept small: every 1,024 bans the expired ones go.
  if ((clients_.size() + addresses_.size()) % 1024 == 0) prune(now);
  if (store_) {
    using std::chrono::milliseconds;
    store_->save_ban(std::string(who), std::chrono::duration_cast<milliseconds>(until.time_since_epoch()).count(),
                     std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count());
  }
}

void BanList::restore(std::string_view who, TimePoint until) {
  std::lock_guard lock(mutex_);
  add_locked(who, until);
}

void BanList::add_locked(std::string_view who, TimePoint until) {
  auto& bans = is_address(who) ? addresses_ : clients_;
  auto [it, inserted] = bans.try_emplace(std::string(who), until);
  if (!inserted && it->second < until) it->second = until;
}

bool BanList::active(std::unordered_map<std::string, TimePoint>& bans, std::string_view key, TimePoint now) {
  if (bans.empty() || key.empty()) return false;
  auto it = bans.find(std::string(key));
  if (it == bans.end()) return false;
  if (it->second > now) return true;
  bans.erase(it);
  return false;
}

bool BanList::banned(std::string_view client_id, std::string_view ip, TimePoint now) {
  std::lock_guard lock(mutex_);
  return active(clients_, client_id, now) || active(addresses_, ip, now);
}

void BanList::prune(TimePoint now) {
  std::erase_if(clients_, [now](const auto& entry) { return entry.second <= now; });
  std::erase_if(addresses_, [now](const auto& entry) { return entry.second <= now; });
}

std::size_t BanList::size(TimePoint now) {
  std::lock_guard lock(mutex_);
  prune(now);
  return clients_.size() + addresses_.size();
}

}  // namespace mqwarden::broker
