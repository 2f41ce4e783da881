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

#include "context/context_source_spec.hpp"

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

// mqtt: MQTT over TCP; mqtts: over TLS; ws / wss: over WebSocket, plain or TLS.
enum class ListenerProtocol { mqtt, mqtts, ws, wss };

inline bool uses_tls(ListenerProtocol protocol) {
  return protocol == ListenerProtocol::mqtts || protocol == ListenerProtocol::wss;
}
inline bool uses_websocket(ListenerProtocol protocol) {
  return protocol == ListenerProtocol::ws || protocol == ListenerProtocol::wss;
}

enum class TlsVersion { v1_2, v1_3 };

// The client certificate's subject field that names the client (use_identity_as_username).
enum class CertificateField { common_name, organization, organizational_unit, email_address, serial_number, user_id };

struct Listener {
  static constexpr Bounds<std::uint16_t> kPortBounds{1, 65535};
  std::string name;                   // optional label for logs; empty when not set
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 address literal
  std::uint16_t port = 1883;
  ListenerProtocol protocol = ListenerProtocol::mqtt;

  // TLS (mqtts and wss only). PEM files; cert_file and key_file are required.
  std::string cert_file;
  std::string key_file;
  std::string ca_file;             // CAs that sign client certificates
  std::string ca_dir;              // the same as a directory hashed by `openssl rehash`
  std::string crl_file;            // revoked client certificates (PEM CRL of the client CA)
  std::string ciphers;             // TLS 1.2 cipher list in OpenSSL's syntax; empty: OpenSSL's default
  std::string tls13_ciphersuites;  // TLS 1.3 suites in OpenSSL's syntax; empty: OpenSSL's default
  TlsVersion min_tls_version = TlsVersion::v1_2;
  bool require_certificate = false;       // mutual TLS: a client without a valid certificate is refused
  bool use_identity_as_username = false;  // the certificate's identity_field is the username
  CertificateField identity_field = CertificateField::common_name;

  // WebSocket (ws and wss only): the HTTP path of the upgrade request.
  std::string websocket_path = "/mqtt";

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

  // Transport defences, applied before any packet is read.
  static constexpr Bounds<std::uint32_t> kMaxConnectionsPerAddressBounds{1, 1'000'000};
  static constexpr Bounds<std::uint32_t> kConnectionRateBounds{1, 1'000'000};
  static constexpr Bounds<std::uint32_t> kConnectionBurstBounds{1, 1'000'000};
  static constexpr Bounds<std::chrono::seconds> kConnectTimeoutBounds{std::chrono::seconds{1}, std::chrono::hours{1}};
  static constexpr Bounds<std::uint64_t> kMaxOutgoingBufferBounds{64 * kKiB, kGiB};
  std::uint32_t max_connections_per_address = 5000;
  std::uint32_t connection_rate_per_address = 500;    // new connections per second per address
  std::uint32_t connection_burst_per_address = 5000;  // connections per address above the rate, at once
  std::chrono::seconds connect_timeout{10};           // from accept to the CONNECT (TLS and WebSocket included)
  std::uint64_t max_outgoing_buffer = 16 * kMiB;      // unsent bytes to one client before it is cut off

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

// The MQTT activities whose policy verdict can default to deny.
enum class PolicyActivity { connect, subscribe, unsubscribe, publish, deliver, ping };

struct PolicySection {
  static constexpr Bounds<std::chrono::milliseconds> kMaxDelayBounds{std::chrono::milliseconds{0},
                                                                     std::chrono::hours{24}};
  static constexpr Bounds<std::chrono::milliseconds> kStepBounds{std::chrono::milliseconds{1}, std::chrono::hours{1}};
  static constexpr Bounds<std::uint32_t> kMaxDelayedMessagesBounds{0, 10'000'000};
  static constexpr Bounds<std::uint64_t> kMaxDelayedBytesBounds{0, 16 * kGiB};
  static constexpr Bounds<std::uint32_t> kReactionQueueBounds{1, 1'000'000};
  static constexpr Bounds<std::uint32_t> kMaxSlicesBounds{1, 10'000'000};
  static constexpr Bounds<std::uint32_t> kMaxLifecycleInstancesBounds{0, 10'000'000};
  static constexpr Bounds<std::chrono::milliseconds> kWebhookTimeoutBounds{std::chrono::milliseconds{100},
                                                                           std::chrono::minutes{1}};
  static constexpr Bounds<std::uint32_t> kWebhookAttemptsBounds{1, 10};
  static constexpr Bounds<std::chrono::milliseconds> kWatchIntervalBounds{std::chrono::milliseconds{0},
                                                                          std::chrono::hours{1}};

  std::vector<std::string> files;                   // the policy: one or more files read as one
  std::string acl_file;                             // a Mosquitto acl_file, enforced with the policy
  std::vector<PolicyActivity> default_deny;         // activities no rule allows are denied
  std::chrono::milliseconds max_delay{15 * 60'000};  // longer `delay`s are cut to this
  std::chrono::milliseconds step{1000};              // the temporal operators' time step
  std::uint32_t max_delayed_messages = 100'000;      // deliveries held by `delay` at once
  std::uint64_t max_delayed_bytes = 256 * kMiB;
  std::uint32_t max_slices = 10'000;               // per-value states of one temporal operator; LRU evicted
  std::uint32_t max_lifecycle_instances = 10'000;  // live lifecycle-bound template instances
  std::string pseudonym_key_file;                   // the secret key of `pseudonymise`
  std::string identity_file;                        // roles and attributes of users and clients
  std::uint32_t reaction_queue = 10'000;            // reactions waiting to run
  std::chrono::milliseconds webhook_timeout{5000};
  std::uint32_t webhook_attempts = 3;
  std::chrono::milliseconds watch_interval{1000};  // how often the files are checked for changes; 0: only SIGHUP

  bool operator==(const PolicySection&) const = default;
};

// [context] and [[context_sources]]: what the context layer observes and its bounds.
struct ContextSection {
  static constexpr Bounds<std::uint32_t> kMaxEntitiesBounds{1, 10'000'000};
  static constexpr Bounds<std::uint32_t> kMaxSituationInstancesBounds{1, 10'000'000};
  static constexpr Bounds<std::uint32_t> kMaxConsentsBounds{1, 10'000'000};
  static constexpr Bounds<std::uint32_t> kEntityLevelBounds{1, 64};
  static constexpr Bounds<std::chrono::milliseconds> kMaxAgeBounds{std::chrono::milliseconds{0}, std::chrono::days{30}};

  std::vector<context::ContextSourceSpec> sources;
  std::uint32_t max_entities = 100'000;             // entities whose context is kept
  std::uint32_t max_situation_instances = 100'000;  // situation instances monitored
  std::uint32_t max_consents = 100'000;             // consent decisions kept (and pending requests)

  bool operator==(const ContextSection&) const = default;
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
  PolicySection policy;
  ContextSection context;
  LogSection log;

  bool operator==(const Config&) const = default;
};

// broker.threads resolved: the configured number, or when it is 0 the number
// of CPUs in this process's affinity mask (at least 1).
std::uint32_t worker_threads(const BrokerSection& broker);

// Whether text is an IPv4 or IPv6 address literal (what a listener binds to).
bool is_ip_address(std::string_view text);

}  // namespace mqwarden::app
