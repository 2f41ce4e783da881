// Reads the whole stored state at startup, after removing what no session
// refers to any more (rows a crash left between two related writes cannot
// exist, since every batch is one transaction, but a session removed while
// messages were still being recorded for it can leave some). Internal to src/store.
#pragma once

#include <string>

#include "common/result.hpp"
#include "store/records.hpp"
#include "store/sqlite_db.hpp"

namespace mqwarden::store {

struct LoadedDatabase {
  StoredState state;
  std::uint64_t next_message_id = 1;
};

Result<LoadedDatabase, std::string> load_database(SqliteDb& db);

}  // namespace mqwarden::store
