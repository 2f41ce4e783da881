// Loading valid configuration files: defaults, every key, the example file.
#include "app/config_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "listener_at.hpp"

namespace mqwarden::app {
namespace {

using testing::listener_at;

using namespace std::chrono_literals;

Config parse_ok(std::string_view text) {
  auto config = parse_config(text, "test.toml");
  if (!config) {
    for (const ConfigError& error : config.error()) ADD_FAILURE() << to_string(error);
    return {};
  }
  return *config;
}

TEST(ParseConfig, AnEmptyFileGivesTheDefaults) {
  EXPECT_EQ(parse_ok(""), Config{});
}

TEST(ParseConfig, ACommentOnlyFileGivesTheDefaults) {
  EXPECT_EQ(parse_ok("# nothing\n\n"), Config{});
}

TEST(ParseConfig, AnEmptySectionKeepsItsDefaults) {
  EXPECT_EQ(parse_ok("[limits]\n[log]\n"), Config{});
}

TEST(ParseConfig, ReadsEveryKey) {
  const Config config = parse_ok(R"(
[broker]
threads = 4
sys_interval = "30 s"

[[listeners]]
name = "lan"
address = "0.0.0.0"
port = 1884
protocol = "mqtt"

[[listeners]]
address = "::1"
port = 1885

[[listeners]]
port = 8883
protocol = "wss"
cert_file = "server.pem"
key_file = "server.key"
ca_file = "ca.pem"
ca_dir = "/etc/ssl/clients"
crl_file = "revoked.pem"
ciphers = "ECDHE+AESGCM"
tls13_ciphersuites = "TLS_AES_128_GCM_SHA256"
min_tls_version = "1.3"
require_certificate = true
use_identity_as_username = true
identity_field = "emailAddress"
websocket_path = "/ws"

[limits]
max_packet_size = 65536
max_connections = 500
max_inflight_messages = 50
max_queued_messages = 0
max_queued_bytes = "1 MB"
max_keep_alive = "10 min"
max_topic_alias = 0
max_connections_per_address = 20
connection_rate_per_address = 1
connection_burst_per_address = 7
connect_timeout = "3 s"
max_outgoing_buffer = "1 MiB"

[persistence]
enabled = true
path = "/var/lib/mqwarden/db.sqlite"
sync = "off"
batch_interval = "250 us"

[auth]
allow_anonymous = true
password_file = "/etc/mqwarden/passwd"

[log]
level = "warning"
)");
  EXPECT_EQ(config.broker.threads, 4u);
  EXPECT_EQ(config.broker.sys_interval, std::chrono::seconds(30));
  ASSERT_EQ(config.listeners.size(), 3u);
  EXPECT_EQ(config.listeners[0], listener_at("0.0.0.0", 1884, "lan"));
  EXPECT_EQ(config.listeners[1], listener_at("::1", 1885));
  Listener tls = listener_at("127.0.0.1", 8883);
  tls.protocol = ListenerProtocol::wss;
  tls.cert_file = "server.pem";
  tls.key_file = "server.key";
  tls.ca_file = "ca.pem";
  tls.ca_dir = "/etc/ssl/clients";
  tls.crl_file = "revoked.pem";
  tls.ciphers = "ECDHE+AESGCM";
  tls.tls13_ciphersuites = "TLS_AES_128_GCM_SHA256";
  tls.min_tls_version = TlsVersion::v1_3;
  tls.require_certificate = true;
  tls.use_identity_as_username = true;
  tls.identity_field = CertificateField::email_address;
  tls.websocket_path = "/ws";
  EXPECT_EQ(config.listeners[2], tls);
  EXPECT_EQ(config.limits.max_packet_size, 65536u);
  EXPECT_EQ(config.limits.max_connections, 500u);
  EXPECT_EQ(config.limits.max_inflight_messages, 50);
  EXPECT_EQ(config.limits.max_queued_messages, 0u);
  EXPECT_EQ(config.limits.max_queued_bytes, 1'000'000u);
  EXPECT_EQ(config.limits.max_keep_alive, 600s);
  EXPECT_EQ(config.limits.max_topic_alias, 0);
  EXPECT_EQ(config.limits.max_connections_per_address, 20u);
  EXPECT_EQ(config.limits.connection_rate_per_address, 1u);
  EXPECT_EQ(config.limits.connection_burst_per_address, 7u);
  EXPECT_EQ(config.limits.connect_timeout, 3s);
  EXPECT_EQ(config.limits.max_outgoing_buffer, kMiB);
  EXPECT_TRUE(config.persistence.enabled);
  EXPECT_EQ(config.persistence.path, "/var/lib/mqwarden/db.sqlite");
  EXPECT_EQ(config.persistence.sync, SyncMode::off);
  EXPECT_EQ(config.persistence.batch_interval, 250us);
  EXPECT_TRUE(config.auth.allow_anonymous);
  EXPECT_EQ(config.auth.password_file, "/etc/mqwarden/passwd");
  EXPECT_EQ(config.log.level, LogLevel::warning);
}

TEST(ParseConfig, AListenerWithoutKeysIsTheDefaultListener) {
  EXPECT_EQ(parse_ok("[[listeners]]\n").listeners, std::vector<Listener>{Listener{}});
}

TEST(ParseConfig, AcceptsTheBoundsThemselves) {
  const Config config = parse_ok(R"(
broker.threads = 256
broker.sys_interval = "1 h"
listeners = [{ port = 1 }, { port = 65535 }]
[limits]
max_packet_size = "256 MiB"
max_connections = 1000000
max_inflight_messages = 1
max_queued_messages = 10000000
max_queued_bytes = "1 GiB"
max_keep_alive = "1 s"
max_topic_alias = 65535
[persistence]
batch_interval = "1 s"
)");
  EXPECT_EQ(config.broker.threads, 256u);
  EXPECT_EQ(config.broker.sys_interval, std::chrono::hours(1));
  EXPECT_EQ(config.listeners[0].port, 1);
  EXPECT_EQ(config.listeners[1].port, 65535);
  EXPECT_EQ(config.limits.max_packet_size, 256u * 1024 * 1024);
  EXPECT_EQ(config.limits.max_connections, 1'000'000u);
  EXPECT_EQ(config.limits.max_inflight_messages, 1);
  EXPECT_EQ(config.limits.max_queued_messages, 10'000'000u);
  EXPECT_EQ(config.limits.max_queued_bytes, 1024ULL * 1024 * 1024);
  EXPECT_EQ(config.limits.max_keep_alive, 1s);
  EXPECT_EQ(config.limits.max_topic_alias, 65535);
  EXPECT_EQ(config.persistence.batch_interval, 1s);
}

TEST(ParseConfig, AcceptsLowerBoundsOfSizesAndDurations) {
  const Config config = parse_ok(
      "[limits]\nmax_packet_size = \"128 B\"\nmax_queued_bytes = 0\n"
      "[persistence]\nbatch_interval = \"0 ms\"\n");
  EXPECT_EQ(config.limits.max_packet_size, 128u);
  EXPECT_EQ(config.limits.max_queued_bytes, 0u);
  EXPECT_EQ(config.persistence.batch_interval, 0us);
}

TEST(ParseConfig, KeepAliveMayBeWrittenInAnyUnitOfWholeSeconds) {
  EXPECT_EQ(parse_ok("[limits]\nmax_keep_alive = \"2000 ms\"\n").limits.max_keep_alive, 2s);
}

TEST(ExampleFile, DocumentsEveryDefault) {
  auto config = load_config_file(MQWARDEN_SOURCE_DIR "/examples/mqwarden.toml");
  ASSERT_TRUE(config.ok()) << to_string(config.error().front());
  EXPECT_EQ(*config, Config{});
}

class TemporaryFile : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove(path_); }
  std::string write(std::string_view text) {
    std::ofstream(path_) << text;
    return path_.string();
  }
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() / ("mqwarden-config-test-" + std::to_string(::getpid()) + ".toml");
};

using LoadConfigFile = TemporaryFile;

TEST_F(LoadConfigFile, ReadsTheFile) {
  auto config = load_config_file(write("[limits]\nmax_connections = 42\n"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->limits.max_connections, 42u);
}

TEST_F(LoadConfigFile, ErrorsNameTheFile) {
  const std::string path = write("[limits]\nmax_connections = 0\n");
  auto config = load_config_file(path);
  ASSERT_FALSE(config.ok());
  ASSERT_EQ(config.error().size(), 1u);
  EXPECT_EQ(to_string(config.error()[0]), path + ":2:19: limits.max_connections: 0 is out of range 1..1000000");
}

TEST(LoadConfigFileMissing, SaysWhyWithoutAPosition) {
  auto config = load_config_file("/nonexistent/mqwarden.toml");
  ASSERT_FALSE(config.ok());
  ASSERT_EQ(config.error().size(), 1u);
  EXPECT_EQ(to_string(config.error()[0]),
            "/nonexistent/mqwarden.toml: cannot read the configuration file: No such file or directory");
}

TEST(LoadConfigFileMissing, ADirectoryIsNotAFile) {
  auto config = load_config_file("/");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(to_string(config.error()[0]), "/: cannot read the configuration file: Is a directory");
}

}  // namespace
}  // namespace mqwarden::app
