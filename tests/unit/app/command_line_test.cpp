// The main command's options and how they override the configuration file.
#include "app/command_line.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>

#include "listener_at.hpp"

namespace mqwarden::app {
namespace {

using testing::listener_at;

// Parses args (without the program name) as mqwarden's main command does.
CommandLine parse(std::initializer_list<const char*> args) {
  CLI::App app;
  CommandLine options;
  add_broker_options(app, options);
  std::vector<std::string> reversed(args.begin(), args.end());
  std::reverse(reversed.begin(), reversed.end());
  app.parse(reversed);
  return options;
}

Config resolved(std::initializer_list<const char*> args) {
  auto config = resolve_config(parse(args));
  if (!config) {
    ADD_FAILURE() << to_string(config.error().front());
    return {};
  }
  return *config;
}

TEST(CommandLine, NothingGivenMeansTheDefaults) {
  const CommandLine options = parse({});
  EXPECT_EQ(options.config_file, std::nullopt);
  EXPECT_FALSE(options.check_config);
  EXPECT_EQ(resolved({}), Config{});
}

TEST(CommandLine, ReadsEveryOption) {
  const CommandLine options =
      parse({"-c", "/etc/mqwarden.toml", "-p", "1884", "--bind", "::", "-v", "--allow-anonymous", "--persistence",
             "/var/lib/mqwarden", "--threads", "3", "--check-config"});
  EXPECT_EQ(options.config_file, "/etc/mqwarden.toml");
  EXPECT_EQ(options.port, 1884);
  EXPECT_EQ(options.bind, "::");
  EXPECT_TRUE(options.verbose);
  EXPECT_TRUE(options.allow_anonymous);
  EXPECT_EQ(options.persistence_dir, "/var/lib/mqwarden");
  EXPECT_EQ(options.threads, 3u);
  EXPECT_TRUE(options.check_config);
}

TEST(CommandLine, LongNames) {
  const CommandLine options = parse({"--config", "a.toml", "--port", "8000", "--verbose"});
  EXPECT_EQ(options.config_file, "a.toml");
  EXPECT_EQ(options.port, 8000);
  EXPECT_TRUE(options.verbose);
}

TEST(CommandLine, RejectsAPortOutOfRange) {
  EXPECT_THROW(parse({"-p", "0"}), CLI::ValidationError);
  EXPECT_THROW(parse({"-p", "65536"}), CLI::ValidationError);
  EXPECT_THROW(parse({"-p", "http"}), CLI::ValidationError);
}

TEST(CommandLine, RejectsABindAddressThatIsNotAnIpLiteral) {
  EXPECT_THROW(parse({"--bind", "localhost"}), CLI::ValidationError);
}

TEST(CommandLine, RejectsTooManyThreads) {
  EXPECT_THROW(parse({"--threads", "257"}), CLI::ValidationError);
}

TEST(Overrides, PortAndBindSetTheFirstListener) {
  Config config;
  config.listeners.push_back(listener_at("127.0.0.1", 1885, "second"));
  CommandLine options;
  options.port = 1884;
  options.bind = "0.0.0.0";
  apply_overrides(options, config);
  ASSERT_EQ(config.listeners.size(), 2u);
  EXPECT_EQ(config.listeners[0], listener_at("0.0.0.0", 1884));
  EXPECT_EQ(config.listeners[1], (listener_at("127.0.0.1", 1885, "second")));
}

TEST(Overrides, VerboseMeansDebug) {
  EXPECT_EQ(resolved({"-v"}).log.level, LogLevel::debug);
}

TEST(Overrides, AllowAnonymous) {
  EXPECT_TRUE(resolved({"--allow-anonymous"}).auth.allow_anonymous);
}

TEST(Overrides, PersistenceDirectoryEnablesPersistence) {
  const Config config = resolved({"--persistence", "/var/lib/mqwarden"});
  EXPECT_TRUE(config.persistence.enabled);
  EXPECT_EQ(config.persistence.path, "/var/lib/mqwarden/mqwarden.db");
  EXPECT_EQ(resolved({"--persistence", "data/"}).persistence.path, "data/mqwarden.db");
}

TEST(Overrides, Threads) {
  EXPECT_EQ(resolved({"--threads", "0"}).broker.threads, 0u);
}

class ResolveConfigWithFile : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() / ("mqwarden-cli-test-" + std::to_string(::getpid()) + ".toml");
};

TEST_F(ResolveConfigWithFile, TheCommandLineWinsOverTheFile) {
  std::ofstream(path_) << "[[listeners]]\naddress = \"::1\"\nport = 2000\n"
                          "[log]\nlevel = \"error\"\n[auth]\nallow_anonymous = false\n"
                          "[persistence]\npath = \"from-file.db\"\nsync = \"off\"\n[limits]\nmax_connections = 7\n";
  const Config config = resolved({"-c", path_.c_str(), "-p", "3000", "-v", "--allow-anonymous", "--persistence", "d"});
  EXPECT_EQ(config.listeners[0].address, "::1");  // not overridden
  EXPECT_EQ(config.listeners[0].port, 3000);
  EXPECT_EQ(config.log.level, LogLevel::debug);
  EXPECT_TRUE(config.auth.allow_anonymous);
  EXPECT_EQ(config.persistence.path, "d/mqwarden.db");
  EXPECT_EQ(config.persistence.sync, SyncMode::off);  // from the file
  EXPECT_EQ(config.limits.max_connections, 7u);       // from the file
}

TEST_F(ResolveConfigWithFile, FileErrorsComeBack) {
  std::ofstream(path_) << "[limits]\nmax_connections = 0\nmax_inflight_messages = 0\n";
  auto config = resolve_config(parse({"-c", path_.c_str(), "-p", "3000"}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().size(), 2u);
}

TEST(ResolveConfigMissingFile, IsAnError) {
  auto config = resolve_config(parse({"-c", "/nonexistent.toml"}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error()[0].file, "/nonexistent.toml");
}

}  // namespace
}  // namespace mqwarden::app
