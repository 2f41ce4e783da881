// The only translation unit that includes toml++: it turns a TOML document
// into a Config through one table of keys per section.
#include "app/config_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <utility>

#include "app/config_suggest.hpp"
#include "app/config_units.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::app {
namespace {

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

// The value as the operator wrote it, for messages.
std::string written(const toml::node& node) {
  if (const auto* text = node.as_string()) return quoted(text->get());
  if (const auto* number = node.as_integer()) return std::to_string(number->get());
  return type_name(node);
}

// Collects the errors of one file.
class Checker {
 public:
  explicit Checker(std::string_view file) : file_(file) {}

  void error(const toml::source_region& where, std::string message) {
    errors_.push_back({file_, where.begin.line, where.begin.column, std::move(message)});
  }
  void error(const toml::node& where, const std::string& path, std::string_view what) {
    error(where.source(), path + ": " + std::string(what));
  }

  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }

  ConfigErrors sorted() && {
    std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return std::move(errors_);
  }

 private:
  std::string file_;
  ConfigErrors errors_;
};

// --- value readers: each checks one node and stores it, or reports why not ---

template <class T>
std::string range_text(Bounds<T> bounds) {
  return std::to_string(bounds.min) + ".." + std::to_string(bounds.max);
}

template <class T>
void read_integer(Checker& checker, const toml::node& node, const std::string& path, T& out, Bounds<T> bounds) {
  const auto* integer = node.as_integer();
  if (integer == nullptr) return checker.error(node, path, "expected an integer, got " + type_name(node));
  const std::int64_t value = integer->get();
  if (value < static_cast<std::int64_t>(bounds.min) || value > static_cast<std::int64_t>(bounds.max)) {
    return checker.error(node, path, std::to_string(value) + " is out of range " + range_text(bounds));
  }
  out = static_cast<T>(value);
}

template <class T>
void read_size(Checker& checker, const toml::node& node, const std::string& path, T& out, Bounds<T> bounds) {
  const auto out_of_range = [&] {
    checker.error(node, path,
                  written(node) + " is out of range " + format_size(bounds.min) + ".." + format_size(bounds.max));
  };
  std::uint64_t bytes = 0;
  if (const auto* integer = node.as_integer()) {
    if (integer->get() < 0) return out_of_range();
    bytes = static_cast<std::uint64_t>(integer->get());
  } else if (const auto* text = node.as_string()) {
    auto parsed = parse_size(text->get());
    if (!parsed) return checker.error(node, path, parsed.error());
    bytes = *parsed;
  } else {
    return checker.error(
        node, path, "expected a size (an integer number of bytes or a string like \"4 MiB\"), got " + type_name(node));
  }
  if (bytes < bounds.min || bytes > bounds.max) return out_of_range();
  out = static_cast<T>(bytes);
}

template <class Rep, class Period>
void read_duration(Checker& checker, const toml::node& node, const std::string& path,
                   std::chrono::duration<Rep, Period>& out, Bounds<std::chrono::duration<Rep, Period>> bounds) {
  using Duration = std::chrono::duration<Rep, Period>;
  const auto* text = node.as_string();
  if (text == nullptr) {
    return checker.error(node, path, "expected a duration string like \"5 ms\" or \"10 s\", got " + type_name(node));
  }
  auto parsed = parse_duration(text->get());
  if (!parsed) return checker.error(node, path, parsed.error());
  if (*parsed < bounds.min || *parsed > bounds.max) {
    return checker.error(
        node, path,
        written(node) + " is out of range " + format_duration(bounds.min) + ".." + format_duration(bounds.max));
  }
  const auto whole = std::chrono::duration_cast<Duration>(*parsed);
  if (whole != *parsed) {
    return checker.error(node, path, written(node) + " is not a whole multiple of " + format_duration(Duration{1}));
  }
  out = whole;
}

void read_bool(Checker& checker, const toml::node& node, const std::string& path, bool& out) {
  const auto* boolean = node.as_boolean();
  if (boolean == nullptr) return checker.error(node, path, "expected true or false, got " + type_name(node));
  out = boolean->get();
}

void read_text(Checker& checker, const toml::node& node, const std::string& path, std::string& out) {
  const auto* text = node.as_string();
  if (text == nullptr) return checker.error(node, path, "expected a string, got " + type_name(node));
  if (text->get().empty()) return checker.error(node, path, "must not be empty");
  out = text->get();
}

void read_address(Checker& checker, const toml::node& node, const std::string& path, std::string& out) {
  std::string address;
  read_text(checker, node, path, address);
  if (address.empty()) return;
  if (!is_ip_address(address)) {
    return checker.error(node, path, quoted(address) + " is not an IPv4 or IPv6 address (e.g. \"0.0.0.0\", \"::1\")");
  }
  out = std::move(address);
}

template <class E>
struct Choice {
  std::string_view name;
  E value;
};

template <class E, std::size_t N>
void read_choice(Checker& checker, const toml::node& node, const std::string& path, E& out,
                 const std::array<Choice<E>, N>& choices) {
  std::array<std::string_view, N> names{};
  std::transform(choices.begin(), choices.end(), names.begin(), [](const Choice<E>& c) { return c.name; });
  std::string listed;
  for (const std::string_view name : names) listed += (listed.empty() ? "" : ", ") + quoted(name);

  const auto* text = node.as_string();
  if (text == nullptr) return checker.error(node, path, "expected one of " + listed + ", got " + type_name(node));
  for (const Choice<E>& choice : choices) {
    if (choice.name == text->get()) {
      out = choice.value;
      return;
    }
  }
  std::string message = quoted(text->get()) + " is not one of " + listed;
  if (const auto suggestion = closest_match(text->get(), names))
    message += "; did you mean " + quoted(*suggestion) + "?";
  checker.error(node, path, message);
}

// --- the keys of each section ---

template <class S>
struct KeyRule {
  std::string_view name;
  std::function<void(Checker&, const toml::node&, const std::string&, S&)> read;
};

template <class S, class T>
KeyRule<S> integer_key(std::string_view name, T S::*field, Bounds<T> bounds) {
  return {name, [field, bounds](Checker& c, const toml::node& n, const std::string& p, S& s) {
            read_integer(c, n, p, s.*field, bounds);
          }};
}

template <class S, class T>
KeyRule<S> size_key(std::string_view name, T S::*field, Bounds<T> bounds) {
  return {name, [field, bounds](Checker& c, const toml::node& n, const std::string& p, S& s) {
            read_size(c, n, p, s.*field, bounds);
          }};
}

template <class S, class D>
KeyRule<S> duration_key(std::string_view name, D S::*field, Bounds<D> bounds) {
  return {name, [field, bounds](Checker& c, const toml::node& n, const std::string& p, S& s) {
            read_duration(c, n, p, s.*field, bounds);
          }};
}

template <class S>
KeyRule<S> bool_key(std::string_view name, bool S::*field) {
  return {name, [field](Checker& c, const toml::node& n, const std::string& p, S& s) { read_bool(c, n, p, s.*field); }};
}

template <class S>
KeyRule<S> text_key(std::string_view name, std::string S::*field) {
  return {name, [field](Checker& c, const toml::node& n, const std::string& p, S& s) { read_text(c, n, p, s.*field); }};
}

template <class S, class E, std::size_t N>
KeyRule<S> choice_key(std::string_view name, E S::*field, const std::array<Choice<E>, N>& choices) {
  return {name, [field, &choices](Checker& c, const toml::node& n, const std::string& p, S& s) {
            read_choice(c, n, p, s.*field, choices);
          }};
}

constexpr std::array<Choice<ListenerProtocol>, 4> kProtocols{{{"mqtt", ListenerProtocol::mqtt},
                                                              {"mqtts", ListenerProtocol::mqtts},
                                                              {"ws", ListenerProtocol::ws},
                                                              {"wss", ListenerProtocol::wss}}};
constexpr std::array<Choice<TlsVersion>, 2> kTlsVersions{{{"1.2", TlsVersion::v1_2}, {"1.3", TlsVersion::v1_3}}};
constexpr std::array<Choice<CertificateField>, 6> kCertificateFields{{{"CN", CertificateField::common_name},
                                                                      {"O", CertificateField::organization},
                                                                      {"OU", CertificateField::organizational_unit},
                                                                      {"emailAddress", CertificateField::email_address},
                                                                      {"serialNumber", CertificateField::serial_number},
                                                                      {"UID", CertificateField::user_id}}};
constexpr std::array<Choice<SyncMode>, 2> kSyncModes{{{"full", SyncMode::full}, {"off", SyncMode::off}}};
constexpr std::array<Choice<LogLevel>, 4> kLogLevels{
    {{"error", LogLevel::error}, {"warning", LogLevel::warning}, {"info", LogLevel::info}, {"debug", LogLevel::debug}}};

// The listener keys that only TLS listeners have, and those only WebSocket listeners have.
constexpr std::array<std::string_view, 11> kTlsKeys{"cert_file",
                                                    "key_file",
                                                    "ca_file",
                                                    "ca_dir",
                                                    "crl_file",
                                                    "ciphers",
                                                    "tls13_ciphersuites",
                                                    "min_tls_version",
                                                    "require_certificate",
                                                    "use_identity_as_username",
                                                    "identity_field"};
constexpr std::array<std::string_view, 1> kWebSocketKeys{"websocket_path"};

const std::vector<KeyRule<BrokerSection>> kBrokerKeys{
    integer_key("threads", &BrokerSection::threads, BrokerSection::kThreadsBounds),
    duration_key("sys_interval", &BrokerSection::sys_interval, BrokerSection::kSysIntervalBounds)};

void read_websocket_path(Checker& checker, const toml::node& node, const std::string& path, Listener& listener) {
  std::string text;
  read_text(checker, node, path, text);
  if (text.empty()) return;
  if (text.front() != '/' || text.find_first_of(" ?#") != std::string::npos) {
    return checker.error(node, path,
                         quoted(text) + " is not an HTTP path (it starts with \"/\", without spaces, ? or #)");
  }
  listener.websocket_path = std::move(text);
}

const std::vector<KeyRule<Listener>> kListenerKeys{
    text_key("name", &Listener::name),
    {"address",
     [](Checker& c, const toml::node& n, const std::string& p, Listener& l) { read_address(c, n, p, l.address); }},
    integer_key("port", &Listener::port, Listener::kPortBounds),
    choice_key("protocol", &Listener::protocol, kProtocols),
    text_key("cert_file", &Listener::cert_file),
    text_key("key_file", &Listener::key_file),
    text_key("ca_file", &Listener::ca_file),
    text_key("ca_dir", &Listener::ca_dir),
    text_key("crl_file", &Listener::crl_file),
    text_key("ciphers", &Listener::ciphers),
    text_key("tls13_ciphersuites", &Listener::tls13_ciphersuites),
    choice_key("min_tls_version", &Listener::min_tls_version, kTlsVersions),
    bool_key("require_certificate", &Listener::require_certificate),
    bool_key("use_identity_as_username", &Listener::use_identity_as_username),
    choice_key("identity_field", &Listener::identity_field, kCertificateFields),
    {"websocket_path", read_websocket_path}};

// The checks between keys of one listener, once its keys are read.
void check_listener(Checker& checker, const toml::table& table, const std::string& path, const Listener& listener) {
  const std::string protocol(std::ranges::find(kProtocols, listener.protocol, &Choice<ListenerProtocol>::value)->name);
  const auto misplaced = [&](const auto& keys, std::string_view only_for) {
    for (const std::string_view key : keys) {
      if (const toml::node* node = table.get(key)) {
        checker.error(*node, path + "." + std::string(key),
                      "applies only to " + std::string(only_for) + " listeners, not to " + quoted(protocol));
      }
    }
  };
  if (!uses_tls(listener.protocol)) misplaced(kTlsKeys, "\"mqtts\" and \"wss\"");
  if (!uses_websocket(listener.protocol)) misplaced(kWebSocketKeys, "\"ws\" and \"wss\"");
  if (!uses_tls(listener.protocol)) return;
  // A TLS protocol is never the default: the key is there.
  const toml::node& protocol_node = *table.get("protocol");
  for (const std::string_view key : {"cert_file", "key_file"}) {
    if (!table.contains(key)) {
      checker.error(protocol_node, path + ".protocol",
                    "a " + quoted(protocol) + " listener needs " + std::string(key) + " (a PEM file)");
    }
  }
  if (listener.require_certificate && listener.ca_file.empty() && listener.ca_dir.empty()) {
    checker.error(*table.get("require_certificate"), path + ".require_certificate",
                  "needs ca_file or ca_dir, the CAs that sign client certificates");
  }
  if (listener.use_identity_as_username && !listener.require_certificate) {
    checker.error(*table.get("use_identity_as_username"), path + ".use_identity_as_username",
                  "needs require_certificate = true");
  }
  if (!listener.crl_file.empty() && !listener.require_certificate) {
    checker.error(*table.get("crl_file"), path + ".crl_file", "needs require_certificate = true");
  }
}

const std::vector<KeyRule<LimitsSection>> kLimitsKeys{
    size_key("max_packet_size", &LimitsSection::max_packet_size, LimitsSection::kMaxPacketSizeBounds),
    integer_key("max_connections", &LimitsSection::max_connections, LimitsSection::kMaxConnectionsBounds),
    integer_key("max_inflight_messages", &LimitsSection::max_inflight_messages,
                LimitsSection::kMaxInflightMessagesBounds),
    integer_key("max_queued_messages", &LimitsSection::max_queued_messages, LimitsSection::kMaxQueuedMessagesBounds),
    size_key("max_queued_bytes", &LimitsSection::max_queued_bytes, LimitsSection::kMaxQueuedBytesBounds),
    duration_key("max_keep_alive", &LimitsSection::max_keep_alive, LimitsSection::kMaxKeepAliveBounds),
    integer_key("max_topic_alias", &LimitsSection::max_topic_alias, LimitsSection::kMaxTopicAliasBounds),
    integer_key("max_connections_per_address", &LimitsSection::max_connections_per_address,
                LimitsSection::kMaxConnectionsPerAddressBounds),
    integer_key("connection_rate_per_address", &LimitsSection::connection_rate_per_address,
                LimitsSection::kConnectionRateBounds),
    integer_key("connection_burst_per_address", &LimitsSection::connection_burst_per_address,
                LimitsSection::kConnectionBurstBounds),
    duration_key("connect_timeout", &LimitsSection::connect_timeout, LimitsSection::kConnectTimeoutBounds),
    size_key("max_outgoing_buffer", &LimitsSection::max_outgoing_buffer, LimitsSection::kMaxOutgoingBufferBounds)};

const std::vector<KeyRule<PersistenceSection>> kPersistenceKeys{
    bool_key("enabled", &PersistenceSection::enabled), text_key("path", &PersistenceSection::path),
    choice_key("sync", &PersistenceSection::sync, kSyncModes),
    duration_key("batch_interval", &PersistenceSection::batch_interval, PersistenceSection::kBatchIntervalBounds)};

const std::vector<KeyRule<AuthSection>> kAuthKeys{
    bool_key("allow_anonymous", &AuthSection::allow_anonymous),
    {"password_file", [](Checker& c, const toml::node& n, const std::string& p, AuthSection& a) {
       std::string path;
       read_text(c, n, p, path);
       if (!path.empty()) a.password_file = std::move(path);
     }}};

constexpr std::array<Choice<PolicyActivity>, 6> kPolicyActivities{{{"connect", PolicyActivity::connect},
                                                                    {"subscribe", PolicyActivity::subscribe},
                                                                    {"unsubscribe", PolicyActivity::unsubscribe},
                                                                    {"publish", PolicyActivity::publish},
                                                                    {"deliver", PolicyActivity::deliver},
                                                                    {"ping", PolicyActivity::ping}}};

// An array whose every element `read_element` reads; an empty array is allowed.
template <class T, class ReadElement>
void read_array(Checker& checker, const toml::node& node, const std::string& path, std::vector<T>& out,
                ReadElement read_element) {
  const auto* array = node.as_array();
  if (array == nullptr) return checker.error(node, path, "expected an array, got " + type_name(node));
  out.clear();
  for (std::size_t i = 0; i < array->size(); ++i) {
    T element{};
    const std::size_t errors_before = checker.size();
    read_element(checker, *array->get(i), path + "[" + std::to_string(i) + "]", element);
    if (checker.size() == errors_before) out.push_back(std::move(element));
  }
}

const std::vector<KeyRule<PolicySection>> kPolicyKeys{
    {"files",
     [](Checker& c, const toml::node& n, const std::string& p, PolicySection& s) {
       read_array(c, n, p, s.files, read_text);
     }},
    {"default_deny",
     [](Checker& c, const toml::node& n, const std::string& p, PolicySection& s) {
       read_array(c, n, p, s.default_deny, [](Checker& c2, const toml::node& n2, const std::string& p2, PolicyActivity& a) {
         read_choice(c2, n2, p2, a, kPolicyActivities);
       });
     }},
    duration_key("max_delay", &PolicySection::max_delay, PolicySection::kMaxDelayBounds),
    duration_key("step", &PolicySection::step, PolicySection::kStepBounds),
    integer_key("max_delayed_messages", &PolicySection::max_delayed_messages, PolicySection::kMaxDelayedMessagesBounds),
    size_key("max_delayed_bytes", &PolicySection::max_delayed_bytes, PolicySection::kMaxDelayedBytesBounds),
    integer_key("max_slices", &PolicySection::max_slices, PolicySection::kMaxSlicesBounds),
    integer_key("max_lifecycle_instances", &PolicySection::max_lifecycle_instances,
                PolicySection::kMaxLifecycleInstancesBounds),
    text_key("acl_file", &PolicySection::acl_file),
    text_key("pseudonym_key_file", &PolicySection::pseudonym_key_file),
    text_key("identity_file", &PolicySection::identity_file),
    integer_key("reaction_queue", &PolicySection::reaction_queue, PolicySection::kReactionQueueBounds),
    duration_key("webhook_timeout", &PolicySection::webhook_timeout, PolicySection::kWebhookTimeoutBounds),
    integer_key("webhook_attempts", &PolicySection::webhook_attempts, PolicySection::kWebhookAttemptsBounds),
    duration_key("watch_interval", &PolicySection::watch_interval, PolicySection::kWatchIntervalBounds)};

const std::vector<KeyRule<ContextSection>> kContextKeys{
    integer_key("max_entities", &ContextSection::max_entities, ContextSection::kMaxEntitiesBounds),
    integer_key("max_situation_instances", &ContextSection::max_situation_instances,
                ContextSection::kMaxSituationInstancesBounds),
    integer_key("max_consents", &ContextSection::max_consents, ContextSection::kMaxConsentsBounds)};

using context::ContextKind;
using context::ContextSourceSpec;
constexpr std::array<Choice<ContextKind>, 4> kContextKinds{{{"position", ContextKind::position},
                                                            {"number", ContextKind::number},
                                                            {"string", ContextKind::string},
                                                            {"json", ContextKind::json}}};

void read_context_name(Checker& checker, const toml::node& node, const std::string& path, std::string& out) {
  std::string name;
  read_text(checker, node, path, name);
  if (name.empty()) return;
  const bool word = (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                    std::ranges::all_of(name, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  if (!word) return checker.error(node, path, quoted(name) + " is not a name (letters, digits and _; not a digit first)");
  out = std::move(name);
}

void read_source_filter(Checker& checker, const toml::node& node, const std::string& path, std::string& out) {
  std::string filter;
  read_text(checker, node, path, filter);
  if (filter.empty()) return;
  if (filter.starts_with("$share/")) return checker.error(node, path, "a context source cannot be a shared subscription");
  if (auto error = mqtt::validate_topic_filter(filter)) {
    return checker.error(node, path, quoted(filter) + " is not a topic filter: " + std::string(mqtt::to_string(*error)));
  }
  out = std::move(filter);
}

template <class F>
KeyRule<ContextSourceSpec> source_key(std::string_view name, std::string ContextSourceSpec::*field, F read) {
  return {name, [field, read](Checker& c, const toml::node& n, const std::string& p, ContextSourceSpec& s) {
            read(c, n, p, s.*field);
          }};
}

const std::vector<KeyRule<ContextSourceSpec>> kContextSourceKeys{
    source_key("name", &ContextSourceSpec::name, read_context_name),
    source_key("topic", &ContextSourceSpec::topic, read_source_filter),
    integer_key("entity_level", &ContextSourceSpec::entity_level, ContextSection::kEntityLevelBounds),
    text_key("entity_field", &ContextSourceSpec::entity_field),
    choice_key("kind", &ContextSourceSpec::kind, kContextKinds),
    text_key("latitude", &ContextSourceSpec::latitude),
    text_key("longitude", &ContextSourceSpec::longitude),
    text_key("value", &ContextSourceSpec::value),
    duration_key("max_age", &ContextSourceSpec::max_age, ContextSection::kMaxAgeBounds)};

const std::vector<KeyRule<LogSection>> kLogKeys{choice_key("level", &LogSection::level, kLogLevels)};

// --- sections ---

struct SectionRule {
  std::string_view name;
  std::vector<std::string_view> keys;
  std::function<void(Checker&, const toml::node&, Config&)> read;
};

const std::vector<SectionRule>& sections();

template <class S>
std::vector<std::string_view> names_of(const std::vector<KeyRule<S>>& rules) {
  std::vector<std::string_view> names;
  for (const KeyRule<S>& rule : rules) names.push_back(rule.name);
  return names;
}

// The section (other than `except`) that has a key of this name, if any.
const SectionRule* section_with_key(std::string_view key, std::string_view except) {
  for (const SectionRule& section : sections()) {
    if (section.name != except && std::ranges::find(section.keys, key) != section.keys.end()) return &section;
  }
  return nullptr;
}

std::string section_header(const SectionRule& section) {
  const bool array = section.name == "listeners" || section.name == "context_sources";
  return array ? "[[" + std::string(section.name) + "]]" : "[" + std::string(section.name) + "]";
}

template <class S>
void read_table(Checker& checker, const toml::node& node, const std::string& path, std::string_view section,
                const std::vector<KeyRule<S>>& rules, S& out) {
  const auto* table = node.as_table();
  if (table == nullptr) return checker.error(node, path, "expected a table, got " + type_name(node));
  const std::vector<std::string_view> names = names_of(rules);
  for (auto&& [key, value] : *table) {
    const auto rule = std::ranges::find(rules, key.str(), &KeyRule<S>::name);
    if (rule != rules.end()) {
      rule->read(checker, value, path + "." + std::string(key.str()), out);
      continue;
    }
    std::string message = "unknown key " + quoted(key.str()) + " in [" + std::string(section) + "]";
    if (const auto suggestion = closest_match(key.str(), names)) {
      message += "; did you mean " + quoted(*suggestion) + "?";
    } else if (const SectionRule* home = section_with_key(key.str(), section)) {
      message += "; it belongs in " + section_header(*home);
    }
    checker.error(key.source(), message);
  }
}

template <class S>
SectionRule table_section(std::string_view name, S Config::*field, const std::vector<KeyRule<S>>& rules) {
  return {name, names_of(rules), [name, field, &rules](Checker& c, const toml::node& n, Config& config) {
            read_table(c, n, std::string(name), name, rules, config.*field);
          }};
}

void read_listeners(Checker& checker, const toml::node& node, Config& config) {
  const auto* array = node.as_array();
  if (array != nullptr && array->empty()) return checker.error(node, "listeners", "at least one listener is needed");
  if (array == nullptr || !array->is_array_of_tables()) {
    return checker.error(
        node, "listeners",
        "expected an array of tables, got " + type_name(node) + "; write each listener as [[listeners]]");
  }
  config.listeners.clear();
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string path = "listeners[" + std::to_string(i) + "]";
    Listener listener;
    read_table(checker, element, path, "listeners", kListenerKeys, listener);
    if (const auto* table = element.as_table()) check_listener(checker, *table, path, listener);
    const auto same = std::ranges::find_if(config.listeners, [&](const Listener& other) {
      return other.address == listener.address && other.port == listener.port;
    });
    if (same != config.listeners.end()) {
      checker.error(element, path,
                    listener.address + " port " + std::to_string(listener.port) + " is already used by listeners[" +
                        std::to_string(same - config.listeners.begin()) + "]");
    }
    config.listeners.push_back(std::move(listener));
  }
}

// The checks between keys of one context source, once its keys are read.
void check_context_source(Checker& checker, const toml::table& table, const std::string& path,
                          const ContextSourceSpec& source) {
  if (!table.contains("topic")) checker.error(table, path, "a context source needs a topic (the filter it observes)");
  if (table.contains("entity_level") && table.contains("entity_field")) {
    checker.error(table, path, "entity_level and entity_field exclude each other (the entity comes from one place)");
  }
  const bool position = source.kind == ContextKind::position;
  if (position && table.contains("value")) {
    checker.error(*table.get("value"), path + ".value", "a position is read from latitude and longitude, not value");
  }
  for (const char* key : {"latitude", "longitude"}) {
    if (!position && table.contains(key)) {
      checker.error(*table.get(key), path + "." + key, "applies only to kind = \"position\"");
    }
  }
  if (!position && !table.contains("name")) {
    checker.error(table, path, "a context source of kind other than \"position\" needs a name");
  }
}

void read_context_sources(Checker& checker, const toml::node& node, Config& config) {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return checker.error(node, "context_sources",
                         "expected an array of tables, got " + type_name(node) +
                             "; write each source as [[context_sources]]");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string path = "context_sources[" + std::to_string(i) + "]";
    ContextSourceSpec source;
    read_table(checker, element, path, "context_sources", kContextSourceKeys, source);
    if (const auto* table = element.as_table()) check_context_source(checker, *table, path, source);
    config.context.sources.push_back(std::move(source));
  }
}

const std::vector<SectionRule>& sections() {
  static const std::vector<SectionRule> all{table_section("broker", &Config::broker, kBrokerKeys),
                                            {"listeners", names_of(kListenerKeys), read_listeners},
                                            table_section("limits", &Config::limits, kLimitsKeys),
                                            table_section("persistence", &Config::persistence, kPersistenceKeys),
                                            table_section("auth", &Config::auth, kAuthKeys),
                                            table_section("policy", &Config::policy, kPolicyKeys),
                                            table_section("context", &Config::context, kContextKeys),
                                            {"context_sources", names_of(kContextSourceKeys), read_context_sources},
                                            table_section("log", &Config::log, kLogKeys)};
  return all;
}

void read_root(Checker& checker, const toml::table& root, Config& config) {
  std::vector<std::string_view> names;
  for (const SectionRule& section : sections()) names.push_back(section.name);
  for (auto&& [key, value] : root) {
    const auto section = std::ranges::find(sections(), key.str(), &SectionRule::name);
    if (section != sections().end()) {
      section->read(checker, value, config);
      continue;
    }
    std::string message;
    if (const SectionRule* home = section_with_key(key.str(), "")) {
      message = "key " + quoted(key.str()) + " outside its section; it belongs in " + section_header(*home);
    } else {
      message = "unknown section " + quoted(key.str());
      if (const auto suggestion = closest_match(key.str(), names))
        message += "; did you mean " + quoted(*suggestion) + "?";
    }
    checker.error(key.source(), message);
  }
}

}  // namespace

std::string to_string(const ConfigError& error) {
  if (error.line == 0) return error.file + ": " + error.message;
  return error.file + ":" + std::to_string(error.line) + ":" + std::to_string(error.column) + ": " + error.message;
}

Result<Config, ConfigErrors> parse_config(std::string_view text, std::string_view source_name) {
  Checker checker(source_name);
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    checker.error(error.source(), std::string(error.description()));
    return fail(std::move(checker).sorted());
  }
  Config config;
  read_root(checker, root, config);
  if (!checker.empty()) return fail(std::move(checker).sorted());
  return config;
}

Result<Config, ConfigErrors> load_config_file(const std::string& path) {
  const auto cannot_read = [&path] {
    return fail(ConfigErrors{{path, 0, 0, std::string("cannot read the configuration file: ") + std::strerror(errno)}});
  };
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return cannot_read();
  std::string text;
  std::array<char, 8192> buffer{};
  while (const std::size_t count = std::fread(buffer.data(), 1, buffer.size(), file.get()))
    text.append(buffer.data(), count);
  if (std::ferror(file.get()) != 0) return cannot_read();
  return parse_config(text, path);
}

}  // namespace mqwarden::app
