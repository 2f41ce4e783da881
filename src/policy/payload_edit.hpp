// The payload edits of a `modify` action, applied to a parsed JSON payload:
// set, remove, replace, pseudonymise, round, truncate, blur.
// docs/policy-modify.md says precisely what each edit does.
//
// The caller parses the payload first: a payload that is not JSON (or is
// empty) is the evaluator's business and never reaches apply_edits. Editing a
// parsed nlohmann::json cannot produce invalid JSON, and no edit writes a
// non-finite number. An edit whose target is absent or of the wrong kind
// leaves the document as it is and is listed in EditOutcome::not_applied,
// except pseudonymise without a key, which fails closed: it writes null rather
// than leave the value readable.
//
// Pure functions over the caller's document: safe from any number of threads
// on distinct documents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/ast.hpp"
#include "policy/json_path.hpp"

namespace mqwarden::policy {

// One edit, its expressions already evaluated.
struct PayloadEdit {
  EditKind kind = EditKind::set;
  JsonPath target{};         // blur: the latitude
  JsonPath second_target{};  // blur: the longitude; unused by the other edits
  nlohmann::json value{};    // set, replace: the new value
  int decimals = 0;          // round, truncate; clamped to 0..15
  double grid_metres = 0;    // blur: the size of a grid cell, > 0
};

// Why an edit left the document as it was.
enum class NotApplied : std::uint8_t {
  absent,                 // replace, remove, pseudonymise, round, truncate, blur: no value at the target
  blocked,                // set: a step of the path is not an object member that can be created
  not_a_number,           // round, truncate, blur: the target holds something other than a number
  bad_argument,           // blur: the grid is not a finite size above zero; set, replace: a non-finite number
  pseudonym_unavailable,  // pseudonymise with an empty key (or OpenSSL failing): the value became null instead
  whole_payload,          // remove of the whole payload (the checker forbids it)
};
std::string_view to_string(NotApplied reason);

struct NotAppliedEdit {
  std::size_t edit = 0;  // its position in the edits given to apply_edits
  NotApplied reason = NotApplied::absent;

  bool operator==(const NotAppliedEdit&) const = default;
};

struct EditOutcome {
  // The document's value differs from what it was. Numbers compare by value:
  // an edit that would only rewrite 45.0 as 45 writes nothing.
  bool changed = false;
  std::vector<NotAppliedEdit> not_applied;
};

// Applies `edits` to `document` in order, each seeing the result of those
// before it. Pseudonyms are HMAC-SHA256 under `pseudonym_key`: the first 16
// bytes of the MAC of the value's text (a string's UTF-8 bytes, any other
// value's compact JSON text), as 32 lowercase hex digits. The same value and
// key always give the same pseudonym, so subscribers can still correlate.
EditOutcome apply_edits(nlohmann::json& document, std::span<const PayloadEdit> edits,
                        std::span<const std::byte> pseudonym_key);

// The pseudonym of `value` under `key` (non-empty), as pseudonymise writes it.
std::string pseudonym(const nlohmann::json& value, std::span<const std::byte> key);

}  // namespace mqwarden::policy
