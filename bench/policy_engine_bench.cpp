// Google Benchmark for the policy engine: decision latency on the allow path
// (no rule applies, and a rule that applies without reading the payload), with
// a JSON payload field read (the payload parsed once per publication), with a
// modify, a temporal operator's read and update, the deliver split for a
// publication with 100 subscribers, and 10 / 1,000 / 10,000 template instances.
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "policy/engine.hpp"

namespace {

using namespace mqwarden::policy;

std::string example(const std::string& name) {
  std::ifstream in(std::filesystem::path(MQWARDEN_EXAMPLE_POLICIES) / name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HostFunctions context_functions() {
  HostFunctions functions;
  functions.add("position", [](std::span<const Value>, ValueArena&) { return Value::position({45.81, 8.63}); });
  functions.add("distance", [](std::span<const Value>, ValueArena&) { return Value::distance(10); });
  functions.add("consent", [](std::span<const Value>, ValueArena&) { return Value::boolean(true); });
  functions.add("reputation", [](std::span<const Value>, ValueArena&) { return Value::number(4); });
  functions.add("context", [](std::span<const Value>, ValueArena&) { return Value(); });
  functions.add("in_network", [](std::span<const Value>, ValueArena&) { return Value::boolean(false); });
  return functions;
}

std::unique_ptr<Engine> engine_with(const std::string& text) {
  auto engine = std::make_unique<Engine>(Registry::defaults(), context_functions());
  SourceSet sources;
  sources.add("bench.policy", text);
  if (!engine->load(sources)) std::abort();
  return engine;
}

// The deliver-time examples together.
std::string deliver_examples() {
  return example("anonymise_identity.policy") + example("consent_per_purpose.policy") + example("delay_gps.policy") +
         example("gps_visible_when_near.policy");
}

Event deliver(std::string_view topic) {
  Event event;
  event.mode = Mode::tentative;
  event.activity = Activity::deliver;
  event.time_ms = 1'700'000'000'000;
  event.topic = topic;
  event.client.id = "board1";
  event.subscriber.id = "board2";
  return event;
}

void BM_DeliverNoRuleApplies(benchmark::State& state) {
  auto engine = engine_with(deliver_examples());
  const Event event = deliver("news/today");
  for (auto _ : state) benchmark::DoNotOptimize(engine->decide(event));
}
BENCHMARK(BM_DeliverNoRuleApplies);

void BM_DeliverTemplateAllows(benchmark::State& state) {
  auto engine = engine_with(deliver_examples());
  const Event event = deliver("gps/board1");  // gps_visible_when_near: board1 -> board2, near
  for (auto _ : state) benchmark::DoNotOptimize(engine->decide(event));
}
BENCHMARK(BM_DeliverTemplateAllows);

void BM_DeliverJsonField(benchmark::State& state) {
  auto engine = engine_with(deliver_examples() +
                            "rule hot { on tentative deliver where topic matches \"sensors/+\" and payload.temp > 30 "
                            "then deny reason \"too hot\" }\n");
  Event event = deliver("sensors/t1");
  constexpr std::string_view kText = R"({"id": "t1", "temp": 31.5, "unit": "C"})";
  for (auto _ : state) {
    const Payload payload(kText);  // a new publication each time: the parse is included
    event.payload = &payload;
    benchmark::DoNotOptimize(engine->decide(event));
  }
}
BENCHMARK(BM_DeliverJsonField);

void BM_DeliverModify(benchmark::State& state) {
  auto engine = engine_with(deliver_examples());
  const Event event = deliver("identity/ann");  // anonymise_identity: 4 edits
  for (auto _ : state) benchmark::DoNotOptimize(engine->decide(event));
}
BENCHMARK(BM_DeliverModify);

void BM_FanOut100Subscribers(benchmark::State& state) {
  auto engine = engine_with(deliver_examples() +
                            "rule hot { on tentative deliver where topic matches \"sensors/+\" and payload.temp > 30 "
                            "and not subscriber.roles contains \"ops\" then deny }\n");
  const Event event = deliver("sensors/t1");
  constexpr std::string_view kText = R"({"id": "t1", "temp": 31.5, "unit": "C"})";
  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i) names.push_back("sub" + std::to_string(i));
  for (auto _ : state) {
    const Payload payload(kText);
    Event publication = event;
    publication.payload = &payload;
    const PublicationContext context = engine->prepare_delivery(publication);
    Identity subscriber;
    for (const std::string& name : names) {
      subscriber.id = name;
      benchmark::DoNotOptimize(engine->decide_delivery(context, subscriber));
    }
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_FanOut100Subscribers);

// connect_flood: a count() read, and the update of its per-address slice.
void BM_TemporalConnectFlood(benchmark::State& state) {
  auto engine = engine_with(example("connect_flood.policy"));
  Event event;
  event.mode = Mode::tentative;
  event.activity = Activity::connect;
  event.client.ip = "10.1.2.3";
  std::int64_t time = 1'700'000'000'000;
  for (auto _ : state) {
    event.time_ms = (time += 700);  // about one attempt per step: under the limit
    benchmark::DoNotOptimize(engine->decide(event));
  }
}
BENCHMARK(BM_TemporalConnectFlood);

void BM_TemplateInstances(benchmark::State& state) {
  std::string text = example("gps_visible_when_near.policy");
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    text += "configure gps_visible_when_near(target = \"dev" + std::to_string(i) + "\", viewer = \"board2\")\n";
  }
  auto engine = engine_with(text);
  const Event event = deliver("gps/board1");
  for (auto _ : state) benchmark::DoNotOptimize(engine->decide(event));
}
BENCHMARK(BM_TemplateInstances)->Arg(10)->Arg(1000)->Arg(10000);

}  // namespace
