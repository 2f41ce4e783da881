// The $SYS/broker/... topics: the broker's counters published as retained
// messages, with the names Mosquitto uses so existing dashboards work.
#include <string>
#include <utility>
#include <vector>

#include "broker/broker.hpp"

namespace mqwarden::broker {

void Broker::start_sys_topics(std::chrono::seconds interval, std::string version) {
  // On worker 0, whose subscription replica the publications are routed with.
  executor_.post(
      0, [this, interval, version = std::move(version)]() mutable { sys_topics_tick(interval, std::move(version)); });
}

void Broker::sys_topics_tick(std::chrono::seconds interval, std::string version) {
  publish_sys_topics(version);
  executor_.post_after(0, interval, [this, interval, version = std::move(version)]() mutable {
    sys_topics_tick(interval, std::move(version));
  });
}

void Broker::publish_sys_topics(const std::string& version) {
  const Clock::time_point now = Clock::now();
  const StatsTotals totals = stats_.totals();
  const auto [sessions, connected] = client_counts();
  std::uint64_t dropped = totals.messages_dropped;  // QoS 0 to clients that read too slowly
  {
    std::lock_guard lock(registry_mutex_);
    for (const auto& [client_id, registration] : registry_) dropped += registration.session->dropped();
  }
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(now - started_at_).count();
  std::vector<std::pair<const char*, std::string>> values{
      {"$SYS/broker/version", version},
      {"$SYS/broker/uptime", std::to_string(uptime) + " seconds"},
      {"$SYS/broker/clients/connected", std::to_string(connected)},
      {"$SYS/broker/clients/disconnected", std::to_string(sessions - connected)},
      {"$SYS/broker/clients/total", std::to_string(sessions)},
      {"$SYS/broker/messages/received", std::to_string(totals.messages_received)},
      {"$SYS/broker/messages/sent", std::to_string(totals.messages_sent)},
      {"$SYS/broker/publish/messages/dropped", std::to_string(dropped)},
      {"$SYS/broker/bytes/received", std::to_string(totals.bytes_received)},
      {"$SYS/broker/bytes/sent", std::to_string(totals.bytes_sent)},
      {"$SYS/broker/retained messages/count", std::to_string(retained_.size())},
      {"$SYS/broker/subscriptions/count", std::to_string(subscription_count())},
  };
  if (enforcement_->active()) {
    const EnforcementCounters& policy = enforcement_->counters();
    const auto count = [](const std::atomic<std::uint64_t>& counter) { return std::to_string(counter.load()); };
    values.insert(values.end(), {{"$SYS/broker/policy/connects/denied", count(policy.denied_connects)},
                                 {"$SYS/broker/policy/subscribes/denied", count(policy.denied_subscribes)},
                                 {"$SYS/broker/policy/unsubscribes/denied", count(policy.denied_unsubscribes)},
                                 {"$SYS/broker/policy/publishes/denied", count(policy.denied_publishes)},
                                 {"$SYS/broker/policy/deliveries/denied", count(policy.denied_deliveries)},
                                 {"$SYS/broker/policy/deliveries/modified", count(policy.modified_deliveries)},
                                 {"$SYS/broker/policy/deliveries/delayed", count(policy.delayed_deliveries)},
                                 {"$SYS/broker/policy/delays/dropped", count(policy.dropped_delays)},
                                 {"$SYS/broker/policy/reactions/dropped", count(policy.dropped_reactions)}});
    const policy::EngineMetrics engine = enforcement_->engine_metrics();
    values.insert(values.end(),
                  {{"$SYS/broker/policy/instances/live", std::to_string(engine.lifecycle_instances)},
                   {"$SYS/broker/policy/instances/refused", std::to_string(engine.refused_lifecycle_instances)},
                   {"$SYS/broker/policy/slices/evicted", std::to_string(engine.slice_evictions)}});
  }
  for (const auto& [topic, value] : values) {
    publish(make_message(mqtt::Publish{topic, 0, mqtt::QoS::at_most_once, true, false, {}, value}, "", now), now);
  }
}

}  // namespace mqwarden::broker
