#include "app/command_line.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>

namespace mqwarden::app {
namespace {

template <class T>
CLI::Range range(Bounds<T> bounds) {
  return CLI::Range(static_cast<std::int64_t>(bounds.min), static_cast<std::int64_t>(bounds.max));
}

CLI::Validator ip_address() {
  return CLI::Validator(
      [](const std::string& text) {
        return is_ip_address(text) ? std::string() : "\"" + text + "\" is not an IPv4 or IPv6 address";
      },
      "", "IP address");
}

}  // namespace

void add_broker_options(CLI::App& app, CommandLine& options) {
  app.add_option("-c,--config", options.config_file,
                 "Read the configuration from this TOML file (without it: built-in defaults)")
      ->type_name("FILE");
  app.add_option("-p,--port", options.port, "Port of the first listener (default 1883)")
      ->type_name("PORT")
      ->check(range(Listener::kPortBounds));
  app.add_option("--bind", options.bind, "Address of the first listener, e.g. 0.0.0.0 (default 127.0.0.1)")
      ->type_name("ADDRESS")
      ->check(ip_address());
  app.add_flag("-v,--verbose", options.verbose, "Log at debug level");
  app.add_flag("--allow-anonymous", options.allow_anonymous, "Accept clients that give no username");
  app.add_option("--persistence", options.persistence_dir, "Enable persistence, with the database in DIR/mqwarden.db")
      ->type_name("DIR");
  app.add_option("--policy", options.policy_files,
                 "Enforce the policy in FILE (repeat for a policy in several files; replaces policy.files)")
      ->type_name("FILE");
  app.add_option("--threads", options.threads, "Event-loop threads; 0 = one per CPU (default 0)")
      ->type_name("N")
      ->check(range(BrokerSection::kThreadsBounds));
  app.add_flag("--check-config", options.check_config,
               "Check the configuration, print \"configuration OK\" or the errors, and exit");
  app.footer(
      "Command-line options override the configuration file. Every key, its default and its bound:\n"
      "docs/configuration.md.");
}

void apply_overrides(const CommandLine& options, Config& config) {
  if (options.port) config.listeners.front().port = *options.port;
  if (options.bind) config.listeners.front().address = *options.bind;
  if (options.verbose) config.log.level = LogLevel::debug;
  if (options.allow_anonymous) config.auth.allow_anonymous = true;
  if (options.persistence_dir) {
    config.persistence.enabled = true;
    config.persistence.path = (std::filesystem::path(*options.persistence_dir) / kDatabaseFileName).string();
  }
  if (options.threads) config.broker.threads = *options.threads;
  if (!options.policy_files.empty()) config.policy.files = options.policy_files;
}

Result<Config, ConfigErrors> resolve_config(const CommandLine& options) {
  Config config;
  if (options.config_file) {
    auto loaded = load_config_file(*options.config_file);
    if (!loaded) return fail(loaded.error());
    config = std::move(loaded).value();
  }
  apply_overrides(options, config);
  return config;
}

}  // namespace mqwarden::app
