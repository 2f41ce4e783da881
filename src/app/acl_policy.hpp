// A Mosquitto ACL (acl_file.hpp) as policy-language rules that decide as
// Mosquitto 2 does: source text to load with the other policy files, in which
// a comment names the ACL line each part comes from.
//
// The rules only deny; deny overrides allow, so they combine with the other
// policy files, and what they do not deny is decided by those files and the
// default verdicts. For each of `tentative publish` (write access to the
// topic, for the publishing client) and `tentative deliver` (read access to
// the message's topic, for the subscriber it goes to):
//   acl_<activity>_denied  denies what a `deny` line of the client's user block matches;
//   acl_<activity>         denies what neither the client's user block nor a pattern grants.
// As in Mosquitto, a user block's grant wins over the patterns, a pattern
// `deny` only over pattern grants, and subscriptions are not checked (a
// subscriber receives only what it may read). Patterns grant nothing to a
// client whose id or username holds '+' or '#' (as in Mosquitto), nor by a
// %c or %u whose value holds '/' (which would reach into other levels).
//
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "app/acl_file.hpp"
#include "common/result.hpp"

namespace mqwarden::app {

// The policy text for `acl`; `name` (the ACL file's path) is what comments cite.
std::string acl_policy(const AclFile& acl, std::string_view name);

// Reads the ACL file at `path` and translates it; the error is read_acl_file's.
Result<std::string, std::string> acl_policy_from_file(const std::string& path);

}  // namespace mqwarden::app
