// The database schema and the SQL that reads and writes it. Internal to
// src/store; the one place that knows table and column names.
#pragma once

#include <string>

#include "common/result.hpp"
#include "store/sqlite_db.hpp"

namespace mqwarden::store {

// Creates the tables if they do not exist, sets WAL mode and the sync level,
// and refuses a database written by a newer schema.
Result<void, std::string> prepare_schema(SqliteDb& db, bool sync);

}  // namespace mqwarden::store
