// Google Benchmark for the context layer: the cost of one position update
// with 1,000 tracked entities and 10,000 situation instances
// (`situation near_100m(a, b)` configured over pairs, each entity in 20
// pairs): the store update and the re-evaluation of that entity's instances,
// either moving it a little (no instance changes) or across the 100 m
// threshold (a start or an end raised per update); and ContextLayer::observe
// of a JSON GPS message (payload parse + update + re-evaluation).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "context/context_layer.hpp"
#include "context/context_store.hpp"
#include "context/situation_monitor.hpp"
#include "support/context_policy.hpp"

namespace {

using namespace mqwarden;

constexpr std::size_t kEntities = 1'000;
constexpr std::size_t kPartnersAhead = 10;  // e_i with e_{i+1..i+10}: 20 pairs per entity, 10,000 in all
constexpr double kSpacingMetres = 150;      // homes on a line: no pair is within 100 m at home
constexpr std::int64_t kNow = 1'795'392'000'000;
constexpr std::int64_t kMaxAgeMs = 5 * 60'000;
constexpr policy::GeoPosition kOrigin{45.0, 9.0};

std::string entity_name(std::size_t index) {
  char name[8];
  std::snprintf(name, sizeof name, "e%04zu", index);
  return name;
}

policy::GeoPosition home_of(std::size_t index) {
  return testing::north_of(kOrigin, kSpacingMetres * static_cast<double>(index));
}

std::string near_100m_over_entities() {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 0; i < kEntities; ++i) {
    for (std::size_t k = 1; k <= kPartnersAhead; ++k)
      pairs.emplace_back(entity_name(i), entity_name((i + k) % kEntities));
  }
  return testing::near_100m_policy(pairs);
}

std::shared_ptr<const policy::CompiledPolicy> compile_or_exit(const std::string& text,
                                                              policy::HostFunctions functions) {
  std::string errors;
  auto policy = testing::compile_policy_text(text, std::move(functions), errors);
  if (policy == nullptr) {
    std::fprintf(stderr, "context_bench: the policy does not load:\n%s\n", errors.c_str());
    std::exit(1);
  }
  return policy;
}

// Iteration n moves entity (n / 2) away from home by `offset` metres (n even)
// or back home (n odd): every update is a change, and each entity's turn
// comes every 2,000 updates.
struct Move {
  std::size_t entity;
  policy::GeoPosition position;
};
Move move_for(std::uint64_t iteration, double offset_metres) {
  const std::size_t entity = (iteration / 2) % kEntities;
  const double offset = iteration % 2 == 0 ? offset_metres : 0;
  return {entity, testing::north_of(home_of(entity), offset)};
}

// How the clock moves between readings.
enum class Clock {
  advances,  // 1 ms per reading (1,000 updates a second): values go stale one after the other
  frozen,    // every reading observed in the same millisecond: all go stale at the same instant
};

// A store with every entity at home, and a monitor of the 10,000 instances.
struct MonitoredEntities {
  explicit MonitoredEntities(Clock clock_mode) : clock(clock_mode) {
    for (std::size_t i = 0; i < kEntities; ++i) {
      names.push_back(entity_name(i));
      update(i, home_of(i));
    }
    monitor.use(compile_or_exit(near_100m_over_entities(), testing::gps_functions(store, &now_ms)), now_ms);
  }
  // The store update, then the situation instances that read the entity.
  void update(std::size_t entity, policy::GeoPosition position) {
    if (clock == Clock::advances) ++now_ms;
    store.update(names[entity], "position", testing::position_reading(position, now_ms, now_ms + kMaxAgeMs));
    monitor.entity_changed(names[entity], now_ms);
  }

  const Clock clock;
  std::int64_t now_ms = kNow;
  std::vector<std::string> names;
  context::ContextStore store{kEntities};
  std::uint64_t raised = 0;
  context::SituationMonitor monitor{2 * kEntities * kPartnersAhead, [this](const policy::Event&) { ++raised; }};
};

MonitoredEntities& monitored_entities(Clock clock) {
  static MonitoredEntities advancing(Clock::advances);
  static MonitoredEntities frozen(Clock::frozen);
  return clock == Clock::advances ? advancing : frozen;
}

// One position update with 1,000 entities and 10,000 situation instances.
void BM_PositionUpdate(benchmark::State& state, double offset_metres, Clock clock) {
  MonitoredEntities& monitored = monitored_entities(clock);
  if (monitored.monitor.instances() != kEntities * kPartnersAhead) {
    state.SkipWithError("not every situation instance is monitored");
    return;
  }
  const std::uint64_t raised_before = monitored.raised;
  std::uint64_t iteration = 0;
  for (auto _ : state) {
    const Move move = move_for(iteration++, offset_metres);
    monitored.update(move.entity, move.position);
  }
  const std::uint64_t raised = monitored.raised - raised_before;
  if (iteration % 2 != 0) {  // back home for the next run
    const Move move = move_for(iteration, offset_metres);
    monitored.update(move.entity, move.position);
  }
  state.counters["instances"] = static_cast<double>(monitored.monitor.instances());
  state.counters["events/update"] = static_cast<double>(raised) / static_cast<double>(state.iterations());
}
// Moved 1 m: its 20 instances are evaluated, none changes.
BENCHMARK_CAPTURE(BM_PositionUpdate, moves_1m, 1.0, Clock::advances);
// Moved 100 m towards the next entity (150 m away) and back: a start or an end per update.
BENCHMARK_CAPTURE(BM_PositionUpdate, crosses_100m, 100.0, Clock::advances);
// As moves_1m, but every value read goes stale at the same millisecond.
BENCHMARK_CAPTURE(BM_PositionUpdate, moves_1m_same_stale_time, 1.0, Clock::frozen);

// ContextLayer::observe of `{"lat": …, "lon": …}` on gps/<entity>, moving it 1 m and back
// (the clock advances 1 ms per message, as in BM_PositionUpdate/moves_1m).
void BM_ObserveGpsMessage(benchmark::State& state) {
  struct ObservedLayer {
    ObservedLayer() {
      context::ContextSourceSpec gps;
      gps.topic = "gps/+";
      gps.entity_level = 2;
      options.sources.push_back(gps);
      layer = std::make_unique<context::ContextLayer>(
          options, [this](const policy::Event&) { ++raised; }, [this] { return now_ms; });
      policy::HostFunctions functions;
      layer->add_functions(functions);
      testing::add_distance(functions);
      layer->use(compile_or_exit(near_100m_over_entities(), std::move(functions)));
      for (std::size_t i = 0; i < kEntities; ++i) {
        topics.push_back("gps/" + entity_name(i));
        for (double offset : {0.0, 1.0}) {
          const policy::GeoPosition at = testing::north_of(home_of(i), offset);
          payloads[offset == 0 ? 0 : 1].push_back(nlohmann::json{{"lat", at.latitude}, {"lon", at.longitude}}.dump());
        }
      }
    }
    context::ContextOptions options;
    std::int64_t now_ms = kNow;
    std::uint64_t raised = 0;
    std::unique_ptr<context::ContextLayer> layer;
    std::vector<std::string> topics;
    std::vector<std::string> payloads[2];  // [0]: at home, [1]: 1 m north
  };
  static ObservedLayer observed;
  const auto publish = [&](std::uint64_t iteration) {
    const std::size_t entity = (iteration / 2) % kEntities;
    const policy::Payload payload(observed.payloads[iteration % 2 == 0 ? 1 : 0][entity]);
    policy::Event published;
    published.mode = policy::Mode::actual;
    published.activity = policy::Activity::publish;
    published.time_ms = ++observed.now_ms;
    published.client.id = "tracker";
    published.topic = observed.topics[entity];
    published.payload = &payload;
    observed.layer->observe(published);
  };
  // First make every entity known, at home.
  if (observed.layer->store().entities() == 0) {
    for (std::uint64_t iteration = 1; iteration < 2 * kEntities; iteration += 2) publish(iteration);
  }
  const std::uint64_t observations_before = observed.layer->observations();
  std::uint64_t iteration = 0;
  for (auto _ : state) publish(iteration++);
  for (; iteration % 2 != 0; ++iteration) publish(iteration);  // back home
  state.counters["instances"] = static_cast<double>(observed.layer->situations().instances());
  state.counters["observed/msg"] = benchmark::Counter(
      static_cast<double>(observed.layer->observations() - observations_before) / static_cast<double>(iteration));
}
BENCHMARK(BM_ObserveGpsMessage);

}  // namespace
