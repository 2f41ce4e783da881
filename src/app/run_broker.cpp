#include "app/run_broker.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "app/version.hpp"
#include "auth/password_file.hpp"
#include "broker/authenticator.hpp"
#include "net/server.hpp"
#include "store/store.hpp"

namespace mqwarden::app {
namespace {

// The broker's authenticator backed by a password file in mosquitto_passwd's format.
class PasswordFileAuthenticator final : public broker::Authenticator {
 public:
  explicit PasswordFileAuthenticator(auth::PasswordFile file) : file_(std::move(file)) {}
  bool authenticate(std::string_view username, std::string_view password) const override {
    return file_.verify(username, password);
  }

 private:
  const auth::PasswordFile file_;
};

spdlog::level::level_enum spdlog_level(LogLevel level) {
  switch (level) {
    case LogLevel::error: return spdlog::level::err;
    case LogLevel::warning: return spdlog::level::warn;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::debug: return spdlog::level::debug;
  }
  return spdlog::level::info;
}

net::ServerOptions server_options(const Config& config) {
  net::ServerOptions options;
  options.listeners.clear();
  for (const Listener& listener : config.listeners) options.listeners.push_back({listener.address, listener.port});
  options.threads = worker_threads(config.broker);
  options.max_connections = config.limits.max_connections;
  options.version = std::string("mqwarden ") + kVersion;
  options.sys_interval = config.broker.sys_interval;
  broker::BrokerOptions& broker = options.broker;
  broker.session_limits.max_queued_messages = config.limits.max_queued_messages;
  broker.session_limits.max_queued_bytes = config.limits.max_queued_bytes;
  broker.receive_maximum = config.limits.max_inflight_messages;
  broker.max_packet_size = config.limits.max_packet_size;
  broker.max_keep_alive = static_cast<std::uint16_t>(config.limits.max_keep_alive.count());
  broker.topic_alias_maximum = config.limits.max_topic_alias;
  broker.allow_anonymous = config.auth.allow_anonymous;
  return options;
}

Result<std::unique_ptr<store::Store>, std::string> open_store(const PersistenceSection& persistence) {
  store::StoreOptions options;
  options.path = persistence.path;
  options.sync = persistence.sync == SyncMode::full;
  options.batch_interval = persistence.batch_interval;
  options.on_error = [](const std::string& message) { spdlog::error("persistence: {}", message); };
  auto store = store::Store::open(options);
  if (!store) return store;
  spdlog::info("persistence: {} (sync {}, batch interval {} us)", persistence.path, options.sync ? "full" : "off",
               persistence.batch_interval.count());
  return store;
}

}  // namespace

int run_broker(const Config& config) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("mqwarden"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog_level(config.log.level));
  spdlog::info("mqwarden {} starting", kVersion);

  std::unique_ptr<store::Store> store;
  if (config.persistence.enabled) {
    auto opened = open_store(config.persistence);
    if (!opened) {
      spdlog::error("persistence: {}", opened.error());
      return 1;
    }
    store = std::move(opened).value();
  }
  std::shared_ptr<const broker::Authenticator> authenticator;
  if (config.auth.password_file) {
    auto file = auth::PasswordFile::load(*config.auth.password_file);
    if (!file) {
      spdlog::error("password file: {}", file.error().describe());
      return 1;
    }
    spdlog::info("{} user(s) in the password file {}", file->size(), *config.auth.password_file);
    authenticator = std::make_shared<PasswordFileAuthenticator>(std::move(file).value());
  }
  if (!config.auth.allow_anonymous && !authenticator) {
    spdlog::warn(
        "anonymous access is off and no password file is set: every client will be refused "
        "(set auth.password_file, or auth.allow_anonymous / --allow-anonymous)");
  }

  net::Server server(server_options(config), std::move(authenticator), store.get());
  if (auto started = server.start(); !started) {
    spdlog::error("{}", started.error());
    return 1;
  }
  server.run_until_signalled();
  spdlog::info("mqwarden stopped");
  return 0;
}

}  // namespace mqwarden::app
