// mqwarden's command line: the broker (no subcommand) and its tools.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/command_line.hpp"
#include "app/passwd_command.hpp"
#include "app/policy_command.hpp"
#include "app/run_broker.hpp"
#include "app/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mqwarden: an MQTT broker that enforces privacy and security policies on every message"};
  app.set_version_flag("-V,--version", std::string("mqwarden ") + mqwarden::kVersion);
  mqwarden::app::add_passwd_command(app);
  mqwarden::app::add_policy_command(app);
  mqwarden::app::CommandLine options;
  mqwarden::app::add_broker_options(app, options);
  CLI11_PARSE(app, argc, argv);

  const auto config = mqwarden::app::resolve_config(options);
  if (!config) {
    for (const auto& error : config.error()) {
      std::fprintf(stderr, "mqwarden: config error: %s\n", mqwarden::app::to_string(error).c_str());
    }
    return 2;
  }
  if (options.check_config) {
    std::puts("configuration OK");
    return 0;
  }

  return mqwarden::app::run_broker(*config);
}
