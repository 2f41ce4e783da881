// IdentityFile: the broker's identity store, read from a file. It gives
// usernames and client identifiers roles and attributes, which policies read
// as `client.roles` and `client.attr.<name>`.
//
// The file is TOML, or JSON with the same structure when its name ends in
// ".json":
//
//   [users.alice]
//   roles = ["admin", "carer"]
//   attributes = { floor = 3, ward = "B" }
//   [clients."board-1"]
//   roles = ["device"]
//   attributes = { owner = "alice" }
//
// Both keys of an entry are optional. Loading is strict and fails on the
// first problem in the file: an unknown table or key, roles that are not
// distinct non-empty strings, attributes that are not a table, an empty
// username or client id, a TOML date or time or a non-finite number among
// the attributes (JSON has no such values), values nested deeper than 64
// levels, more than 100,000 entries, a file larger than 64 MiB, and in JSON
// a key given twice. An empty file holds no entries.
//
// Thread safety: immutable once loaded; const member functions may be
// called from any number of threads at once. A reload loads a new object.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"

namespace mqwarden::auth {

struct IdentityEntry {
  std::vector<std::string> roles;
  nlohmann::json attributes = nlohmann::json::object();
};

class IdentityFile {
 public:
  static constexpr std::size_t kMaxEntries = 100'000;  // users and clients together
  static constexpr std::size_t kMaxFileSize = 64 * 1024 * 1024;
  static constexpr int kMaxDepth = 64;

  // Fails with "path:line:column: message", or "path: message" when the
  // problem has no position (JSON values, the file as a whole).
  static Result<IdentityFile, std::string> load(const std::string& path);

  // Roles: the username's entry's, then those of the client id's entry that
  // are not among them. Attributes: the username's, overridden key by key by
  // the client id's. Without either entry: no roles, an empty object.
  IdentityEntry lookup(std::string_view username, std::string_view client_id) const;

  std::size_t users() const { return users_.size(); }
  std::size_t clients() const { return clients_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Entries = std::unordered_map<std::string, IdentityEntry, StringHash, std::equal_to<>>;

  Entries users_;
  Entries clients_;
};

}  // namespace mqwarden::auth
