// The database schema and the SQL that reads and writes it. Internal to
// src/store; the one place that knows table and column names.
#pragma once

#include <string>

#include "common/result.hpp"
#include "store/sqlite_db.hpp"

namespace mqwarden::store {

// Sets WAL mode and the sync level, creates the tables in a new database, and
// refuses a database that is not mqwarden's or has another schema version.
Result<void, std::string> prepare_schema(SqliteDb& db, bool sync);

}  // namespace mqwarden::store
