// The options of mqwarden's main command (run the broker) and how they change
// the configuration: Mosquitto-style overrides applied on top of the TOML file
// (or of the built-in defaults when no file is given).
//
// add_broker_options registers the options on the CLI11 application;
// resolve_config loads the file and applies what the command line set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/config_file.hpp"
#include "common/result.hpp"

namespace CLI {
class App;
}

namespace mqwarden::app {

struct CommandLine {
  std::optional<std::string> config_file;      // -c/--config FILE
  std::optional<std::uint16_t> port;           // -p/--port N: the first listener's port
  std::optional<std::string> bind;             // --bind ADDRESS: the first listener's address
  bool verbose = false;                        // -v/--verbose: log.level = debug
  bool allow_anonymous = false;                // --allow-anonymous
  std::optional<std::string> persistence_dir;  // --persistence DIR: enabled, DIR/mqwarden.db
  std::vector<std::string> policy_files;       // --policy FILE, repeatable: replaces policy.files
  std::optional<std::uint32_t> threads;        // --threads N
  bool check_config = false;                   // --check-config: validate and exit
};

// Registers the options above on app, writing into options when parsed.
void add_broker_options(CLI::App& app, CommandLine& options);

// Applies what the command line set to config, leaving the rest as it is.
void apply_overrides(const CommandLine& options, Config& config);

// The configuration the broker runs with: the file (or the defaults) and the overrides.
Result<Config, ConfigErrors> resolve_config(const CommandLine& options);

}  // namespace mqwarden::app
