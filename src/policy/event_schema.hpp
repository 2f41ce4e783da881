// Which fields each kind of event carries, and their types: the schema the
// checker resolves `client.id`, `payload.lat`, `user_properties["k"]`,
// `situation.a` against. The broker's enforcement points fill exactly these
// fields (docs/policy-language.md, "Event fields").
// Pure functions over constant tables; thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "policy/ast.hpp"

namespace mqwarden::policy {

struct FieldResolution {
  Type type = Type::unknown;  // unknown: not a field of this event; see message
  std::string message;
  std::string note;
};

// `situation_parameters`: for situation events, the parameters of the
// situation, readable as `situation.<parameter>`.
FieldResolution resolve_event_field(const EventSpec& event, const Path& path,
                                    std::span<const Parameter> situation_parameters);

// Whether `root` (`client`, `topic`, ...) starts a field of any event.
bool is_field_root(std::string_view root);

// "client.id", "topic", "payload.<field>", ... for `activity`, in the order
// the documentation lists them.
std::vector<std::string> field_names(Activity activity);

}  // namespace mqwarden::policy
