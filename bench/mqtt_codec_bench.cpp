// Google Benchmark for the MQTT codec: decoding and encoding PUBLISH packets
// of 16 B, 1 KiB and 64 KiB payload, in MQTT 3.1.1 and 5.0 (with the
// properties a typical v5 publisher sends). Reports bytes/s and packets/s.
#include <benchmark/benchmark.h>

#include <span>
#include <vector>

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"

namespace {

using namespace mqwarden::mqtt;

Publish sample_publish(std::size_t payload_size, ProtocolVersion version) {
  Publish publish{"building/3/floor/2/room/17/temperature", 42, QoS::at_least_once, false, false, {},
                  std::string(payload_size, 'x')};
  if (version == ProtocolVersion::v5) {
    publish.properties.add_number(PropertyId::payload_format_indicator, 1)
        .add_number(PropertyId::message_expiry_interval, 3600)
        .add_text(PropertyId::content_type, "application/json")
        .add_user_property("site", "north");
  }
  return publish;
}

void decode_publish(benchmark::State& state, ProtocolVersion version) {
  std::vector<std::uint8_t> bytes;
  if (!encode(sample_publish(static_cast<std::size_t>(state.range(0)), version), version, bytes).ok()) {
    state.SkipWithError("encode failed");
    return;
  }
  Decoder decoder({.max_packet_size = 1 << 20, .version = version});
  for (auto _ : state) {
    std::span<const std::uint8_t> input(bytes);
    DecodeResult result = decoder.decode(input);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

void encode_publish(benchmark::State& state, ProtocolVersion version) {
  const Packet packet = sample_publish(static_cast<std::size_t>(state.range(0)), version);
  std::vector<std::uint8_t> out;
  std::size_t size = 0;
  for (auto _ : state) {
    out.clear();  // keeps its capacity, as a connection's write buffer does
    if (!encode(packet, version, out).ok()) state.SkipWithError("encode failed");
    size = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

void BM_DecodePublish_v311(benchmark::State& state) { decode_publish(state, ProtocolVersion::v311); }
void BM_DecodePublish_v5(benchmark::State& state) { decode_publish(state, ProtocolVersion::v5); }
void BM_EncodePublish_v311(benchmark::State& state) { encode_publish(state, ProtocolVersion::v311); }
void BM_EncodePublish_v5(benchmark::State& state) { encode_publish(state, ProtocolVersion::v5); }

}  // namespace

BENCHMARK(BM_DecodePublish_v311)->Arg(16)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_DecodePublish_v5)->Arg(16)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_EncodePublish_v311)->Arg(16)->Arg(1024)->Arg(64 * 1024);
BENCHMARK(BM_EncodePublish_v5)->Arg(16)->Arg(1024)->Arg(64 * 1024);
