// The broker's configuration as plain values: every key of the TOML file, its
// default and its bound (docs/configuration.md is the operator's reference).
//
// config_file.hpp fills a Config from a file and command_line.hpp applies the
// command-line overrides; nothing here knows about TOML or CLI11. A Config is
// a value type: copy it freely, share const instances between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::app {

// Inclusive range of accepted values for one key.
template <class T>
struct Bounds {
  T min;
  T max;
};

inline constexpr std::uint64_t kKiB = 1024;
inline constexpr std::uint64_t kMiB = 1024 * kKiB;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;

// The database file name inside the directory given with --persistence DIR,
// and the default persistence.path.
inline constexpr std::string_view kDatabaseFileName = "mqwarden.db";

struct BrokerSection {
  static constexpr Bounds<std::uint32_t> kThreadsBounds{0, 256};
  std::uint32_t threads = 0;  // event-loop threads; 0 = the CPUs this process may run on
  static constexpr Bounds<std::chrono::seconds> kSysIntervalBounds{std::chrono::seconds{1}, std::chrono::hours{1}};
  std::chrono::seconds sys_interval{10};  // how often the $SYS topics are published

  bool operator==(const BrokerSection&) const = default;
};

// Only plain MQTT over TCP for now; TLS and WebSocket listeners come later.
enum class ListenerProtocol { mqtt };

struct Listener {
  static constexpr Bounds<std::uint16_t> kPortBounds{1, 65535};
  std::string name;                   // optional label for logs; empty when not set
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 address literal
  std::uint16_t port = 1883;
  ListenerProtocol protocol = ListenerProtocol::mqtt;

  bool operator==(const Listener&) const = default;
};

struct LimitsSection {
  static constexpr Bounds<std::uint32_t> kMaxPacketSizeBounds{128, 256 * kMiB};
  static constexpr Bounds<std::uint32_t> kMaxConnectionsBounds{1, 1'000'000};
  static constexpr Bounds<std::uint16_t> kMaxInflightMessagesBounds{1, 65535};
  static constexpr Bounds<std::uint32_t> kMaxQueuedMessagesBounds{0, 10'000'000};
  static constexpr Bounds<std::uint64_t> kMaxQueuedBytesBounds{0, kGiB};
  static constexpr Bounds<std::chrono::seconds> kMaxKeepAliveBounds{std::chrono::seconds{1},
                                                                    std::chrono::seconds{65535}};
  static constexpr Bounds<std::uint16_t> kMaxTopicAliasBounds{0, 65535};

  std::uint32_t max_packet_size = 4 * kMiB;  // bytes, both directions
  std::uint32_t max_connections = 10'000;
  std::uint16_t max_inflight_messages = 100;   // receive maximum toward clients, and our window to them
  std::uint32_t max_queued_messages = 1000;    // per session; 0 = queue nothing
  std::uint64_t max_queued_bytes = 16 * kMiB;  // per session; 0 = queue nothing
  std::chrono::seconds max_keep_alive{65535};
  std::uint16_t max_topic_alias = 10;  // MQTT 5 topic alias maximum; 0 = no aliases

  bool operator==(const LimitsSection&) const = default;
};

enum class SyncMode { full, off };

struct PersistenceSection {
  static constexpr Bounds<std::chrono::microseconds> kBatchIntervalBounds{std::chrono::microseconds{0},
                                                                          std::chrono::seconds{1}};
  bool enabled = false;
  std::string path{kDatabaseFileName};  // the SQLite database file
  SyncMode sync = SyncMode::full;
  std::chrono::microseconds batch_interval = std::chrono::milliseconds{5};

  bool operator==(const PersistenceSection&) const = default;
};

struct AuthSection {
  bool allow_anonymous = false;
  std::optional<std::string> password_file;  // in mosquitto_passwd's format

  bool operator==(const AuthSection&) const = default;
};

enum class LogLevel { error, warning, info, debug };

struct LogSection {
  LogLevel level = LogLevel::info;

  bool operator==(const LogSection&) const = default;
};

struct Config {
  BrokerSection broker;
  std::vector<Listener> listeners{Listener{}};
  LimitsSection limits;
  PersistenceSection persistence;
  AuthSection auth;
  LogSection log;

  bool operator==(const Config&) const = default;
};

// broker.threads resolved: the configured number, or when it is 0 the number
// of CPUs in this process's affinity mask (at least 1).
std::uint32_t worker_threads(const BrokerSection& broker);

// Whether text is an IPv4 or IPv6 address literal (what a listener binds to).
bool is_ip_address(std::string_view text);

}  // namespace mqwarden::app
