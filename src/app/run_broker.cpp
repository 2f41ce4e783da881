#include "app/run_broker.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "app/policy_runtime.hpp"
#include "app/version.hpp"
#include "auth/password_file.hpp"
#include "broker/authenticator.hpp"
#include "broker/reaction_runner.hpp"
#include "net/server.hpp"
#include "net/webhook_sender.hpp"
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

std::string certificate_field_name(CertificateField field) {
  switch (field) {
    case CertificateField::common_name: return "CN";
    case CertificateField::organization: return "O";
    case CertificateField::organizational_unit: return "OU";
    case CertificateField::email_address: return "emailAddress";
    case CertificateField::serial_number: return "serialNumber";
    case CertificateField::user_id: return "UID";
  }
  return "CN";
}

net::TlsOptions tls_options(const Listener& listener) {
  return {.cert_file = listener.cert_file,
          .key_file = listener.key_file,
          .ca_file = listener.ca_file,
          .ca_dir = listener.ca_dir,
          .crl_file = listener.crl_file,
          .ciphers = listener.ciphers,
          .tls13_ciphersuites = listener.tls13_ciphersuites,
          .tls13_only = listener.min_tls_version == TlsVersion::v1_3,
          .require_certificate = listener.require_certificate,
          .identity_field = certificate_field_name(listener.identity_field),
          .use_identity_as_username = listener.use_identity_as_username};
}

net::ListenerOptions listener_options(const Listener& listener) {
  return {.name = listener.name,
          .address = listener.address,
          .port = listener.port,
          .tls = uses_tls(listener.protocol) ? std::optional(tls_options(listener)) : std::nullopt,
          .websocket_path = uses_websocket(listener.protocol) ? listener.websocket_path : std::string()};
}

net::ServerOptions server_options(const Config& config) {
  net::ServerOptions options;
  options.listeners.clear();
  for (const Listener& listener : config.listeners) options.listeners.push_back(listener_options(listener));
  options.threads = worker_threads(config.broker);
  options.max_connections = config.limits.max_connections;
  options.per_address = {.max_connections = config.limits.max_connections_per_address,
                         .rate_per_second = config.limits.connection_rate_per_address,
                         .burst = config.limits.connection_burst_per_address};
  options.connect_timeout = config.limits.connect_timeout;
  options.max_outgoing_buffer = config.limits.max_outgoing_buffer;
  options.version = std::string("mqwarden ") + kVersion;
  options.sys_interval = config.broker.sys_interval;
  broker::BrokerOptions& broker = options.broker;
  broker.session_limits.max_queued_messages = static_cast<std::uint32_t>(config.limits.max_queued_messages);
  broker.session_limits.max_queued_bytes = static_cast<std::uint32_t>(config.limits.max_queued_bytes);
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

  auto policy = PolicyRuntime::start(config.policy, config.context, store.get());
  if (!policy) {
    spdlog::error("{}", policy.error());
    return 1;
  }
  std::shared_ptr<broker::Enforcement> enforcement = *policy ? (*policy)->enforcement() : nullptr;

  net::Server server(server_options(config), std::move(authenticator), store.get(), enforcement);
  // Declared after the server: destroyed before it, once the server has stopped.
  std::unique_ptr<net::WebhookSender> webhooks;
  std::unique_ptr<broker::ReactionRunner> reactions;
  if (*policy) {
    webhooks = std::make_unique<net::WebhookSender>(
        net::WebhookOptions{.timeout = config.policy.webhook_timeout, .max_attempts = config.policy.webhook_attempts},
        [](const std::string& failure) { spdlog::warn("webhook: {}", failure); });
    broker::ReactionRunnerOptions options;
    options.max_queued = config.policy.reaction_queue;
    options.host_reactions = (*policy)->host_reactions();
    options.webhook = [sender = webhooks.get()](std::string url, std::string body) {
      return sender->submit(std::move(url), std::move(body));
    };
    reactions = std::make_unique<broker::ReactionRunner>(server.broker(), server.executor(), std::move(options));
    enforcement->set_reaction_sink(reactions.get());
    server.on_hangup([runtime = policy->get()] { runtime->reload("SIGHUP"); });
    (*policy)->watch();
  }
  if (auto started = server.start(); !started) {
    spdlog::error("{}", started.error());
    return 1;
  }
  server.run_until_signalled();
  spdlog::info("mqwarden stopped");
  return 0;
}

}  // namespace mqwarden::app
