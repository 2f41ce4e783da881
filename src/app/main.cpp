// mqwarden's command line.
//
// This build contains the MQTT 3.1.1 / 5.0 codec (src/mqtt) and its tests;
// the broker core that listens on a port is not part of it yet, and the
// command says so instead of pretending to serve clients.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mqwarden: an MQTT broker that enforces privacy and security policies on every message"};
  app.set_version_flag("-V,--version", std::string("mqwarden ") + mqwarden::kVersion);
  CLI11_PARSE(app, argc, argv);

  std::fprintf(stderr,
               "mqwarden %s: the broker core (listening on 127.0.0.1:1883) is not part of this build yet.\n"
               "This build provides the MQTT 3.1.1 / 5.0 codec and its test suite: run scripts/test.sh.\n",
               mqwarden::kVersion);
  return 1;
}
