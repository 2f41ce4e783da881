#include "store/schema.hpp"

namespace mqwarden::store {
namespace {

// Schema 2 added the delayed and consents tables. A schema 1 database is converted by
// creating it (kTables), which is all that differs; schema 1 builds refuse a
// schema 2 database, whose messages they would collect from under its delayed rows.
constexpr int kSchemaVersion = 2;
constexpr int kOldestConvertibleVersion = 1;
// PRAGMA application_id of every mqwarden database: "mqwd".
constexpr std::int64_t kApplicationId = 0x6D717764;

// Messages are shared by the deliveries and delayed deliveries that refer to
// them and deleted with the last one; retained messages are kept whole in their own table. The
// bans table came after schema 1's first release: it is created in existing
// databases as in new ones, and older builds leave it alone.
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
CREATE TABLE IF NOT EXISTS delayed (
  session_id INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  subscription_ids TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, sequence)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS delayed_by_message ON delayed (message_id);
CREATE TABLE IF NOT EXISTS incoming_qos2 (
  session_id INTEGER NOT NULL,
  packet_id INTEGER NOT NULL,
  PRIMARY KEY (session_id, packet_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bans (
  subject TEXT PRIMARY KEY,
  until INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consents (
  owner TEXT NOT NULL,
  recipient TEXT NOT NULL,
  purpose TEXT NOT NULL,
  granted INTEGER NOT NULL,
  decided_at INTEGER NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (owner, recipient, purpose)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retained (
  topic TEXT PRIMARY KEY,
  packet BLOB NOT NULL,
  publisher TEXT NOT NULL,
  expires_at INTEGER);
)sql";

}  // namespace

namespace {

// Reads the single integer a statement such as a PRAGMA returns.
Result<std::int64_t, std::string> read_integer(SqliteDb& db, std::string_view sql) {
  auto statement = db.prepare(sql);
  if (!statement) return fail(statement.error());
  auto row = statement->step();
  if (!row) return fail(row.error());
  return *row ? statement->integer(0) : 0;
}

}  // namespace

Result<void, std::string> prepare_schema(SqliteDb& db, bool sync) {
  auto mode = db.prepare("PRAGMA journal_mode=WAL");
  if (!mode) return fail(mode.error());
  auto mode_row = mode->step();
  if (!mode_row) return fail(mode_row.error());
  if (!*mode_row || mode->text(0) != "wal") return fail(std::string("cannot switch the database to WAL mode"));
  if (auto level = db.execute(sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"); !level) return level;

  auto application = read_integer(db, "PRAGMA application_id");
  auto version = read_integer(db, "PRAGMA user_version");
  auto tables = read_integer(db, "SELECT count(*) FROM sqlite_master");
  if (!application) return fail(application.error());
  if (!version) return fail(version.error());
  if (!tables) return fail(tables.error());
  const bool empty = *application == 0 && *tables == 0;
  if (!empty && *application != kApplicationId) return fail(std::string("not an mqwarden database"));
  if (!empty && *version > kSchemaVersion) {
    return fail("the database was written by a newer mqwarden (schema " + std::to_string(*version) +
                ", this build reads " + std::to_string(kSchemaVersion) + ")");
  }
  if (!empty && *version < kOldestConvertibleVersion) {
    return fail("the database has schema " + std::to_string(*version) + ", which this build cannot convert");
  }
  // Converting is creating what is missing, so a conversion cut short is completed at the next open.
  if (auto created = db.execute(kTables); !created) return created;
  return db.execute("PRAGMA application_id=" + std::to_string(kApplicationId) +
                    "; PRAGMA user_version=" + std::to_string(kSchemaVersion));
}

}  // namespace mqwarden::store
