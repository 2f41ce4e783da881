#include "store/writer.hpp"

#include <charconv>
#include <string_view>

namespace mqwarden::store {
namespace {

std::int64_t as_integer(std::uint64_t value) {
  return static_cast<std::int64_t>(value);
}

}  // namespace

std::string join_identifiers(std::span<const std::uint32_t> identifiers) {
  std::string text;
  for (std::uint32_t identifier : identifiers) {
    if (!text.empty()) text += ' ';
    text += std::to_string(identifier);
  }
  return text;
}

std::vector<std::uint32_t> split_identifiers(const std::string& text) {
  std::vector<std::uint32_t> identifiers;
  const char* position = text.data();
  const char* end = text.data() + text.size();
  while (position < end) {
    std::uint32_t identifier = 0;
    auto [next, error] = std::from_chars(position, end, identifier);
    if (error != std::errc()) break;
    identifiers.push_back(identifier);
    position = next;
    while (position < end && *position == ' ') ++position;
  }
  return identifiers;
}

Result<Writer, std::string> Writer::create(SqliteDb& db) {
  Writer writer;
  writer.db_ = &db;
  const std::pair<Statement*, std::string_view> statements[] = {
      {&writer.begin_, "BEGIN"},
      {&writer.commit_, "COMMIT"},
      {&writer.rollback_, "ROLLBACK"},
      {&writer.save_session_,
       "INSERT INTO sessions (id, client_id, expiry_interval, disconnected_at) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (id) DO UPDATE SET expiry_interval = ?3, disconnected_at = ?4"},
      {&writer.remove_session_, "DELETE FROM sessions WHERE id = ?1"},
      {&writer.remove_session_subscriptions_, "DELETE FROM subscriptions WHERE session_id = ?1"},
      {&writer.remove_session_qos2_, "DELETE FROM incoming_qos2 WHERE session_id = ?1"},
      {&writer.session_message_ids_,
       "SELECT message_id FROM deliveries WHERE session_id = ?1 "
       "UNION SELECT message_id FROM delayed WHERE session_id = ?1"},
      {&writer.remove_session_deliveries_, "DELETE FROM deliveries WHERE session_id = ?1"},
      {&writer.remove_session_delayed_, "DELETE FROM delayed WHERE session_id = ?1"},
      {&writer.save_subscription_,
       "INSERT OR REPLACE INTO subscriptions (session_id, filter, options, identifier) VALUES (?1, ?2, ?3, ?4)"},
      {&writer.remove_subscription_, "DELETE FROM subscriptions WHERE session_id = ?1 AND filter = ?2"},
      {&writer.insert_message_,
       "INSERT OR IGNORE INTO messages (id, packet, publisher, expires_at) VALUES (?1, ?2, ?3, ?4)"},
      {&writer.add_delivery_,
       "INSERT OR REPLACE INTO deliveries (session_id, sequence, message_id, qos, retain, subscription_ids, "
       "packet_id, released) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&writer.update_delivery_,
       "UPDATE deliveries SET packet_id = ?3, released = ?4 WHERE session_id = ?1 AND sequence = ?2"},
      {&writer.remove_delivery_, "DELETE FROM deliveries WHERE session_id = ?1 AND sequence = ?2"},
      {&writer.collect_message_,
       "DELETE FROM messages WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM deliveries WHERE message_id = ?1) "
       "AND NOT EXISTS (SELECT 1 FROM delayed WHERE message_id = ?1)"},
      {&writer.add_delayed_,
       "INSERT OR REPLACE INTO delayed (session_id, sequence, message_id, qos, retain, subscription_ids, due_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&writer.remove_delayed_, "DELETE FROM delayed WHERE session_id = ?1 AND sequence = ?2"},
      {&writer.add_qos2_, "INSERT OR IGNORE INTO incoming_qos2 (session_id, packet_id) VALUES (?1, ?2)"},
      {&writer.remove_qos2_, "DELETE FROM incoming_qos2 WHERE session_id = ?1 AND packet_id = ?2"},
      {&writer.set_retained_,
       "INSERT OR REPLACE INTO retained (topic, packet, publisher, expires_at) VALUES (?1, ?2, ?3, ?4)"},
      {&writer.clear_retained_, "DELETE FROM retained WHERE topic = ?1"},
      {&writer.save_ban_,
       "INSERT INTO bans (subject, until) VALUES (?1, ?2) ON CONFLICT (subject) DO UPDATE SET until = max(until, ?2)"},
      {&writer.forget_bans_, "DELETE FROM bans WHERE until <= ?1"},
      {&writer.save_consent_,
       "INSERT OR REPLACE INTO consents (owner, recipient, purpose, granted, decided_at, expires_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = db.prepare(sql);
    if (!prepared) return fail(std::string(sql.substr(0, 40)) + "...: " + prepared.error());
    *statement = std::move(prepared).value();
  }
  return writer;
}

Result<void, std::string> Writer::commit(std::span<const Operation> batch) {
  if (auto begun = begin_.run(); !begun) return begun;
  for (const Operation& operation : batch) {
    if (auto applied = apply(operation); !applied) {
      (void)rollback_.run();
      return applied;
    }
  }
  if (auto committed = commit_.run(); !committed) {
    (void)rollback_.run();
    return committed;
  }
  return {};
}

Result<void, std::string> Writer::apply(const Operation& operation) {
  return std::visit([this](const auto& concrete) { return apply(concrete); }, operation);
}

Result<void, std::string> Writer::apply(const SaveSession& operation) {
  return save_session_.bind(1, as_integer(operation.session))
      .bind(2, operation.client_id)
      .bind(3, static_cast<std::int64_t>(operation.expiry_interval))
      .bind(4, operation.disconnected_at_ms)
      .run();
}

Result<void, std::string> Writer::apply(const RemoveSession& operation) {
  const std::int64_t session = as_integer(operation.session);
  std::vector<std::int64_t> messages;
  session_message_ids_.bind(1, session);
  while (true) {
    auto row = session_message_ids_.step();
    if (!row) {
      session_message_ids_.reset();
      return fail(row.error());
    }
    if (!*row) break;
    messages.push_back(session_message_ids_.integer(0));
  }
  session_message_ids_.reset();
  for (Statement* statement : {&remove_session_deliveries_, &remove_session_delayed_, &remove_session_subscriptions_,
                               &remove_session_qos2_, &remove_session_}) {
    if (auto removed = statement->bind(1, session).run(); !removed) return removed;
  }
  for (std::int64_t message : messages) {
    if (auto collected = collect_message(message); !collected) return collected;
  }
  return {};
}

Result<void, std::string> Writer::apply(const SaveSubscription& operation) {
  return save_subscription_.bind(1, as_integer(operation.session))
      .bind(2, operation.subscription.filter)
      .bind(3, static_cast<std::int64_t>(operation.subscription.options))
      .bind(4, static_cast<std::int64_t>(operation.subscription.identifier))
      .run();
}

Result<void, std::string> Writer::apply(const RemoveSubscription& operation) {
  return remove_subscription_.bind(1, as_integer(operation.session)).bind(2, operation.filter).run();
}

Result<void, std::string> Writer::insert_message(const MessageRecord& message) {
  return insert_message_.bind(1, as_integer(message.id))
      .bind_blob(2, message.packet)
      .bind(3, message.publisher)
      .bind(4, message.expires_at_ms)
      .run();
}

Result<void, std::string> Writer::apply(const AddDelivery& operation) {
  const DeliveryRecord& delivery = operation.delivery;
  if (auto inserted = insert_message(*delivery.message); !inserted) return inserted;
  if (operation.from_delayed != 0) {
    auto released =
        remove_delayed_.bind(1, as_integer(operation.session)).bind(2, as_integer(operation.from_delayed)).run();
    if (!released) return released;
  }
  return add_delivery_.bind(1, as_integer(operation.session))
      .bind(2, as_integer(delivery.sequence))
      .bind(3, as_integer(delivery.message->id))
      .bind(4, static_cast<std::int64_t>(delivery.qos))
      .bind(5, static_cast<std::int64_t>(delivery.retain))
      .bind(6, join_identifiers(delivery.subscription_identifiers))
      .bind(7, static_cast<std::int64_t>(delivery.packet_id))
      .bind(8, static_cast<std::int64_t>(delivery.released))
      .run();
}

Result<void, std::string> Writer::apply(const UpdateDelivery& operation) {
  return update_delivery_.bind(1, as_integer(operation.session))
      .bind(2, as_integer(operation.sequence))
      .bind(3, static_cast<std::int64_t>(operation.packet_id))
      .bind(4, static_cast<std::int64_t>(operation.released))
      .run();
}

Result<void, std::string> Writer::apply(const RemoveDelivery& operation) {
  auto removed = remove_delivery_.bind(1, as_integer(operation.session)).bind(2, as_integer(operation.sequence)).run();
  if (!removed) return removed;
  return collect_message(as_integer(operation.message_id));
}

Result<void, std::string> Writer::apply(const AddDelayed& operation) {
  const DeliveryRecord& delivery = operation.delayed.delivery;
  if (auto inserted = insert_message(*delivery.message); !inserted) return inserted;
  return add_delayed_.bind(1, as_integer(operation.session))
      .bind(2, as_integer(delivery.sequence))
      .bind(3, as_integer(delivery.message->id))
      .bind(4, static_cast<std::int64_t>(delivery.qos))
      .bind(5, static_cast<std::int64_t>(delivery.retain))
      .bind(6, join_identifiers(delivery.subscription_identifiers))
      .bind(7, operation.delayed.due_at_ms)
      .run();
}

Result<void, std::string> Writer::apply(const RemoveDelayed& operation) {
  auto removed = remove_delayed_.bind(1, as_integer(operation.session)).bind(2, as_integer(operation.sequence)).run();
  if (!removed) return removed;
  return collect_message(as_integer(operation.message_id));
}

Result<void, std::string> Writer::collect_message(std::int64_t id) {
  return collect_message_.bind(1, id).run();
}

Result<void, std::string> Writer::apply(const AddIncomingQos2& operation) {
  return add_qos2_.bind(1, as_integer(operation.session)).bind(2, static_cast<std::int64_t>(operation.packet_id)).run();
}

Result<void, std::string> Writer::apply(const RemoveIncomingQos2& operation) {
  return remove_qos2_.bind(1, as_integer(operation.session))
      .bind(2, static_cast<std::int64_t>(operation.packet_id))
      .run();
}

Result<void, std::string> Writer::apply(const SaveBan& operation) {
  auto forgotten = forget_bans_.bind(1, operation.now_ms).run();
  if (!forgotten) return forgotten;
  return save_ban_.bind(1, operation.subject).bind(2, operation.until_ms).run();
}

Result<void, std::string> Writer::apply(const SaveConsent& operation) {
  const ConsentRecord& consent = operation.consent;
  return save_consent_.bind(1, consent.owner)
      .bind(2, consent.recipient)
      .bind(3, consent.purpose)
      .bind(4, std::int64_t{consent.granted ? 1 : 0})
      .bind(5, consent.time_ms)
      .bind(6, consent.expires_ms)
      .run();
}

Result<void, std::string> Writer::apply(const SetRetained& operation) {
  if (!operation.message) return clear_retained_.bind(1, operation.topic).run();
  return set_retained_.bind(1, operation.topic)
      .bind_blob(2, operation.message->packet)
      .bind(3, operation.message->publisher)
      .bind(4, operation.message->expires_at_ms)
      .run();
}

}  // namespace mqwarden::store
