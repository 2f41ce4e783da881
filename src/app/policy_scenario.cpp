#include "app/policy_scenario.hpp"

#include <cctype>
#include <ctime>

#include "app/config_units.hpp"

namespace mqwarden::app {
namespace {

using nlohmann::json;

Failure<std::string> wrong(const std::string& where, const std::string& what) {
  return fail(where + ": " + what);
}

// The string at `key` of `object`, if present; an error if it is not a string.
Result<std::optional<std::string>, std::string> optional_string(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::optional<std::string>();
  if (!it->is_string()) return wrong(key, "expected a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<void, std::string> read_string(const json& object, const char* key, std::string& out) {
  auto value = optional_string(object, key);
  if (!value) return fail(value.error());
  if (*value) out = std::move(**value);
  return {};
}

Result<void, std::string> read_unsigned(const json& object, const char* key, std::uint64_t limit, std::uint64_t& out) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() > limit) {
    return wrong(key, "expected a whole number from 0 to " + std::to_string(limit));
  }
  out = it->get<std::uint64_t>();
  return {};
}

Result<void, std::string> read_bool(const json& object, const char* key, bool& out) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (!it->is_boolean()) return wrong(key, "expected true or false");
  out = it->get<bool>();
  return {};
}

// The keys an object may have: anything else is a typo worth reporting.
Result<void, std::string> only_keys(const json& object, std::initializer_list<const char*> keys,
                                    const std::string& where) {
  if (!object.is_object()) return wrong(where, "expected an object");
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* allowed : keys) known = known || key == allowed;
    if (!known) return wrong(where, "unknown key '" + key + "'");
  }
  return {};
}

Result<policy::Activity, std::string> activity_named(const std::string& name) {
  if (auto activity = policy::mqtt_activity_named(name)) return *activity;
  if (name == "situation starts") return policy::Activity::situation_starts;
  if (name == "situation ends") return policy::Activity::situation_ends;
  if (name == "context changes") return policy::Activity::context_changes;
  return fail("unknown activity '" + name +
              "' (connect, subscribe, unsubscribe, publish, deliver, ping, disconnect, situation starts, situation "
              "ends, context changes)");
}

}  // namespace

Result<std::int64_t, std::string> parse_milliseconds(const json& value) {
  if (value.is_number_unsigned()) return static_cast<std::int64_t>(value.get<std::uint64_t>());
  if (!value.is_string()) return fail(std::string("expected a duration such as \"10 s\""));
  std::string text = value.get<std::string>();
  if (text.ends_with(" d") || (text.ends_with('d') && text.size() > 1 && std::isdigit(text[text.size() - 2]))) {
    text.pop_back();
    auto hours = parse_duration(text + "h");
    if (!hours) return fail(hours.error());
    return std::chrono::duration_cast<std::chrono::milliseconds>(*hours).count() * 24;
  }
  auto duration = parse_duration(text);
  if (!duration) return fail(duration.error());
  return std::chrono::duration_cast<std::chrono::milliseconds>(*duration).count();
}

Result<std::int64_t, std::string> parse_time(const json& value) {
  if (value.is_number_unsigned()) return static_cast<std::int64_t>(value.get<std::uint64_t>());
  if (!value.is_string()) return fail(std::string("expected a time: \"2026-03-01T08:30:00Z\" or milliseconds"));
  const std::string text = value.get<std::string>();
  const auto refuse = [&] { return fail("'" + text + "' is not a UTC time such as \"2026-03-01T08:30:00Z\""); };
  std::tm parts{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                  &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return refuse();
  }
  // Optional fraction of a second, up to milliseconds, then 'Z' and nothing more.
  std::size_t at = 19;
  std::int64_t milliseconds = 0;
  if (at < text.size() && text[at] == '.') {
    int digits = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++digits) {
      if (digits < 3) milliseconds = milliseconds * 10 + (text[at] - '0');
    }
    if (digits == 0) return refuse();
    for (; digits < 3; ++digits) milliseconds *= 10;
  }
  if (at + 1 != text.size() || text[at] != 'Z') return refuse();
  const std::tm written = parts;
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  const std::time_t seconds = ::timegm(&parts);
  // timegm normalises 2026-02-30 to March 2: such a date is refused.
  if (parts.tm_year + 1900 != written.tm_year || parts.tm_mon + 1 != written.tm_mon ||
      parts.tm_mday != written.tm_mday || parts.tm_hour != written.tm_hour || parts.tm_min != written.tm_min ||
      parts.tm_sec != written.tm_sec) {
    return refuse();
  }
  return static_cast<std::int64_t>(seconds) * 1000 + milliseconds;
}

Result<std::unique_ptr<ScenarioEvent>, std::string> parse_event(const json& object, std::int64_t default_time_ms) {
  auto checked = only_keys(
      object, {"mode",       "activity",    "time",    "client",       "subscriber",   "topic",           "qos",
               "retain",     "share_group", "payload", "payload_text", "content_type", "user_properties", "clean_start",
               "keep_alive", "will",        "reason",  "subject",      "arguments",    "entity",          "value"},
      "event");
  if (!checked) return fail(checked.error());
  auto owned = std::make_unique<ScenarioEvent>();
  ScenarioEvent& s = *owned;
  policy::Event& event = s.event_;

  auto activity_name = optional_string(object, "activity");
  if (!activity_name) return fail(activity_name.error());
  if (!*activity_name) return wrong("event", "'activity' is required");
  auto activity = activity_named(**activity_name);
  if (!activity) return fail(activity.error());
  event.activity = *activity;
  auto mode = optional_string(object, "mode");
  if (!mode) return fail(mode.error());
  if (*mode && **mode != "tentative" && **mode != "actual") return wrong("mode", "expected tentative or actual");
  event.mode = *mode && **mode == "actual" ? policy::Mode::actual : policy::Mode::tentative;
  if (!policy::is_mqtt_activity(event.activity)) event.mode = policy::Mode::actual;
  event.time_ms = default_time_ms;
  if (auto it = object.find("time"); it != object.end()) {
    auto time = parse_time(*it);
    if (!time) return wrong("time", time.error());
    event.time_ms = *time;
  }

  auto identity = [&](const char* key, ScenarioEvent::OwnedIdentity& out,
                      policy::Identity& view) -> Result<void, std::string> {
    auto it = object.find(key);
    if (it == object.end()) return {};
    auto known = only_keys(*it, {"id", "username", "cn", "ip", "port", "protocol", "roles", "attributes"}, key);
    if (!known) return known;
    for (auto [name, field] : {std::pair{"id", &out.id}, std::pair{"username", &out.username}, std::pair{"cn", &out.cn},
                               std::pair{"ip", &out.ip}}) {
      if (auto read = read_string(*it, name, *field); !read) return wrong(key, read.error());
    }
    std::uint64_t port = 0, protocol = 5;
    if (auto read = read_unsigned(*it, "port", 65535, port); !read) return wrong(key, read.error());
    if (auto read = read_unsigned(*it, "protocol", 5, protocol); !read) return wrong(key, read.error());
    if (protocol != 4 && protocol != 5) return wrong(key, "protocol: 4 (MQTT 3.1.1) or 5");
    if (auto roles = it->find("roles"); roles != it->end()) {
      if (!roles->is_array()) return wrong(key, "roles: expected an array of strings");
      for (const json& role : *roles) {
        if (!role.is_string()) return wrong(key, "roles: expected an array of strings");
        out.roles.push_back(role.get<std::string>());
      }
    }
    if (auto attributes = it->find("attributes"); attributes != it->end()) {
      if (!attributes->is_object()) return wrong(key, "attributes: expected an object");
      out.attributes = *attributes;
    }
    view = policy::Identity{out.id,
                            out.username,
                            out.cn,
                            out.ip,
                            static_cast<std::uint16_t>(port),
                            static_cast<std::uint8_t>(protocol),
                            out.roles,
                            out.attributes.is_null() ? nullptr : &out.attributes};
    return {};
  };
  if (auto read = identity("client", s.client_, event.client); !read) return fail(read.error());
  if (auto read = identity("subscriber", s.subscriber_, event.subscriber); !read) return fail(read.error());

  for (auto [name, field] : {std::pair{"topic", &s.topic_}, std::pair{"share_group", &s.share_group_},
                             std::pair{"content_type", &s.content_type_}, std::pair{"reason", &s.reason_},
                             std::pair{"subject", &s.subject_}, std::pair{"entity", &s.entity_}}) {
    if (auto read = read_string(object, name, *field); !read) return fail(read.error());
  }
  event.topic = s.topic_;
  event.share_group = s.share_group_;
  event.content_type = s.content_type_;
  event.reason = s.reason_;
  event.subject = s.subject_;
  event.context_entity = s.entity_;
  std::uint64_t qos = 0;
  if (auto read = read_unsigned(object, "qos", 2, qos); !read) return fail(read.error());
  event.qos = static_cast<std::uint8_t>(qos);
  if (auto read = read_bool(object, "retain", event.retain); !read) return fail(read.error());
  if (auto read = read_bool(object, "clean_start", event.clean_start); !read) return fail(read.error());
  if (auto it = object.find("keep_alive"); it != object.end()) {
    auto keep_alive = parse_milliseconds(*it);
    if (!keep_alive) return wrong("keep_alive", keep_alive.error());
    event.keep_alive_ms = *keep_alive;
  }
  if (auto it = object.find("will"); it != object.end()) {
    auto known = only_keys(*it, {"topic", "qos", "retain"}, "will");
    if (!known) return fail(known.error());
    if (auto read = read_string(*it, "topic", s.will_topic_); !read) return wrong("will", read.error());
    std::uint64_t will_qos = 0;
    if (auto read = read_unsigned(*it, "qos", 2, will_qos); !read) return wrong("will", read.error());
    event.will.topic = s.will_topic_;
    event.will.qos = static_cast<std::uint8_t>(will_qos);
    if (auto read = read_bool(*it, "retain", event.will.retain); !read) return wrong("will", read.error());
  }

  const bool has_json = object.contains("payload");
  const bool has_text = object.contains("payload_text");
  if (has_json && has_text) return wrong("event", "give 'payload' (JSON) or 'payload_text', not both");
  if (has_json) {
    s.payload_json_ = object.at("payload");
    s.payload_text_ = s.payload_json_.dump();
  } else if (has_text) {
    if (auto read = read_string(object, "payload_text", s.payload_text_); !read) return fail(read.error());
    s.payload_json_ = json::parse(s.payload_text_, nullptr, false);
    if (s.payload_json_.is_discarded()) s.payload_json_ = nullptr;
  }
  if (has_json || has_text) {
    s.payload_ = std::make_unique<policy::Payload>(std::string_view(s.payload_text_));
    event.payload = s.payload_.get();
  }

  if (auto it = object.find("user_properties"); it != object.end()) {
    if (!it->is_object()) return wrong("user_properties", "expected an object of strings");
    for (const auto& [name, value] : it->items()) {
      if (!value.is_string()) return wrong("user_properties", "expected an object of strings");
      s.user_property_text_.emplace_back(name, value.get<std::string>());
    }
    for (const auto& [name, value] : s.user_property_text_) s.user_properties_.push_back({name, value});
    event.user_properties = s.user_properties_;
  }
  if (auto it = object.find("arguments"); it != object.end()) {
    if (!it->is_array()) return wrong("arguments", "expected an array of strings");
    for (const json& argument : *it) {
      if (!argument.is_string()) return wrong("arguments", "expected an array of strings");
      s.argument_text_.push_back(argument.get<std::string>());
    }
    for (const std::string& text : s.argument_text_) s.arguments_.push_back(policy::Value::string(text));
    event.situation_arguments = s.arguments_;
  }
  if (auto it = object.find("value"); it != object.end()) {
    s.context_value_ = *it;
    event.context_value = &s.context_value_;
  }
  return owned;
}

Result<ScenarioContext, std::string> parse_context(const json& object) {
  ScenarioContext context;
  auto known = only_keys(object, {"positions", "reputation", "values", "consents", "pseudonym_key"}, "context");
  if (!known) return fail(known.error());
  if (auto it = object.find("positions"); it != object.end()) {
    if (!it->is_object()) return wrong("positions", "expected {\"entity\": {\"lat\": .., \"lon\": ..}}");
    for (const auto& [entity, position] : it->items()) {
      if (!position.is_object() || !position.contains("lat") || !position.contains("lon") ||
          !position["lat"].is_number() || !position["lon"].is_number()) {
        return wrong("positions." + entity, "expected {\"lat\": number, \"lon\": number}");
      }
      context.positions[entity] = {position["lat"].get<double>(), position["lon"].get<double>()};
    }
  }
  if (auto it = object.find("reputation"); it != object.end()) {
    if (!it->is_object()) return wrong("reputation", "expected {\"entity\": number}");
    for (const auto& [entity, value] : it->items()) {
      if (!value.is_number()) return wrong("reputation." + entity, "expected a number");
      context.reputations[entity] = value.get<double>();
    }
  }
  if (auto it = object.find("values"); it != object.end()) {
    if (!it->is_object()) return wrong("values", "expected {\"entity\": {\"name\": value}}");
    for (const auto& [entity, values] : it->items()) context.values[entity] = values;
  }
  if (auto it = object.find("consents"); it != object.end()) {
    if (!it->is_array()) return wrong("consents", "expected an array of {owner, recipient, purpose}");
    for (const json& consent : *it) {
      ScenarioContext::Consent entry;
      auto fields = only_keys(consent, {"owner", "recipient", "purpose"}, "consents[]");
      if (!fields) return fail(fields.error());
      for (auto [name, field] : {std::pair{"owner", &entry.owner}, std::pair{"recipient", &entry.recipient},
                                 std::pair{"purpose", &entry.purpose}}) {
        if (auto read = read_string(consent, name, *field); !read) return wrong("consents[]", read.error());
      }
      context.consents.push_back(std::move(entry));
    }
  }
  if (auto read = read_string(object, "pseudonym_key", context.pseudonym_key); !read) return fail(read.error());
  return context;
}

namespace {

Result<Expectation, std::string> parse_expectation(const json& object) {
  auto known =
      only_keys(object, {"verdict", "reason", "reason_code", "payload", "delay", "reactions", "rules"}, "expect");
  if (!known) return fail(known.error());
  Expectation expect;
  auto verdict = optional_string(object, "verdict");
  if (!verdict) return fail(verdict.error());
  if (*verdict && **verdict != "allow" && **verdict != "deny") return wrong("verdict", "expected allow or deny");
  expect.verdict = *verdict;
  auto reason = optional_string(object, "reason");
  if (!reason) return fail(reason.error());
  expect.reason = *reason;
  if (object.contains("reason_code")) {
    std::uint64_t code = 0;
    if (auto read = read_unsigned(object, "reason_code", 255, code); !read) return fail(read.error());
    expect.reason_code = static_cast<int>(code);
  }
  if (auto it = object.find("payload"); it != object.end()) expect.payload = *it;
  if (auto it = object.find("delay"); it != object.end()) {
    auto delay = parse_milliseconds(*it);
    if (!delay) return wrong("delay", delay.error());
    expect.delay_ms = *delay;
  }
  for (auto [key, field] : {std::pair{"reactions", &expect.reactions}, std::pair{"rules", &expect.rules}}) {
    auto it = object.find(key);
    if (it == object.end()) continue;
    if (!it->is_array()) return wrong(key, "expected an array of names");
    std::vector<std::string> names;
    for (const json& name : *it) {
      if (!name.is_string()) return wrong(key, "expected an array of names");
      names.push_back(name.get<std::string>());
    }
    *field = std::move(names);
  }
  return expect;
}

}  // namespace

Result<Scenario, std::string> parse_scenario(const json& object) {
  auto known = only_keys(object, {"context", "start", "cases"}, "cases file");
  if (!known) return fail(known.error());
  Scenario scenario;
  if (auto it = object.find("context"); it != object.end()) {
    auto context = parse_context(*it);
    if (!context) return fail(context.error());
    scenario.context = std::move(context).value();
  }
  std::int64_t time_ms = 0;
  if (auto it = object.find("start"); it != object.end()) {
    auto start = parse_time(*it);
    if (!start) return wrong("start", start.error());
    time_ms = *start;
  }
  auto cases = object.find("cases");
  if (cases == object.end() || !cases->is_array() || cases->empty()) {
    return wrong("cases file", "'cases' must be a non-empty array");
  }
  for (std::size_t i = 0; i < cases->size(); ++i) {
    const json& entry = (*cases)[i];
    const std::string where = "cases[" + std::to_string(i) + "]";
    auto fields = only_keys(entry, {"name", "after", "repeat", "event", "expect"}, where);
    if (!fields) return fail(fields.error());
    ScenarioCase scenario_case;
    scenario_case.name = where;
    if (auto read = read_string(entry, "name", scenario_case.name); !read) return wrong(where, read.error());
    std::uint64_t repeat = 1;
    if (auto read = read_unsigned(entry, "repeat", ScenarioCase::kMaxRepeat, repeat); !read || repeat == 0) {
      return wrong(where, "repeat: expected a whole number from 1 to " + std::to_string(ScenarioCase::kMaxRepeat));
    }
    scenario_case.repeat = static_cast<std::size_t>(repeat);
    if (auto it = entry.find("after"); it != entry.end()) {
      auto after = parse_milliseconds(*it);
      if (!after) return wrong(where + ".after", after.error());
      time_ms += *after;
    }
    auto event = entry.find("event");
    if (event == entry.end()) return wrong(where, "'event' is required");
    auto parsed = parse_event(*event, time_ms);
    if (!parsed) return wrong(where, parsed.error());
    time_ms = (*parsed)->event().time_ms;  // an explicit time moves the clock for the cases after it
    scenario_case.event = std::move(parsed).value();
    if (auto it = entry.find("expect"); it != entry.end()) {
      auto expect = parse_expectation(*it);
      if (!expect) return wrong(where, expect.error());
      scenario_case.expect = std::move(expect).value();
    }
    scenario.cases.push_back(std::move(scenario_case));
  }
  return scenario;
}

}  // namespace mqwarden::app
