#include "app/policy_runtime.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "app/acl_policy.hpp"
#include "app/pure_functions.hpp"
#include "auth/identity_file.hpp"
#include "policy/load.hpp"

namespace mqwarden::app {
namespace {

// The identity store as the broker reads it: roles and attributes by username and client id.
class IdentityFileDirectory final : public broker::IdentityDirectory {
 public:
  explicit IdentityFileDirectory(auth::IdentityFile file) : file_(std::move(file)) {}
  void complete(broker::ClientIdentity& identity) const override {
    auth::IdentityEntry entry = file_.lookup(identity.username, identity.id);
    identity.roles = std::move(entry.roles);
    identity.attributes = std::move(entry.attributes);
  }

 private:
  const auth::IdentityFile file_;
};

policy::Activity engine_activity(PolicyActivity activity) {
  switch (activity) {
    case PolicyActivity::connect: return policy::Activity::connect;
    case PolicyActivity::subscribe: return policy::Activity::subscribe;
    case PolicyActivity::unsubscribe: return policy::Activity::unsubscribe;
    case PolicyActivity::publish: return policy::Activity::publish;
    case PolicyActivity::deliver: return policy::Activity::deliver;
    case PolicyActivity::ping: return policy::Activity::ping;
  }
  return policy::Activity::connect;
}

policy::EngineConfig engine_config(const PolicySection& config) {
  policy::EngineConfig engine;
  for (PolicyActivity activity : config.default_deny) {
    engine.default_verdict[static_cast<std::size_t>(engine_activity(activity))] = policy::Verdict::deny;
  }
  engine.max_delay_ms = config.max_delay.count();
  engine.step_ms = config.step.count();
  engine.max_slices = config.max_slices;
  engine.max_lifecycle_instances = config.max_lifecycle_instances;
  return engine;
}

Result<std::vector<std::byte>, std::string> read_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("pseudonym key file " + path + ": cannot be read");
  std::vector<std::byte> key;
  for (auto it = std::istreambuf_iterator<char>(in); it != std::istreambuf_iterator<char>(); ++it) {
    key.push_back(static_cast<std::byte>(*it));
    if (key.size() > 4096) return fail("pseudonym key file " + path + ": longer than 4096 bytes");
  }
  if (key.size() < 16) return fail("pseudonym key file " + path + ": shorter than 16 bytes (use a random key)");
  return key;
}

std::int64_t now_ms() { return broker::Enforcement::now_ms(); }

}  // namespace

policy::Registry broker_registry(const ContextSection& context) {
  const policy::Registry all = policy::Registry::defaults();
  policy::Registry offered;
  for (const char* function : {"distance", "in_network", "position", "context", "consent"}) {
    offered.add_function(*all.function(function));
  }
  for (const context::ContextSourceSpec& source : context.sources) offered.add_context(source.name);
  for (const char* reaction : {"log", "notify", "webhook", "disconnect", "ban", "revoke", "request_consent"}) {
    offered.add_reaction(*all.reaction(reaction));
  }
  return offered;
}

PolicyRuntime::PolicyRuntime(const PolicySection& config) : config_(config) {}

Result<std::unique_ptr<PolicyRuntime>, std::string> PolicyRuntime::start(const PolicySection& config,
                                                                          const ContextSection& context,
                                                                          store::Store* store) {
  if (config.files.empty() && config.acl_file.empty() && config.default_deny.empty()) {
    if (!context.sources.empty()) spdlog::warn("context sources configured but no policy: nothing reads them");
    return std::unique_ptr<PolicyRuntime>();
  }
  std::unique_ptr<PolicyRuntime> runtime(new PolicyRuntime(config));
  runtime->start_context(context, store);
  policy::HostFunctions functions;
  add_pure_functions(functions);
  runtime->context_->add_functions(functions);
  runtime->engine_ =
      std::make_shared<policy::Engine>(broker_registry(context), std::move(functions), engine_config(config));
  broker::EnforcementOptions options;
  options.max_delayed_messages = config.max_delayed_messages;
  options.max_delayed_bytes = config.max_delayed_bytes;
  if (!config.pseudonym_key_file.empty()) {
    auto key = read_key(config.pseudonym_key_file);
    if (!key) return fail(key.error());
    options.pseudonym_key = std::move(*key);
  }
  runtime->enforcement_ = std::make_shared<broker::Enforcement>(runtime->engine_, std::move(options));
  runtime->enforcement_->set_publish_observer(
      [layer = runtime->context_.get()](const policy::Event& published) { layer->observe(published); });
  std::lock_guard lock(runtime->reload_mutex_);
  runtime->last_fingerprint_ = runtime->fingerprint();
  if (auto loaded = runtime->load_identities(); !loaded) return fail(loaded.error());
  if (auto loaded = runtime->load_policy(); !loaded) return fail(loaded.error());
  return runtime;
}

void PolicyRuntime::start_context(const ContextSection& context, store::Store* store) {
  context::ContextOptions options;
  if (store != nullptr) {
    options.persist_consent = [store](const context::ConsentRecord& consent) { store->save_consent(consent); };
  }
  options.sources = context.sources;
  options.max_entities = context.max_entities;
  options.max_situation_instances = context.max_situation_instances;
  options.max_consents = context.max_consents;
  options.tick = config_.step;
  // Situation and context events go to the engine like any actual event; the
  // enforcement exists before the first policy load raises any.
  context_ = std::make_unique<context::ContextLayer>(
      std::move(options), [this](const policy::Event& event) { enforcement_->record(event); }, now_ms);
  if (store != nullptr) context_->consents().restore(store->take_loaded_consents());
  context_->start();
}

std::map<std::string, broker::HostReaction, std::less<>> PolicyRuntime::host_reactions() {
  auto request_consent = [consents = &context_->consents()](const std::vector<nlohmann::json>& arguments)
      -> std::optional<broker::Notification> {
    const auto text = [&](std::size_t i) {
      return i < arguments.size() && arguments[i].is_string() ? arguments[i].get<std::string>() : std::string();
    };
    const std::string owner = text(0), recipient = text(1), purpose = text(2);
    if (owner.empty() || owner.find_first_of("/+#") != std::string::npos || recipient.empty() || purpose.empty()) {
      spdlog::warn("request_consent: needs an owner (a client id), a recipient and a purpose");
      return std::nullopt;
    }
    if (!consents->request(owner, recipient, purpose)) return std::nullopt;  // already asked, not yet answered
    return broker::Notification{context::ConsentRegistry::requests_topic(owner),
                                {{"owner", owner}, {"recipient", recipient}, {"purpose", purpose},
                                 {"requested_at_ms", now_ms()}}};
  };
  return {{"request_consent", std::move(request_consent)}};
}

PolicyRuntime::~PolicyRuntime() {
  context_.reset();  // its thread raises events into the enforcement
  {
    std::lock_guard lock(watch_mutex_);
    stopping_ = true;
  }
  watch_wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

Result<void, std::string> PolicyRuntime::load_policy() {
  policy::SourceSet sources;
  const policy::Diagnostics unreadable = policy::read_sources(config_.files, sources);
  if (!unreadable.empty()) return fail(policy::format(unreadable, sources));
  if (!config_.acl_file.empty()) {
    // The ACL's rules, under a name of their own: a checker message points into them, not into the ACL.
    auto acl = acl_policy_from_file(config_.acl_file);
    if (!acl) return fail(acl.error());
    sources.add(config_.acl_file + " (as policy rules)", std::move(*acl));
  }
  auto loaded = engine_->load(sources, now_ms());
  if (!loaded) return fail(policy::format(loaded.error(), sources));
  if (!loaded->empty()) spdlog::warn("policy:\n{}", policy::format(*loaded, sources));
  const auto compiled = engine_->policy();
  context_->use(compiled);
  spdlog::info("policy: {} file(s){}, {} rule instance(s) in force, {} situation instance(s) monitored",
               config_.files.size(),
               config_.acl_file.empty() ? "" : " and an ACL", compiled->instances.size(),
               context_->situations().instances());
  return {};
}

Result<void, std::string> PolicyRuntime::load_identities() {
  if (config_.identity_file.empty()) return {};
  auto file = auth::IdentityFile::load(config_.identity_file);
  if (!file) return fail("identity file " + file.error());
  spdlog::info("identity file {}: {} user(s), {} client(s)", config_.identity_file, file->users(), file->clients());
  enforcement_->set_identity_directory(std::make_shared<IdentityFileDirectory>(std::move(file).value()));
  return {};
}

bool PolicyRuntime::reload(std::string_view why) {
  std::lock_guard lock(reload_mutex_);
  spdlog::info("policy: reloading ({})", why);
  last_fingerprint_ = fingerprint();
  bool all_loaded = true;
  if (auto loaded = load_identities(); !loaded) {
    spdlog::error("{}; the previous identities stay in force", loaded.error());
    all_loaded = false;
  }
  if (auto loaded = load_policy(); !loaded) {
    spdlog::error("policy not reloaded, the previous policy stays in force:\n{}", loaded.error());
    all_loaded = false;
  }
  return all_loaded;
}

std::vector<std::string> PolicyRuntime::watched_files() const {
  std::vector<std::string> files = config_.files;
  if (!config_.acl_file.empty()) files.push_back(config_.acl_file);
  if (!config_.identity_file.empty()) files.push_back(config_.identity_file);
  return files;
}

std::string PolicyRuntime::fingerprint() const {
  std::string text;
  for (const std::string& path : watched_files()) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    const auto written = std::filesystem::last_write_time(path, error);
    text += path + '\n' + std::to_string(error ? 0 : size) + '\n' +
            std::to_string(error ? 0 : written.time_since_epoch().count()) + '\n';
  }
  return text;
}

void PolicyRuntime::watch() {
  if (config_.watch_interval.count() == 0 || watcher_.joinable()) return;
  watcher_ = std::thread([this] {
    std::unique_lock lock(watch_mutex_);
    while (!watch_wake_.wait_for(lock, config_.watch_interval, [this] { return stopping_; })) {
      lock.unlock();
      bool changed = false;
      {
        std::lock_guard reload_lock(reload_mutex_);
        changed = fingerprint() != last_fingerprint_;
      }
      if (changed) reload("a policy or identity file changed");
      lock.lock();
    }
  });
}

}  // namespace mqwarden::app
