#include "broker/broker.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>

#include "broker/payload_rewrite.hpp"
#include "broker/stored_form.hpp"
#include "mqtt/topic.hpp"

namespace mqwarden::broker {

using policy::Activity;
using policy::Mode;

// What each worker thread owns: its replica of the subscriptions, the
// sessions they refer to, and scratch space for routing.
struct Broker::WorkerState {
  SubscriptionTree tree;
  std::unordered_map<SubscriberId, std::shared_ptr<Session>> sessions;
  // Scratch for one publish: the delivery per matching session, merged over
  // overlapping subscriptions.
  std::vector<std::pair<Session*, Delivery>> targets;
  std::unordered_map<SubscriberId, std::size_t> target_index;
};

namespace {

// Collects the deliveries of one message: one per session, at the highest
// QoS its matching subscriptions grant, with all their identifiers [MQTT-3.3.4-2, -3, -4, -5].
class Router final : public SubscriptionVisitor {
 public:
  Router(const MessagePtr& message, std::unordered_map<SubscriberId, std::shared_ptr<Session>>& sessions,
         std::vector<std::pair<Session*, Delivery>>& targets, std::unordered_map<SubscriberId, std::size_t>& index)
      : message_(message), sessions_(sessions), targets_(targets), index_(index) {}

  void on_subscription(const Subscription& subscription) override {
    auto found = sessions_.find(subscription.subscriber);
    if (found == sessions_.end()) return;
    Session* session = found->second.get();
    // No Local: not back to the client that published it [MQTT-3.8.3-3].
    if (subscription.options.no_local && session->client_id() == message_->publisher) return;
    add(session, subscription, /*merge=*/true);
  }

  void on_shared_group(std::string_view, std::span<const Subscription> members, std::size_t& next_member) override {
    // Round robin, preferring members that are connected.
    const std::size_t count = members.size();
    std::size_t chosen = next_member % count;
    for (std::size_t step = 0; step < count; ++step) {
      const std::size_t candidate = (next_member + step) % count;
      auto found = sessions_.find(members[candidate].subscriber);
      if (found != sessions_.end() && found->second->attached()) {
        chosen = candidate;
        break;
      }
    }
    next_member = (chosen + 1) % count;
    auto found = sessions_.find(members[chosen].subscriber);
    // A copy of its own, not merged with the member's other subscriptions: a
    // client with a shared and an ordinary subscription may get both (spec 4.8.2).
    if (found != sessions_.end()) add(found->second.get(), members[chosen], /*merge=*/false);
  }

 private:
  void add(Session* session, const Subscription& subscription, bool merge) {
    const mqtt::QoS qos = std::min(message_->qos, subscription.options.max_qos);
    const bool retain = subscription.options.retain_as_published && message_->retain;  // [MQTT-3.3.1-12, -13]
    std::size_t target = targets_.size();
    if (merge) {
      auto [it, inserted] = index_.try_emplace(session->id(), target);
      target = it->second;
    }
    if (target == targets_.size()) targets_.emplace_back(session, Delivery{message_, qos, retain, {}});
    Delivery& delivery = targets_[target].second;
    delivery.qos = std::max(delivery.qos, qos);
    delivery.retain = delivery.retain || retain;
    if (subscription.identifier != 0) delivery.subscription_identifiers.push_back(subscription.identifier);
  }

  const MessagePtr& message_;
  std::unordered_map<SubscriberId, std::shared_ptr<Session>>& sessions_;
  std::vector<std::pair<Session*, Delivery>>& targets_;
  std::unordered_map<SubscriberId, std::size_t>& index_;
};

}  // namespace

Broker::Broker(BrokerOptions options, WorkerExecutor& executor, std::shared_ptr<const Authenticator> authenticator,
               store::Store* store, std::shared_ptr<Enforcement> enforcement)
    : options_(options),
      executor_(executor),
      authenticator_(std::move(authenticator)),
      store_(store),
      enforcement_(enforcement ? std::move(enforcement) : std::make_shared<Enforcement>(nullptr)),
      retained_(store),
      stats_(executor.worker_count()) {
  for (std::size_t i = 0; i < executor_.worker_count(); ++i) workers_.push_back(std::make_unique<WorkerState>());
  enforcement_->bans().set_store(store_);
}

Broker::~Broker() = default;

Broker::Connected Broker::connect(const ConnectRequest& request, const std::shared_ptr<ClientLink>& link,
                                  const std::function<void(bool session_present)>& acknowledge, Clock::time_point now) {
  std::shared_ptr<Session> discarded;
  Connected result;
  {
    // Held through the CONNACK and the attach, so two connections with one
    // identifier cannot interleave their take-overs.
    std::lock_guard lock(registry_mutex_);
    auto found = registry_.find(request.client_id);
    std::shared_ptr<ClientLink> previous_link;
    if (found != registry_.end()) {
      Registration& previous = found->second;
      if (auto timer = std::exchange(previous.expiry_timer, nullptr)) timer->cancel();
      previous_link = std::exchange(previous.link, link);
      // A session that was to end with the connection being replaced ends now.
      const bool previous_session_ends = previous_link && previous.expiry_interval == 0;
      if (request.clean_start || previous_session_ends) {
        // Its entry goes with it: the key is a view of its identifier.
        discarded = std::move(previous.session);
        registry_.erase(found);
        found = registry_.end();
      }
    }
    result.session_present = found != registry_.end();
    if (!result.session_present) {
      auto session = std::make_shared<Session>(request.client_id, next_session_id_++, options_.session_limits);
      const std::string_view key = session->client_id();
      found = registry_.try_emplace(key, Registration{std::move(session), link, 0, nullptr}).first;
    }
    Registration& registration = found->second;
    registration.expiry_interval = request.expiry_interval;
    result.session = registration.session;
    // A session is stored while it may outlive its connection; a stored one
    // resumed without an expiry is rewritten so that a restart drops it.
    if (store_ && (request.expiry_interval != 0 || result.session->persistent())) {
      store_->save_session(result.session->id(), request.client_id, request.expiry_interval, std::nullopt);
      result.session->set_store(store_);
    }
    if (request.identity) result.session->set_identity(request.identity);
    if (previous_link) previous_link->close(mqtt::ReasonCode::session_taken_over);
    acknowledge(result.session_present);
    // A resumed session drops its deferred will here [MQTT-3.1.3-9].
    result.session->attach(link, request.receive_maximum, now);
  }
  if (discarded) end_session(discarded);
  return result;
}

Broker::SessionFate Broker::disconnect(const std::shared_ptr<Session>& session, const ClientLink* link,
                                       std::uint32_t expiry_interval) {
  {
    std::lock_guard lock(registry_mutex_);
    auto it = registry_.find(session->client_id());
    if (it == registry_.end() || it->second.session != session) return SessionFate::ended;
    if (it->second.link.get() != link) return SessionFate::taken_over;
    it->second.link.reset();
    session->detach(link);
    if (expiry_interval != 0) {
      if (store_ && session->persistent()) {
        store_->save_session(session->id(), session->client_id(), expiry_interval, unix_now_ms());
      }
      if (expiry_interval != kNeverExpires) {
        it->second.expiry_timer = expire_later(session, std::chrono::seconds(expiry_interval));
      }
      return SessionFate::kept;
    }
    registry_.erase(it);
  }
  end_session(session);
  return SessionFate::ended;
}

std::shared_ptr<ScheduledTask> Broker::expire_later(const std::shared_ptr<Session>& session,
                                                    std::chrono::milliseconds delay) {
  // The attach count guards against a timer that fires while its cancellation is on its way.
  const std::uint64_t attach_count = session->attach_count();
  return executor_.post_after(executor_.current_worker(), delay,
                              [this, session, attach_count] { expire(session, attach_count); });
}

void Broker::expire(const std::shared_ptr<Session>& session, std::uint64_t attach_count) {
  {
    std::lock_guard lock(registry_mutex_);
    auto it = registry_.find(session->client_id());
    if (it == registry_.end() || it->second.session != session || it->second.link ||
        session->attach_count() != attach_count) {
      return;  // resumed since, or already gone
    }
    registry_.erase(it);
  }
  end_session(session);
}

void Broker::end_session(const std::shared_ptr<Session>& session) {
  // Whichever comes first, the will delay or the end of the session [MQTT-3.1.3-9].
  if (auto will = session->take_deferred_will()) publish_will(session, std::move(*will));
  const SubscriberId id = session->id();
  session->end([this, id](const std::map<std::string, Subscription>& subscriptions) {
    if (subscriptions.empty()) return;
    for_each_worker([subscriptions, id](WorkerState& worker) {
      for (const auto& [filter, subscription] : subscriptions) worker.tree.remove(filter, id);
      worker.sessions.erase(id);
    });
  });
}

void Broker::publish_will(const std::shared_ptr<Session>& session, mqtt::Publish will) {
  // Its Message Expiry Interval starts now, when it is published.
  const Clock::time_point now = Clock::now();
  IdentityPtr publisher = enforcement_->active() ? session->identity() : nullptr;
  auto message = make_message(std::move(will), session->client_id(), now, std::move(publisher));
  // Decided as a publish by its client at this moment: a will the policy
  // would refuse now reaches nobody.
  const PublishVerdict verdict = decide_publish(*message);
  if (verdict.allowed) publish_admitted(message, verdict.delay, now);
}

Broker::PublishVerdict Broker::decide_publish(Message& message) {
  PublishVerdict verdict;
  if (!enforcement_->wants(Mode::tentative, Activity::publish)) return verdict;
  const MessageFacts facts(message);
  const policy::Event event = Enforcement::message_event(Mode::tentative, Activity::publish, message, facts);
  const policy::Decision decision = enforcement_->decide(event);
  if (decision.denied()) {
    enforcement_->counters().denied_publishes.fetch_add(1, std::memory_order_relaxed);
    verdict.allowed = false;
    verdict.reason_code = decision.reason_code;
    return verdict;
  }
  verdict.delay = std::chrono::milliseconds(decision.delay_ms);
  if (auto payload = rewritten_payload(*event.payload, decision.edits, enforcement_->pseudonym_key())) {
    message.payload = std::move(*payload);
  }
  return verdict;
}

void Broker::publish_admitted(const MessagePtr& message, std::chrono::milliseconds delay, Clock::time_point now) {
  auto publish_and_record = [this, message](Clock::time_point at) {
    if (!enforcement_->wants(Mode::actual, Activity::publish)) return publish(message, at);
    const MessageFacts facts(*message);
    const policy::Event published = Enforcement::message_event(Mode::actual, Activity::publish, *message, facts);
    enforcement_->observe(published);  // the context a message carries counts for its own deliveries
    publish(message, at);
    enforcement_->record(published);
  };
  if (delay.count() <= 0) {
    publish_and_record(now);
    return;
  }
  after_delay(delay, *message, [publish_and_record] { publish_and_record(Clock::now()); });
}

bool Broker::after_delay(std::chrono::milliseconds delay, const Message& held, std::function<void()> task) {
  const std::size_t bytes = held.topic.size() + held.payload.size();
  if (!enforcement_->reserve_delay(bytes)) return false;
  executor_.post_after(executor_.current_worker(), delay, [this, bytes, task = std::move(task)] {
    enforcement_->release_delay(bytes);
    task();
  });
  return true;
}

void Broker::deliver_later(const std::shared_ptr<Session>& session, Delivery delivery, std::chrono::milliseconds delay,
                           Clock::time_point now, store::MessageRecordPtr* shared_record) {
  // Stored before the timer is set: the timer hands the row on.
  session->hold_delayed(delivery, to_unix_ms(now + delay, now), now, shared_record);
  if (!deliver_after(session, delivery, delay)) session->drop_delayed(delivery);
}

bool Broker::deliver_after(const std::shared_ptr<Session>& session, const Delivery& delivery,
                           std::chrono::milliseconds delay) {
  // The message's expiry keeps counting while it waits [MQTT-3.3.2-5].
  return after_delay(delay, *delivery.message, [weak = std::weak_ptr<Session>(session), delivery]() mutable {
    if (auto target = weak.lock()) target->deliver(std::move(delivery), Clock::now());
  });
}

void Broker::publish_will_later(const std::shared_ptr<Session>& session, mqtt::Publish will,
                                std::chrono::seconds delay) {
  const std::uint64_t attach_count = session->attach_count();
  if (!session->defer_will(std::move(will))) return;  // the client is back: no will [MQTT-3.1.3-9]
  auto timer = executor_.post_after(executor_.current_worker(), delay, [this, session, attach_count] {
    if (session->attach_count() != attach_count) return;
    if (auto due = session->take_deferred_will()) publish_will(session, std::move(*due));
  });
  session->set_will_timer(std::move(timer), attach_count);
}

void Broker::for_each_worker(const std::function<void(WorkerState&)>& change) {
  const std::size_t current = executor_.current_worker();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (i == current) continue;
    WorkerState* worker = workers_[i].get();
    executor_.post(i, [worker, change] { change(*worker); });
  }
  change(*workers_[current]);
}

void Broker::publish(const MessagePtr& message, Clock::time_point now) {
  if (message->retain) retained_.retain(message, now);
  WorkerState& worker = *workers_[executor_.current_worker()];
  Router router(message, worker.sessions, worker.targets, worker.target_index);
  worker.tree.match(message->topic, router);
  deliver(worker.targets, *message, now);
  worker.targets.clear();
  worker.target_index.clear();
}

void Broker::deliver(std::span<std::pair<Session*, Delivery>> targets, const Message& message, Clock::time_point now) {
  store::MessageRecordPtr record;  // stored once, for every persistent session it goes to
  const bool decide = enforcement_->wants(Mode::tentative, Activity::deliver);
  if (!decide && !enforcement_->wants(Mode::actual, Activity::deliver)) {
    for (auto& [session, delivery] : targets) session->deliver(std::move(delivery), now, &record);
    return;
  }
  // The publication's part of the deliver rules is evaluated once, and the
  // payload parsed at most once, for all subscribers.
  const MessageFacts facts(message);
  const policy::Event event = Enforcement::message_event(Mode::tentative, Activity::deliver, message, facts);
  std::optional<policy::PublicationContext> publication;
  if (decide) publication.emplace(enforcement_->prepare_delivery(event));
  for (auto& [session, delivery] : targets) {
    const IdentityPtr subscriber = session->identity();
    const policy::Decision decision =
        decide ? enforcement_->decide_delivery(*publication, subscriber->view()) : policy::Decision{};
    const bool denied = decision.denied();
    deliver_as_decided(decision, *event.payload, session->shared_from_this(), std::move(delivery), now, &record);
    if (!denied) record_delivery(event, *subscriber);
  }
}

void Broker::deliver_one(const std::shared_ptr<Session>& session, Delivery delivery, Clock::time_point now) {
  const MessagePtr message = delivery.message;  // kept alive while `target` is handed on
  std::pair<Session*, Delivery> target{session.get(), std::move(delivery)};
  deliver(std::span(&target, 1), *message, now);
}

void Broker::deliver_as_decided(const policy::Decision& decision, const policy::Payload& payload,
                                const std::shared_ptr<Session>& session, Delivery delivery, Clock::time_point now,
                                store::MessageRecordPtr* shared_record) {
  EnforcementCounters& counters = enforcement_->counters();
  if (decision.denied()) {
    counters.denied_deliveries.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (auto edited = rewritten_payload(payload, decision.edits, enforcement_->pseudonym_key())) {
    // A copy for this subscriber only; the others share the original.
    auto copy = std::make_shared<Message>(*delivery.message);
    copy->payload = std::move(*edited);
    delivery.message = std::move(copy);
    shared_record = nullptr;
    counters.modified_deliveries.fetch_add(1, std::memory_order_relaxed);
  }
  if (decision.delay_ms > 0) {
    deliver_later(session, std::move(delivery), std::chrono::milliseconds(decision.delay_ms), now, shared_record);
    return;
  }
  session->deliver(std::move(delivery), now, shared_record);
}

void Broker::record_delivery(const policy::Event& tentative, const ClientIdentity& subscriber) {
  if (!enforcement_->wants(Mode::actual, Activity::deliver)) return;
  policy::Event event = tentative;
  event.mode = Mode::actual;
  event.subscriber = subscriber.view();
  enforcement_->record(event);
}

bool Broker::disconnect_client(std::string_view client_id, mqtt::ReasonCode reason) {
  std::shared_ptr<ClientLink> link;
  {
    std::lock_guard lock(registry_mutex_);
    auto it = registry_.find(client_id);
    if (it == registry_.end() || !it->second.link) return false;
    link = it->second.link;
  }
  link->close(reason);
  return true;
}

std::size_t Broker::disconnect_address(std::string_view ip, mqtt::ReasonCode reason) {
  std::vector<std::shared_ptr<ClientLink>> links;
  {
    std::lock_guard lock(registry_mutex_);
    for (const auto& [client_id, registration] : registry_) {
      if (registration.link && registration.session->identity()->ip == ip) links.push_back(registration.link);
    }
  }
  for (const auto& link : links) link->close(reason);
  return links.size();
}

bool Broker::revoke_subscription(std::string_view client_id, const std::string& filter) {
  std::shared_ptr<Session> session;
  std::shared_ptr<ClientLink> link;
  {
    std::lock_guard lock(registry_mutex_);
    auto it = registry_.find(client_id);
    if (it == registry_.end()) return false;
    session = it->second.session;
    link = it->second.link;
  }
  if (!unsubscribe(session, filter)) return false;
  // MQTT 5 can tell the client why; a 3.1.1 client just stops receiving.
  if (link && session->identity()->protocol == 5) link->close(mqtt::ReasonCode::not_authorized);
  return true;
}

bool Broker::subscribe(const std::shared_ptr<Session>& session, const std::string& filter,
                       const Subscription& subscription) {
  const auto is_new =
      session->record_subscription(filter, subscription, [&] { add_to_replicas(session, filter, subscription); });
  return is_new.value_or(false);
}

void Broker::add_to_replicas(const std::shared_ptr<Session>& session, const std::string& filter,
                             const Subscription& subscription) {
  for_each_worker([session, filter, subscription](WorkerState& worker) {
    worker.tree.add(filter, subscription);
    worker.sessions.emplace(session->id(), session);
  });
}

bool Broker::unsubscribe(const std::shared_ptr<Session>& session, const std::string& filter) {
  return session->forget_subscription(filter, [&] {
    for_each_worker([id = session->id(), filter](WorkerState& worker) { worker.tree.remove(filter, id); });
  });
}

void Broker::after_replica_updates(std::function<void()> done) {
  // Tasks posted to a worker run in order: once a marker posted now has run
  // on every other worker, so have the changes posted before it.
  const std::size_t others = workers_.size() - 1;
  if (others == 0) {
    done();
    return;
  }
  auto remaining = std::make_shared<std::atomic<std::size_t>>(others);
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  const std::size_t current = executor_.current_worker();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (i == current) continue;
    executor_.post(i, [remaining, shared_done] {
      if (remaining->fetch_sub(1) == 1) (*shared_done)();
    });
  }
}

std::vector<MessagePtr> Broker::retained_messages(std::string_view filter, Clock::time_point now) const {
  return retained_.matching(filter, now);
}

std::string Broker::assign_client_id() {
  // Random, so no client can guess the next one and take its session; and
  // checked against the identifiers in use [MQTT-3.1.3-6].
  std::random_device random;
  while (true) {
    char id[48];
    std::snprintf(id, sizeof id, "mqwarden-%08x%08x%08x%08x", random(), random(), random(), random());
    std::lock_guard lock(registry_mutex_);
    if (!registry_.contains(id)) return id;
  }
}

std::size_t Broker::subscription_count() const {
  return workers_[executor_.current_worker()]->tree.size();
}

Broker::ClientCounts Broker::client_counts() const {
  std::lock_guard lock(registry_mutex_);
  ClientCounts counts;
  counts.sessions = registry_.size();
  for (const auto& [client_id, registration] : registry_) counts.connected += registration.link != nullptr;
  return counts;
}

}  // namespace mqwarden::broker
