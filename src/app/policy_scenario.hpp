// Policy scenarios: the JSON files `mqwarden policy test` and `explain` read —
// events as an operator writes them, the context the host functions answer
// from, and the decisions expected (docs/policy-tools.md has the format).
//
// ScenarioEvent owns what a policy::Event points into, so an Event built from
// it stays valid as long as the ScenarioEvent does.
// Plain values; one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "policy/event.hpp"

namespace mqwarden::app {

// What the host functions answer during a scenario.
struct ScenarioContext {
  std::map<std::string, policy::GeoPosition> positions;  // position(entity)
  std::map<std::string, double> reputations;             // reputation(entity)
  std::map<std::string, nlohmann::json> values;          // context(entity, name): values[entity][name]
  struct Consent {
    std::string owner, recipient, purpose;
  };
  std::vector<Consent> consents;  // consent(owner, recipient, purpose)
  std::string pseudonym_key = "mqwarden-policy-test";
};

// One event with the storage its policy::Event views point into.
class ScenarioEvent {
 public:
  ScenarioEvent() = default;
  ScenarioEvent(const ScenarioEvent&) = delete;
  ScenarioEvent& operator=(const ScenarioEvent&) = delete;

  const policy::Event& event() const { return event_; }
  // The payload as JSON (null when the event has none or it is not JSON).
  const nlohmann::json& payload_json() const { return payload_json_; }

 private:
  friend Result<std::unique_ptr<ScenarioEvent>, std::string> parse_event(const nlohmann::json& json,
                                                                         std::int64_t default_time_ms);
  struct OwnedIdentity {
    std::string id, username, cn, ip;
    std::vector<std::string> roles;
    nlohmann::json attributes;
  };
  policy::Event event_;
  OwnedIdentity client_, subscriber_;
  std::string topic_, share_group_, content_type_, reason_, subject_, entity_, will_topic_;
  std::vector<std::pair<std::string, std::string>> user_property_text_;
  std::vector<policy::UserProperty> user_properties_;
  std::vector<std::string> argument_text_;
  std::vector<policy::Value> arguments_;
  nlohmann::json context_value_;
  std::string payload_text_;
  nlohmann::json payload_json_;
  std::unique_ptr<policy::Payload> payload_;
};

// An event from its JSON form; `default_time_ms` when it names no time.
Result<std::unique_ptr<ScenarioEvent>, std::string> parse_event(const nlohmann::json& json,
                                                                std::int64_t default_time_ms);

// What a case expects of its decision; unset members are not checked.
struct Expectation {
  std::optional<std::string> verdict;  // "allow" or "deny"
  std::optional<std::string> reason;
  std::optional<int> reason_code;
  std::optional<nlohmann::json> payload;  // after this recipient's edits
  std::optional<std::int64_t> delay_ms;
  std::optional<std::vector<std::string>> reactions;  // names, in order
  std::optional<std::vector<std::string>> rules;      // names of the rules that matched, in order
};

struct ScenarioCase {
  static constexpr std::size_t kMaxRepeat = 100'000;
  std::string name;
  std::unique_ptr<ScenarioEvent> event;
  std::size_t repeat = 1;  // the event is decided this many times; the last decision is checked
  Expectation expect;
};

struct Scenario {
  ScenarioContext context;
  std::vector<ScenarioCase> cases;
};

Result<ScenarioContext, std::string> parse_context(const nlohmann::json& json);
// A cases file: {"context": {...}, "start": TIME,
//                "cases": [{"name", "after", "repeat", "event", "expect"}]}.
Result<Scenario, std::string> parse_scenario(const nlohmann::json& json);

// "10 s", "5 min", "30 d", "250 ms", or a number of milliseconds.
Result<std::int64_t, std::string> parse_milliseconds(const nlohmann::json& json);
// A number of milliseconds since the Unix epoch, or "2026-03-01T08:30:00Z".
Result<std::int64_t, std::string> parse_time(const nlohmann::json& json);

}  // namespace mqwarden::app
