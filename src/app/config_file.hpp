// Loading the TOML configuration file into a Config.
//
// Keys left out keep their defaults (config.hpp). Every problem becomes a
// ConfigError with its position — syntax errors, unknown sections and keys
// (with a "did you mean"), wrong types, values out of bounds — and all of a
// file's errors are reported at once, in file order (a syntax error stops the
// parse, so it comes alone). Nothing throws. Safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "common/result.hpp"

namespace mqwarden::app {

struct ConfigError {
  std::string file;
  std::uint32_t line = 0;  // 1-based; 0 when the error concerns the whole file
  std::uint32_t column = 0;
  std::string message;

  bool operator==(const ConfigError&) const = default;
};

using ConfigErrors = std::vector<ConfigError>;

// "file:line:column: message", or "file: message" without a position.
std::string to_string(const ConfigError& error);

// Reads and checks the file at path.
Result<Config, ConfigErrors> load_config_file(const std::string& path);

// Checks TOML text; source_name is the file name that errors carry.
Result<Config, ConfigErrors> parse_config(std::string_view text, std::string_view source_name);

}  // namespace mqwarden::app
