// Helpers for the context layer's tests: the events a SituationMonitor or a
// ContextLayer raises, copied out of their views so the test can compare them
// after the fact, and how to write the events a test expects.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "context/situation_monitor.hpp"
#include "policy/event.hpp"

namespace mqwarden::context::testing {

// What the tests compare of a raised event (a policy::Event only holds views).
struct RaisedEvent {
  policy::Activity activity = policy::Activity::connect;
  std::string subject;       // the situation's or the context's name
  nlohmann::json arguments;  // situation events: the arguments as a JSON array
  std::string entity;        // context events
  nlohmann::json value;      // context events
  bool operator==(const RaisedEvent&) const = default;
};

inline void PrintTo(const RaisedEvent& event, std::ostream* out) {
  *out << to_string(event.activity) << " " << event.subject << " " << event.arguments.dump();
  if (!event.entity.empty()) *out << " entity=" << event.entity << " value=" << event.value.dump();
}

inline RaisedEvent situation_starts(std::string name, nlohmann::json arguments) {
  return {policy::Activity::situation_starts, std::move(name), std::move(arguments), {}, {}};
}
inline RaisedEvent situation_ends(std::string name, nlohmann::json arguments) {
  return {policy::Activity::situation_ends, std::move(name), std::move(arguments), {}, {}};
}
inline RaisedEvent context_changes(std::string name, std::string entity, nlohmann::json value) {
  return {policy::Activity::context_changes, std::move(name), nullptr, std::move(entity), std::move(value)};
}

// Records every event raised into it, with each event's mode and time.
class EventRecorder {
 public:
  SituationMonitor::Raise raise() {
    return [this](const policy::Event& event) { record(event); };
  }
  // The events raised since the last take(), and forgets them (with their modes and times).
  std::vector<RaisedEvent> take() {
    modes_.clear();
    times_.clear();
    return std::exchange(events_, {});
  }
  const std::vector<RaisedEvent>& events() const { return events_; }
  const std::vector<policy::Mode>& modes() const { return modes_; }
  const std::vector<std::int64_t>& times() const { return times_; }

 private:
  void record(const policy::Event& event) {
    RaisedEvent raised;
    raised.activity = event.activity;
    raised.subject = std::string(event.subject);
    if (event.activity != policy::Activity::context_changes) {
      raised.arguments = nlohmann::json::array();
      for (const policy::Value& argument : event.situation_arguments) raised.arguments.push_back(to_json(argument));
    }
    raised.entity = std::string(event.context_entity);
    if (event.context_value != nullptr) raised.value = *event.context_value;
    events_.push_back(std::move(raised));
    modes_.push_back(event.mode);
    times_.push_back(event.time_ms);
  }

  std::vector<RaisedEvent> events_;
  std::vector<policy::Mode> modes_;
  std::vector<std::int64_t> times_;
};

}  // namespace mqwarden::context::testing
