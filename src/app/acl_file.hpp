// Mosquitto's acl_file, read the way Mosquitto 2 reads it: `user <name>`
// starts a user's block, `topic [read|write|readwrite|deny] <filter>` adds to
// the current block (before any `user` line: to clients without a username),
// `pattern [read|write|readwrite|deny] <filter>` applies to every client, with
// %c and %u standing for its client id and username; a line whose first
// character is '#' is a comment. Words are separated by spaces (not tabs); a
// filter may hold spaces after an explicit access word. Each line keeps its
// number and text so that the policy made from it (acl_policy.hpp) can name
// where each rule came from.
//
// Stateless functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mqwarden::app {

// A larger file is refused: even an ACL of many thousand users stays far below.
inline constexpr std::size_t kMaxAclFileBytes = 16 * 1024 * 1024;

enum class AclAccess : std::uint8_t { read, write, readwrite, deny };

// One `topic` or `pattern` line.
struct AclLine {
  AclAccess access = AclAccess::readwrite;
  std::string filter;    // a valid MQTT topic filter; in patterns, %c and %u are still to be replaced
  std::size_t line = 0;  // 1-based
  std::string text;      // the line without the blanks around it
};

// The `topic` lines of one user, or (username empty, line 0) those before the
// first `user` line, which apply to clients without a username.
struct AclUser {
  std::string username;
  std::size_t line = 0;  // the first `user` line naming this user
  std::vector<AclLine> topics;
};

struct AclFile {
  std::vector<AclUser> users;     // in order of first appearance; a user named twice has one block
  std::vector<AclLine> patterns;  // in file order
};

// Parses the text of an ACL file. The error is "<name>:<line>:<column>: error: <what>",
// possibly followed by a line "note: <how to fix it>"; the first error stops the parse.
Result<AclFile, std::string> parse_acl(std::string_view text, std::string_view name);

// Reads the file at `path` (at most kMaxAclFileBytes) and parses it; errors name the path.
Result<AclFile, std::string> read_acl_file(const std::string& path);

}  // namespace mqwarden::app
