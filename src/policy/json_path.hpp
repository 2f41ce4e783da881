// Paths into a JSON payload (`payload.readings[0].value`): built from the
// segments of a policy Path, looked up in a parsed document, and rendered for
// explanations and the audit trail.
//
// Plain values and pure functions: safe to use from any number of threads,
// provided no thread modifies a document another is reading.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "policy/ast.hpp"

namespace mqwarden::policy {

// One step: a member of an object (`.name` or `["name"]`, index unset, key
// the member name) or an element of an array (`[0]`, index set, key empty).
struct JsonPathStep {
  std::string key;
  std::optional<std::size_t> index;

  bool operator==(const JsonPathStep&) const = default;
};

// Steps from the document's root; an empty path names the whole document.
using JsonPath = std::vector<JsonPathStep>;

// The path of the segments that follow the leading `payload` segment of a
// policy Path: json_path_from(std::span(path.segments).subspan(1)).
JsonPath json_path_from(std::span<const PathSegment> segments);

// The value at `path`, or nullptr when it is absent: a missing member, an
// index past the end, or a step into something of the wrong kind (a member of
// an array or a scalar, an element of an object or a scalar).
const nlohmann::json* find(const nlohmann::json& document, const JsonPath& path);
nlohmann::json* find(nlohmann::json& document, const JsonPath& path);

// "payload", "payload.a[0].b", "payload[\"first name\"]": a member whose name
// is a policy word (a letter or '_', then letters, digits, '_') is written
// after a dot, any other in brackets as a JSON string.
std::string to_string(const JsonPath& path);

}  // namespace mqwarden::policy
