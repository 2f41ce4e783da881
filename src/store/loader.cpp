#include "store/loader.hpp"

#include <algorithm>
#include <unordered_map>

#include "store/writer.hpp"

namespace mqwarden::store {
namespace {

constexpr const char* kRemoveOrphans = R"sql(
DELETE FROM subscriptions WHERE session_id NOT IN (SELECT id FROM sessions);
DELETE FROM deliveries WHERE session_id NOT IN (SELECT id FROM sessions);
DELETE FROM incoming_qos2 WHERE session_id NOT IN (SELECT id FROM sessions);
DELETE FROM delayed WHERE session_id NOT IN (SELECT id FROM sessions) OR message_id NOT IN (SELECT id FROM messages);
DELETE FROM messages WHERE id NOT IN (SELECT message_id FROM deliveries) AND id NOT IN (SELECT message_id FROM delayed);
)sql";

// The columns a delivery and a delayed delivery share, in this order.
constexpr const char* kDeliveryColumns = "session_id, sequence, message_id, qos, retain, subscription_ids";

// The shared columns of a row read with kDeliveryColumns first.
DeliveryRecord read_delivery(Statement& row, MessageRecordPtr message) {
  DeliveryRecord delivery;
  delivery.sequence = static_cast<std::uint64_t>(row.integer(1));
  delivery.message = std::move(message);
  delivery.qos = static_cast<std::uint8_t>(row.integer(3));
  delivery.retain = row.integer(4) != 0;
  delivery.subscription_identifiers = split_identifiers(row.text(5));
  return delivery;
}

// Runs `sql` and calls `row` for each result row.
template <class OnRow>
Result<void, std::string> for_each_row(SqliteDb& db, std::string_view sql, OnRow row) {
  auto statement = db.prepare(sql);
  if (!statement) return fail(statement.error());
  while (true) {
    auto stepped = statement->step();
    if (!stepped) return fail(stepped.error());
    if (!*stepped) return {};
    row(*statement);
  }
}

}  // namespace

Result<LoadedDatabase, std::string> load_database(SqliteDb& db) {
  if (auto cleaned = db.execute(kRemoveOrphans); !cleaned) return fail(cleaned.error());
  LoadedDatabase loaded;
  StoredState& state = loaded.state;
  std::unordered_map<std::int64_t, std::size_t> session_index;
  std::unordered_map<std::int64_t, MessageRecordPtr> messages;

  auto read = for_each_row(db, "SELECT id, client_id, expiry_interval, disconnected_at FROM sessions ORDER BY id",
                           [&](Statement& row) {
                             SessionRecord session;
                             session.id = static_cast<std::uint64_t>(row.integer(0));
                             session.client_id = row.text(1);
                             session.expiry_interval = static_cast<std::uint32_t>(row.integer(2));
                             session.disconnected_at_ms = row.optional_integer(3);
                             session_index[row.integer(0)] = state.sessions.size();
                             state.next_session_id = std::max(state.next_session_id, session.id + 1);
                             state.sessions.push_back(std::move(session));
                           });
  if (!read) return fail(read.error());

  read = for_each_row(db, "SELECT session_id, filter, options, identifier FROM subscriptions", [&](Statement& row) {
    SubscriptionRecord subscription{row.text(1), static_cast<std::uint8_t>(row.integer(2)),
                                    static_cast<std::uint32_t>(row.integer(3))};
    if (auto session = session_index.find(row.integer(0)); session != session_index.end()) {
      state.sessions[session->second].subscriptions.push_back(std::move(subscription));
    }
  });
  if (!read) return fail(read.error());

  read = for_each_row(db, "SELECT id, packet, publisher, expires_at FROM messages", [&](Statement& row) {
    auto message = std::make_shared<MessageRecord>();
    message->id = static_cast<std::uint64_t>(row.integer(0));
    message->packet = row.blob(1);
    message->publisher = row.text(2);
    message->expires_at_ms = row.optional_integer(3);
    loaded.next_message_id = std::max(loaded.next_message_id, message->id + 1);
    messages.emplace(row.integer(0), std::move(message));
  });
  if (!read) return fail(read.error());

  read = for_each_row(
      db,
      "SELECT " + std::string(kDeliveryColumns) + ", packet_id, released FROM deliveries ORDER BY session_id, sequence",
      [&](Statement& row) {
        auto session = session_index.find(row.integer(0));
        auto message = messages.find(row.integer(2));
        if (session == session_index.end() || message == messages.end()) return;
        DeliveryRecord delivery = read_delivery(row, message->second);
        delivery.packet_id = static_cast<std::uint16_t>(row.integer(6));
        delivery.released = row.integer(7) != 0;
        state.sessions[session->second].deliveries.push_back(std::move(delivery));
      });
  if (!read) return fail(read.error());

  read = for_each_row(db,
                      "SELECT " + std::string(kDeliveryColumns) + ", due_at FROM delayed ORDER BY session_id, sequence",
                      [&](Statement& row) {
                        auto session = session_index.find(row.integer(0));
                        auto message = messages.find(row.integer(2));
                        if (session == session_index.end() || message == messages.end()) return;
                        state.sessions[session->second].delayed.push_back(
                            DelayedRecord{read_delivery(row, message->second), row.integer(6)});
                      });
  if (!read) return fail(read.error());

  read = for_each_row(db, "SELECT session_id, packet_id FROM incoming_qos2", [&](Statement& row) {
    if (auto session = session_index.find(row.integer(0)); session != session_index.end()) {
      state.sessions[session->second].incoming_qos2.push_back(static_cast<std::uint16_t>(row.integer(1)));
    }
  });
  if (!read) return fail(read.error());

  read = for_each_row(db, "SELECT topic, packet, publisher, expires_at FROM retained", [&](Statement& row) {
    auto message = std::make_shared<MessageRecord>();
    message->packet = row.blob(1);
    message->publisher = row.text(2);
    message->expires_at_ms = row.optional_integer(3);
    state.retained.emplace_back(row.text(0), std::move(message));
  });
  if (!read) return fail(read.error());

  read = for_each_row(db, "SELECT subject, until FROM bans", [&](Statement& row) {
    state.bans.emplace_back(row.text(0), row.integer(1));
  });
  if (!read) return fail(read.error());

  read = for_each_row(db, "SELECT owner, recipient, purpose, granted, decided_at, expires_at FROM consents",
                      [&](Statement& row) {
                        state.consents.push_back({row.text(0), row.text(1), row.text(2), row.integer(3) != 0,
                                                  row.integer(4), row.optional_integer(5)});
                      });
  if (!read) return fail(read.error());
  return loaded;
}

}  // namespace mqwarden::store
