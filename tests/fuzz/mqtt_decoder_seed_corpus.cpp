// Writes the seed corpus of the MQTT decoder fuzz target: every sample packet,
// whole and in small pieces, one file each, into the directory given.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "mqtt/encoder.hpp"
#include "mqtt_decoder_fuzz_input.hpp"
#include "support/sample_packets.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
    return 2;
  }
  const std::filesystem::path directory(argv[1]);
  std::filesystem::create_directories(directory);
  int written = 0;
  for (const auto& sample : mqwarden::testing::sample_packets()) {
    std::vector<std::uint8_t> bytes;
    if (!mqwarden::mqtt::encode(sample.packet, sample.version, bytes).ok()) {
      std::fprintf(stderr, "cannot encode sample %s\n", sample.name.c_str());
      return 1;
    }
    for (std::size_t piece_size : {std::size_t{128}, std::size_t{3}}) {
      const std::uint8_t control = mqwarden::fuzz::control_byte(sample.version, piece_size);
      std::ofstream file(directory / (sample.name + "_" + std::to_string(piece_size)), std::ios::binary);
      file.put(static_cast<char>(control));
      file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      ++written;
    }
  }
  std::printf("%d seed files in %s\n", written, directory.c_str());
  return 0;
}
