#include "broker/reaction_runner.hpp"

#include <spdlog/spdlog.h>

#include "mqtt/topic.hpp"

namespace mqwarden::broker {
namespace {

IdentityPtr make_broker_identity() {
  auto identity = std::make_shared<ClientIdentity>();
  identity->id = std::string(kBrokerClientId);
  return identity;
}

spdlog::level::level_enum log_level(const nlohmann::json& level) {
  const std::string name = level.is_string() ? level.get<std::string>() : "info";
  if (name == "error") return spdlog::level::err;
  if (name == "warning" || name == "warn") return spdlog::level::warn;
  if (name == "debug") return spdlog::level::debug;
  return spdlog::level::info;
}

// Compact JSON; invalid UTF-8 in strings replaced, never thrown.
std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A string argument as text; other JSON as compact JSON.
std::string text_of(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : json_text(value);
}

}  // namespace

ReactionRunner::ReactionRunner(Broker& broker, WorkerExecutor& executor, ReactionRunnerOptions options)
    : broker_(broker),
      executor_(executor),
      options_(std::move(options)),
      broker_identity_(make_broker_identity()),
      thread_([this] { run(); }) {}

ReactionRunner::~ReactionRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool ReactionRunner::submit(const policy::Reaction& reaction, const policy::Event& event) {
  if (event.client.id == kBrokerClientId) return true;  // the broker's own notifications trigger nothing
  Job job{std::string(reaction.name), reaction.arguments, std::string(reaction.rule), std::string(event.client.id)};
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queued) return false;  // counted and logged by the caller
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void ReactionRunner::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    execute(job);
    lock.lock();
  }
}

void ReactionRunner::execute(const Job& job) {
  const auto& args = job.arguments;
  const auto failed = [&](std::string_view why) {
    spdlog::warn("policy rule {}: reaction {} not run: {}", job.rule, job.name, why);
  };
  const auto string_argument = [&](std::size_t index) -> std::string {
    return index < args.size() && args[index].is_string() ? args[index].get<std::string>() : std::string();
  };
  if (job.name == "log") {
    spdlog::log(log_level(args.empty() ? nlohmann::json() : args[0]), "policy rule {}: {} (client {})", job.rule,
                args.size() > 1 ? text_of(args[1]) : std::string(), job.client_id);
  } else if (job.name == "notify") {
    notify(job);
  } else if (job.name == "webhook") {
    if (!options_.webhook) return failed("no webhook sender is configured");
    if (!options_.webhook(string_argument(0), args.size() > 1 ? args[1].dump() : "null")) {
      failed("the webhook queue is full or the URL is invalid");
    }
  } else if (job.name == "disconnect") {
    const std::string client = string_argument(0);
    if (broker_.disconnect_client(client, mqtt::ReasonCode::administrative_action)) {
      spdlog::info("policy rule {}: disconnected client {}", job.rule, client);
    }
  } else if (job.name == "ban") {
    const std::string who = string_argument(0);
    if (who.empty() || args.size() < 2 || !args[1].is_number()) return failed("ban needs a client or address and a duration");
    const auto duration = std::chrono::milliseconds(args[1].get<std::int64_t>());
    broker_.enforcement().bans().ban(who, std::chrono::system_clock::now() + duration);
    const std::size_t closed = BanList::is_address(who)
                                   ? broker_.disconnect_address(who, mqtt::ReasonCode::administrative_action)
                                   : broker_.disconnect_client(who, mqtt::ReasonCode::administrative_action);
    spdlog::warn("policy rule {}: banned {} for {} ms ({} connection(s) closed)", job.rule, who, duration.count(),
                 closed);
  } else if (job.name == "revoke") {
    const std::string client = string_argument(0);
    const std::string filter = string_argument(1);
    if (mqtt::validate_topic_filter(filter).has_value()) return failed("not a topic filter: " + filter);
    executor_.post(0, [this, client, filter, rule = job.rule] {
      if (broker_.revoke_subscription(client, filter)) {
        spdlog::info("policy rule {}: revoked the subscription {} of client {}", rule, filter, client);
      }
    });
  } else if (auto host = options_.host_reactions.find(job.name); host != options_.host_reactions.end()) {
    if (std::optional<Notification> notification = host->second(args)) {
      publish_notification(std::move(notification->topic), json_text(notification->message));
    }
  } else {
    failed("mqwarden does not run this reaction");
  }
}

void ReactionRunner::notify(const Job& job) {
  const std::string topic = job.arguments.empty() ? std::string() : text_of(job.arguments[0]);
  if (mqtt::validate_topic_name(topic).has_value() || topic.starts_with('$')) {
    spdlog::warn("policy rule {}: notify: not a topic a client could publish to: \"{}\"", job.rule, topic);
    return;
  }
  publish_notification(topic, job.arguments.size() > 1 ? json_text(job.arguments[1]) : "null");
}

void ReactionRunner::publish_notification(std::string topic, std::string payload) {
  executor_.post(0, [this, topic = std::move(topic), payload = std::move(payload)]() mutable {
    // Published through the broker like any message, and subject to the policy like any publish.
    mqtt::Publish publish{topic, 0, mqtt::QoS::at_least_once, false, false, {}, std::move(payload)};
    publish.properties.add_number(mqtt::PropertyId::payload_format_indicator, 1);
    publish.properties.add_text(mqtt::PropertyId::content_type, "application/json");
    const Clock::time_point now = Clock::now();
    auto message = make_message(std::move(publish), std::string(kBrokerClientId), now, broker_identity_);
    const Broker::PublishVerdict verdict = broker_.decide_publish(*message);
    if (verdict.allowed) broker_.publish_admitted(message, verdict.delay, now);
  });
}

}  // namespace mqwarden::broker
