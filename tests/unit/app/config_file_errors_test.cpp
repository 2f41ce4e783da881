// Every kind of configuration error, with the exact text an operator reads.
#include <gtest/gtest.h>

#include "app/config_file.hpp"

namespace mqwarden::app {
namespace {

// The errors of text as "file:line:column: message" lines.
std::vector<std::string> errors_of(std::string_view text) {
  auto config = parse_config(text, "bad.toml");
  if (config.ok()) return {};
  std::vector<std::string> lines;
  for (const ConfigError& error : config.error()) lines.push_back(to_string(error));
  return lines;
}

using Lines = std::vector<std::string>;

// The texts after the position are toml++'s (Debian's 3.3).
TEST(ConfigSyntaxErrors, GiveTheParserPosition) {
  EXPECT_EQ(errors_of("[limits]\nmax_connections = = 3\n"),
            Lines{"bad.toml:2:19: Error while parsing value: could not determine value type"});
}

TEST(ConfigSyntaxErrors, DuplicateKeys) {
  EXPECT_EQ(errors_of("[log]\nlevel = \"info\"\nlevel = \"debug\"\n"),
            Lines{"bad.toml:3:9: Error while parsing key-value pair: cannot redefine existing string 'level'"});
}

TEST(ConfigSyntaxErrors, StopTheCheckSoTheyComeAlone) {
  EXPECT_EQ(errors_of("[limit]\nmax_connections = 0\n[log\n").size(), 1u);
}

TEST(ConfigUnknownNames, SectionWithSuggestion) {
  EXPECT_EQ(errors_of("[limit]\nmax_connections = 3\n"),
            Lines{"bad.toml:1:2: unknown section \"limit\"; did you mean \"limits\"?"});
}

TEST(ConfigUnknownNames, SectionWithoutSuggestion) {
  EXPECT_EQ(errors_of("[tls]\n"), Lines{"bad.toml:1:2: unknown section \"tls\""});
}

TEST(ConfigUnknownNames, KeyOutsideItsSection) {
  EXPECT_EQ(errors_of("max_packet_size = 1024\n"),
            Lines{"bad.toml:1:1: key \"max_packet_size\" outside its section; it belongs in [limits]"});
}

TEST(ConfigUnknownNames, KeyWithSuggestion) {
  EXPECT_EQ(errors_of("[limits]\nmax_packet_sise = 1024\n"),
            Lines{"bad.toml:2:1: unknown key \"max_packet_sise\" in [limits]; did you mean \"max_packet_size\"?"});
}

TEST(ConfigUnknownNames, KeyOfAnotherSection) {
  EXPECT_EQ(errors_of("[broker]\nallow_anonymous = true\n"),
            Lines{"bad.toml:2:1: unknown key \"allow_anonymous\" in [broker]; it belongs in [auth]"});
  EXPECT_EQ(errors_of("[limits]\nport = 1884\n"),
            Lines{"bad.toml:2:1: unknown key \"port\" in [limits]; it belongs in [[listeners]]"});
}

TEST(ConfigUnknownNames, KeyInAListener) {
  EXPECT_EQ(errors_of("[[listeners]]\nbind_address = \"0.0.0.0\"\n"),
            Lines{"bad.toml:2:1: unknown key \"bind_address\" in [listeners]"});
}

TEST(ConfigWrongTypes, Integer) {
  EXPECT_EQ(errors_of("[broker]\nthreads = \"4\"\n"),
            Lines{"bad.toml:2:11: broker.threads: expected an integer, got a string"});
  EXPECT_EQ(errors_of("[limits]\nmax_connections = 1.5\n"),
            Lines{"bad.toml:2:19: limits.max_connections: expected an integer, got a floating-point number"});
}

TEST(ConfigWrongTypes, Size) {
  EXPECT_EQ(errors_of("[limits]\nmax_packet_size = true\n"),
            Lines{"bad.toml:2:19: limits.max_packet_size: expected a size (an integer number of bytes or a string "
                  "like \"4 MiB\"), got a boolean"});
}

TEST(ConfigWrongTypes, DurationNeedsAString) {
  EXPECT_EQ(errors_of("[persistence]\nbatch_interval = 5\n"),
            Lines{"bad.toml:2:18: persistence.batch_interval: expected a duration string like \"5 ms\" or \"10 s\", "
                  "got an integer"});
}

TEST(ConfigWrongTypes, BooleanAndString) {
  EXPECT_EQ(errors_of("[auth]\nallow_anonymous = \"yes\"\npassword_file = 3\n"),
            (Lines{"bad.toml:2:19: auth.allow_anonymous: expected true or false, got a string",
                   "bad.toml:3:17: auth.password_file: expected a string, got an integer"}));
}

TEST(ConfigWrongTypes, SectionThatIsNotATable) {
  EXPECT_EQ(errors_of("limits = 5\n"), Lines{"bad.toml:1:10: limits: expected a table, got an integer"});
}

TEST(ConfigWrongTypes, ListenersAsASingleTable) {
  EXPECT_EQ(errors_of("[listeners]\nport = 1884\n"),
            Lines{"bad.toml:1:1: listeners: expected an array of tables, got a table; write each listener as "
                  "[[listeners]]"});
}

TEST(ConfigBadValues, IntegerOutOfRange) {
  EXPECT_EQ(errors_of("[[listeners]]\nport = 70000\n"),
            Lines{"bad.toml:2:8: listeners[0].port: 70000 is out of range 1..65535"});
  EXPECT_EQ(errors_of("[broker]\nthreads = -1\n"), Lines{"bad.toml:2:11: broker.threads: -1 is out of range 0..256"});
  EXPECT_EQ(errors_of("[limits]\nmax_inflight_messages = 0\n"),
            Lines{"bad.toml:2:25: limits.max_inflight_messages: 0 is out of range 1..65535"});
}

TEST(ConfigBadValues, SizeOutOfRange) {
  EXPECT_EQ(errors_of("[limits]\nmax_packet_size = \"512 MiB\"\n"),
            Lines{"bad.toml:2:19: limits.max_packet_size: \"512 MiB\" is out of range 128 B..256 MiB"});
  EXPECT_EQ(errors_of("[limits]\nmax_packet_size = 100\n"),
            Lines{"bad.toml:2:19: limits.max_packet_size: 100 is out of range 128 B..256 MiB"});
  EXPECT_EQ(errors_of("[limits]\nmax_queued_bytes = -5\n"),
            Lines{"bad.toml:2:20: limits.max_queued_bytes: -5 is out of range 0 B..1 GiB"});
}

TEST(ConfigBadValues, SizeWithAnUnknownUnit) {
  EXPECT_EQ(errors_of("[limits]\nmax_packet_size = \"4 KB\"\n"),
            Lines{"bad.toml:2:19: limits.max_packet_size: unknown unit \"KB\"; use B, KiB, MiB, GiB (powers of "
                  "1024) or kB, MB, GB (powers of 1000)"});
}

TEST(ConfigBadValues, DurationOutOfRange) {
  EXPECT_EQ(errors_of("[persistence]\nbatch_interval = \"2 s\"\n"),
            Lines{"bad.toml:2:18: persistence.batch_interval: \"2 s\" is out of range 0 s..1 s"});
  EXPECT_EQ(errors_of("[limits]\nmax_keep_alive = \"19 h\"\n"),
            Lines{"bad.toml:2:18: limits.max_keep_alive: \"19 h\" is out of range 1 s..65535 s"});
}

TEST(ConfigBadValues, DurationWithoutUnit) {
  EXPECT_EQ(errors_of("[persistence]\nbatch_interval = \"5\"\n"),
            Lines{"bad.toml:2:18: persistence.batch_interval: a duration needs a unit (us, ms, s, min, h), e.g. "
                  "\"5 ms\""});
}

TEST(ConfigBadValues, KeepAliveInFractionsOfASecond) {
  EXPECT_EQ(errors_of("[limits]\nmax_keep_alive = \"1500 ms\"\n"),
            Lines{"bad.toml:2:18: limits.max_keep_alive: \"1500 ms\" is not a whole multiple of 1 s"});
}

TEST(ConfigBadValues, ChoiceWithSuggestion) {
  EXPECT_EQ(errors_of("[log]\nlevel = \"warn\"\n"),
            Lines{"bad.toml:2:9: log.level: \"warn\" is not one of \"error\", \"warning\", \"info\", \"debug\"; did "
                  "you mean \"warning\"?"});
  EXPECT_EQ(errors_of("[persistence]\nsync = \"normal\"\n"),
            Lines{"bad.toml:2:8: persistence.sync: \"normal\" is not one of \"full\", \"off\""});
  EXPECT_EQ(errors_of("[log]\nlevel = 3\n"),
            Lines{"bad.toml:2:9: log.level: expected one of \"error\", \"warning\", \"info\", \"debug\", got an "
                  "integer"});
}

TEST(ConfigBadValues, UnknownProtocol) {
  EXPECT_EQ(errors_of("[[listeners]]\nprotocol = \"mqtt5\"\n"),
            Lines{"bad.toml:2:12: listeners[0].protocol: \"mqtt5\" is not one of \"mqtt\", \"mqtts\", \"ws\", \"wss\"; "
                  "did you mean \"mqtt\"?"});
}

TEST(ConfigBadListeners, TlsNeedsACertificateAndAKey) {
  EXPECT_EQ(errors_of("[[listeners]]\nprotocol = \"wss\"\nkey_file = \"k.pem\"\n"),
            Lines{"bad.toml:2:12: listeners[0].protocol: a \"wss\" listener needs cert_file (a PEM file)"});
}

TEST(ConfigBadListeners, TlsKeysOnAPlainListener) {
  EXPECT_EQ(errors_of("[[listeners]]\nprotocol = \"ws\"\ncert_file = \"c.pem\"\n[[listeners]]\nport = 2000\n"
                      "websocket_path = \"/\"\n"),
            (Lines{"bad.toml:3:13: listeners[0].cert_file: applies only to \"mqtts\" and \"wss\" listeners, not to "
                   "\"ws\"",
                   "bad.toml:6:18: listeners[1].websocket_path: applies only to \"ws\" and \"wss\" listeners, not to "
                   "\"mqtt\""}));
}

TEST(ConfigBadListeners, MutualTlsKeysThatNeedEachOther) {
  EXPECT_EQ(errors_of("[[listeners]]\nprotocol = \"mqtts\"\ncert_file = \"c\"\nkey_file = \"k\"\n"
                      "require_certificate = true\n"),
            Lines{"bad.toml:5:23: listeners[0].require_certificate: needs ca_file or ca_dir, the CAs that sign client "
                  "certificates"});
  EXPECT_EQ(errors_of("[[listeners]]\nprotocol = \"mqtts\"\ncert_file = \"c\"\nkey_file = \"k\"\n"
                      "use_identity_as_username = true\ncrl_file = \"r.pem\"\n"),
            (Lines{"bad.toml:5:28: listeners[0].use_identity_as_username: needs require_certificate = true",
                   "bad.toml:6:12: listeners[0].crl_file: needs require_certificate = true"}));
}

TEST(ConfigBadListeners, TlsChoicesAndPaths) {
  EXPECT_EQ(errors_of("[[listeners]]\nprotocol = \"wss\"\ncert_file = \"c\"\nkey_file = \"k\"\n"
                      "min_tls_version = \"1.1\"\nidentity_field = \"cn\"\nwebsocket_path = \"mqtt\"\n"),
            (Lines{"bad.toml:5:19: listeners[0].min_tls_version: \"1.1\" is not one of \"1.2\", \"1.3\"; did you mean "
                   "\"1.2\"?",
                   "bad.toml:6:18: listeners[0].identity_field: \"cn\" is not one of \"CN\", \"O\", \"OU\", "
                   "\"emailAddress\", \"serialNumber\", \"UID\"; did you mean \"CN\"?",
                   "bad.toml:7:18: listeners[0].websocket_path: \"mqtt\" is not an HTTP path (it starts with \"/\", "
                   "without spaces, ? or #)"}));
}

TEST(ConfigBadValues, TransportLimitsOutOfRange) {
  EXPECT_EQ(errors_of("[limits]\nmax_connections_per_address = 0\nconnection_burst_per_address = 0\n"
                      "connect_timeout = \"500 ms\"\nmax_outgoing_buffer = \"1 KiB\"\n"),
            (Lines{"bad.toml:2:31: limits.max_connections_per_address: 0 is out of range 1..1000000",
                   "bad.toml:3:32: limits.connection_burst_per_address: 0 is out of range 1..1000000",
                   "bad.toml:4:19: limits.connect_timeout: \"500 ms\" is out of range 1 s..1 h",
                   "bad.toml:5:23: limits.max_outgoing_buffer: \"1 KiB\" is out of range 64 KiB..1 GiB"}));
}

TEST(ConfigBadValues, AddressMustBeAnIpLiteral) {
  EXPECT_EQ(errors_of("[[listeners]]\naddress = \"localhost\"\n"),
            Lines{"bad.toml:2:11: listeners[0].address: \"localhost\" is not an IPv4 or IPv6 address (e.g. "
                  "\"0.0.0.0\", \"::1\")"});
}

TEST(ConfigBadValues, EmptyStrings) {
  EXPECT_EQ(errors_of("[persistence]\npath = \"\"\n[auth]\npassword_file = \"\"\n"),
            (Lines{"bad.toml:2:8: persistence.path: must not be empty",
                   "bad.toml:4:17: auth.password_file: must not be empty"}));
}

TEST(ConfigBadListeners, NoListenerAtAll) {
  EXPECT_EQ(errors_of("listeners = []\n"), Lines{"bad.toml:1:13: listeners: at least one listener is needed"});
}

TEST(ConfigBadListeners, TheSameAddressAndPortTwice) {
  EXPECT_EQ(errors_of("[[listeners]]\nport = 1884\n[[listeners]]\nname = \"again\"\nport = 1884\n"),
            Lines{"bad.toml:3:1: listeners[1]: 127.0.0.1 port 1884 is already used by listeners[0]"});
}

TEST(ConfigManyErrors, AreAllReportedInFileOrder) {
  const Lines errors = errors_of(R"([log]
level = "loud"
[limits]
max_topic_alias = 70000
max_connections = 0
[broker]
thread = 2
)");
  EXPECT_EQ(errors,
            (Lines{"bad.toml:2:9: log.level: \"loud\" is not one of \"error\", \"warning\", \"info\", \"debug\"",
                   "bad.toml:4:19: limits.max_topic_alias: 70000 is out of range 0..65535",
                   "bad.toml:5:19: limits.max_connections: 0 is out of range 1..1000000",
                   "bad.toml:7:1: unknown key \"thread\" in [broker]; did you mean \"threads\"?"}));
}

}  // namespace
}  // namespace mqwarden::app
