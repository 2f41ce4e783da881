#include "context/context_layer.hpp"

#include <spdlog/spdlog.h>

#include <bit>

#include "context/context_source.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::context {

using policy::Value;

ContextLayer::ContextLayer(ContextOptions options, SituationMonitor::Raise raise, Clock clock)
    : options_(std::move(options)),
      raise_(std::move(raise)),
      clock_(std::move(clock)),
      store_(std::make_shared<ContextStore>(options_.max_entities)),
      consents_(std::make_shared<ConsentRegistry>(options_.max_consents, options_.persist_consent)),
      monitor_(options_.max_situation_instances, raise_) {}

ContextLayer::~ContextLayer() {
  {
    std::lock_guard lock(tick_mutex_);
    stopping_ = true;
  }
  tick_wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void ContextLayer::add_functions(policy::HostFunctions& functions) const {
  functions.add("position", [store = store_, clock = clock_](std::span<const Value> arguments, policy::ValueArena&) {
    const auto position = store->position(arguments[0].as_string(), clock());
    return position ? Value::position(*position) : Value();
  });
  functions.add("context", [store = store_, clock = clock_](std::span<const Value> arguments,
                                                           policy::ValueArena& arena) {
    auto value = store->value(arguments[0].as_string(), arguments[1].as_string(), clock());
    return value ? Value::json(&arena.keep(std::move(*value))) : Value();
  });
  functions.add("consent", [consents = consents_, clock = clock_](std::span<const Value> arguments,
                                                                 policy::ValueArena&) {
    return Value::boolean(consents->granted(arguments[0].as_string(), arguments[1].as_string(),
                                            arguments[2].as_string(), clock()));
  });
}

void ContextLayer::observe(const policy::Event& published) {
  if (published.payload == nullptr) return;
  if (ConsentRegistry::is_decision_topic(published.topic)) {
    if (auto refused = consents_->apply(published.topic, published.client.id, published.payload->json(), clock_())) {
      spdlog::warn("consent: {} ignored: {}", published.topic, *refused);
    }
    return;
  }
  const nlohmann::json* document = nullptr;
  bool parsed = false;
  for (const ContextSourceSpec& source : options_.sources) {
    if (!mqtt::topic_matches(source.topic, published.topic)) continue;
    if (!parsed) {  // parsed once, for the first source that matches
      document = published.payload->json();
      parsed = true;
    }
    const std::int64_t now = clock_();
    std::optional<Observation> observation = read_observation(source, published.topic, published.client.id, document, now);
    if (!observation) continue;
    observations_.fetch_add(1, std::memory_order_relaxed);
    const nlohmann::json value = observation->reading.value;
    const ContextStore::Update update = store_->update(observation->entity, source.name, std::move(observation->reading));
    if (update == ContextStore::Update::refused) {
      const std::uint64_t refused = store_->refused();
      if (std::has_single_bit(refused)) {  // logged at 1, 2, 4, 8...
        spdlog::warn("context: entity '{}' not tracked (already {} entities): {} reading(s) refused so far",
                     observation->entity, options_.max_entities, refused);
      }
      continue;
    }
    if (update != ContextStore::Update::changed) continue;
    monitor_.entity_changed(observation->entity, now);
    policy::Event changed;
    changed.mode = policy::Mode::actual;
    changed.activity = policy::Activity::context_changes;
    changed.time_ms = now;
    changed.subject = source.name;
    changed.context_entity = observation->entity;
    changed.context_value = &value;
    raise_(changed);
  }
}

void ContextLayer::use(std::shared_ptr<const policy::CompiledPolicy> policy) {
  monitor_.use(std::move(policy), clock_());
}

void ContextLayer::start() {
  ticker_ = std::thread([this] { run_ticks(); });
}

void ContextLayer::run_ticks() {
  std::unique_lock lock(tick_mutex_);
  while (!tick_wake_.wait_for(lock, options_.tick, [this] { return stopping_; })) {
    lock.unlock();
    monitor_.tick(clock_());
    lock.lock();
  }
}

}  // namespace mqwarden::context
