#include "store/schema.hpp"

namespace mqwarden::store {
namespace {

constexpr int kSchemaVersion = 1;

// Messages are shared by the deliveries that refer to them and deleted with
// the last one; retained messages are kept whole in their own table.
constexpr const char* kTables = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL,
  expiry_interval INTEGER NOT NULL,
  disconnected_at INTEGER);
CREATE TABLE IF NOT EXISTS subscriptions (
  session_id INTEGER NOT NULL,
  filter TEXT NOT NULL,
  options INTEGER NOT NULL,
  identifier INTEGER NOT NULL,
  PRIMARY KEY (session_id, filter)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  packet BLOB NOT NULL,
  publisher TEXT NOT NULL,
  expires_at INTEGER);
CREATE TABLE IF NOT EXISTS deliveries (
  session_id INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  subscription_ids TEXT NOT NULL,
  packet_id INTEGER NOT NULL,
  released INTEGER NOT NULL,
  PRIMARY KEY (session_id, sequence)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_by_message ON deliveries (message_id);
CREATE TABLE IF NOT EXISTS incoming_qos2 (
  session_id INTEGER NOT NULL,
  packet_id INTEGER NOT NULL,
  PRIMARY KEY (session_id, packet_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retained (
  topic TEXT PRIMARY KEY,
  packet BLOB NOT NULL,
  publisher TEXT NOT NULL,
  expires_at INTEGER);
)sql";

}  // namespace

Result<void, std::string> prepare_schema(SqliteDb& db, bool sync) {
  if (auto wal = db.execute("PRAGMA journal_mode=WAL"); !wal) return wal;
  if (auto level = db.execute(sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"); !level) return level;
  auto version = db.prepare("PRAGMA user_version");
  if (!version) return fail(version.error());
  auto row = version->step();
  if (!row) return fail(row.error());
  const std::int64_t found = *row ? version->integer(0) : 0;
  if (found > kSchemaVersion) {
    return fail("the database was written by a newer mqwarden (schema " + std::to_string(found) +
                ", this build reads " + std::to_string(kSchemaVersion) + ")");
  }
  if (auto tables = db.execute(kTables); !tables) return tables;
  return db.execute("PRAGMA user_version=" + std::to_string(kSchemaVersion));
}

}  // namespace mqwarden::store
