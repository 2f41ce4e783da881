// The payload edits of modify: one function per edit kind, and the decimal
// arithmetic and grid geometry they need.
#include "policy/payload_edit.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <optional>

namespace mqwarden::policy {
namespace {

using nlohmann::json;

// What one edit did: whether the document changed, and why it did not apply.
struct Effect {
  bool changed = false;
  std::optional<NotApplied> problem;
};
Effect done(bool changed) {
  return {changed, std::nullopt};
}
Effect refused(NotApplied reason) {
  return {false, reason};
}

constexpr int kMaxDecimals = 15;
constexpr double kMetresPerDegree = 111'320;
constexpr double kMaxCells = 1e15;  // finer cells than this are below a double's resolution of a degree

std::string compact(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool assign(json& slot, json value) {
  if (slot == value) return false;
  slot = std::move(value);
  return true;
}

// A whole number is written as an integer (45, not 45.0; 0, not -0.0).
bool assign_number(json& slot, double number) {
  if (!std::isfinite(number)) return false;
  const bool whole = number == std::trunc(number) && number >= -0x1p63 && number < 0x1p63;
  return whole ? assign(slot, static_cast<std::int64_t>(number)) : assign(slot, number);
}

bool all_finite(const json& value) {
  if (value.is_number_float()) return std::isfinite(value.get<double>());
  if (!value.is_structured()) return true;
  return std::all_of(value.begin(), value.end(), [](const json& item) { return all_finite(item); });
}

enum class Cut : std::uint8_t { round, truncate };

// `number` with at most `decimals` decimals, computed on its shortest decimal
// form (what the payload showed), so that 1.005 rounds to 1.01 and the result
// prints without noise. Rounds half away from zero; truncates toward zero.
double cut_decimals(double number, int decimals, Cut cut) {
  char text[64];
  const auto written = std::to_chars(std::begin(text), std::end(text), number, std::chars_format::scientific);
  const std::string_view form(text, static_cast<std::size_t>(written.ptr - text));  // "-4.5123456e+01"
  const bool negative = form.front() == '-';
  const std::size_t e = form.find('e');
  std::string digits;
  for (char c : form.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  const std::size_t exponent_start = e + (form[e + 1] == '+' ? 2 : 1);
  std::from_chars(form.data() + exponent_start, form.data() + form.size(), exponent);

  // number = 0.<digits> × 10^(exponent + 1); keep the digits above 10^-decimals.
  const int keep = exponent + 1 + decimals;
  if (keep >= static_cast<int>(digits.size())) return number;
  const bool up = cut == Cut::round && keep >= 0 && digits[static_cast<std::size_t>(keep)] >= '5';
  digits.resize(static_cast<std::size_t>(std::max(keep, 0)));
  if (up) {
    std::size_t i = digits.size();
    while (i > 0 && digits[i - 1] == '9') digits[--i] = '0';
    if (i == 0) {
      digits.insert(digits.begin(), '1');
    } else {
      ++digits[i - 1];
    }
  }
  const std::string result =
      (negative ? "-" : "") + (digits.empty() ? std::string("0") : digits) + "e-" + std::to_string(decimals);
  double cut_number = 0;
  std::from_chars(result.data(), result.data() + result.size(), cut_number);
  return cut_number;
}

struct Cell {
  double centre = 0;
  double size = 0;
};

// The cell holding `coordinate` among equal cells that tile [low, low + span)
// exactly, each at least `cell` wide (one cell when `cell` exceeds `span`).
Cell cell_of(double coordinate, double low, double span, double cell) {
  const double count = std::clamp(std::floor(span / cell), 1.0, kMaxCells);
  const double size = span / count;
  const double index = std::clamp(std::floor((coordinate - low) / size), 0.0, count - 1);
  return {low + (index + 0.5) * size, size};
}

// A cell's centre, to a thousandth of the cell: no digits that would suggest
// more precision than the grid keeps.
double tidy(const Cell& cell) {
  const double decimals = std::ceil(-std::log10(cell.size / 1000));
  return cut_decimals(cell.centre, static_cast<int>(std::clamp(decimals, 0.0, double{kMaxDecimals})), Cut::round);
}

double wrapped_longitude(double longitude) {
  const double turns = std::fmod(longitude + 180, 360);
  return (turns < 0 ? turns + 360 : turns) - 180;
}

Effect set(json& document, const JsonPath& path, const json& value) {
  json* node = &document;
  std::size_t step = 0;
  for (; step < path.size(); ++step) {
    const JsonPathStep& next = path[step];
    if (next.index) {
      if (!node->is_array() || *next.index >= node->size()) return refused(NotApplied::blocked);
      node = &(*node)[*next.index];
    } else {
      if (!node->is_object()) return refused(NotApplied::blocked);
      const auto member = node->find(next.key);
      if (member == node->end()) break;
      node = &*member;
    }
  }
  // The rest of the path is missing: only object members can be created.
  const auto rest = path.begin() + static_cast<std::ptrdiff_t>(step);
  if (std::any_of(rest, path.end(), [](const JsonPathStep& missing) { return missing.index.has_value(); })) {
    return refused(NotApplied::blocked);
  }
  const bool created = step < path.size();
  for (; step < path.size(); ++step) node = &(*node)[path[step].key];
  return done(assign(*node, value) || created);
}

Effect remove(json& document, const JsonPath& path) {
  if (path.empty()) return refused(NotApplied::whole_payload);
  json* parent = find(document, JsonPath(path.begin(), path.end() - 1));
  const JsonPathStep& last = path.back();
  if (parent != nullptr && last.index && parent->is_array() && *last.index < parent->size()) {
    parent->erase(*last.index);
    return done(true);
  }
  if (parent != nullptr && !last.index && parent->is_object() && parent->erase(last.key) > 0) return done(true);
  return refused(NotApplied::absent);
}

Effect replace(json& document, const JsonPath& path, const json& value) {
  json* target = find(document, path);
  if (target == nullptr) return refused(NotApplied::absent);
  return done(assign(*target, value));
}

Effect pseudonymise(json& document, const JsonPath& path, std::span<const std::byte> key) {
  json* target = find(document, path);
  if (target == nullptr) return refused(NotApplied::absent);
  std::string replacement = pseudonym(*target, key);
  if (replacement.empty()) return {assign(*target, nullptr), NotApplied::pseudonym_unavailable};
  return done(assign(*target, std::move(replacement)));
}

Effect cut(json& document, const JsonPath& path, int decimals, Cut how) {
  json* target = find(document, path);
  if (target == nullptr) return refused(NotApplied::absent);
  if (!target->is_number()) return refused(NotApplied::not_a_number);
  if (!target->is_number_float()) return done(false);  // an integer has no decimals to lose
  return done(assign_number(*target, cut_decimals(target->get<double>(), std::clamp(decimals, 0, kMaxDecimals), how)));
}

Effect blur(json& document, const PayloadEdit& edit) {
  json* latitude = find(document, edit.target);
  json* longitude = find(document, edit.second_target);
  if (latitude == nullptr || longitude == nullptr) return refused(NotApplied::absent);
  if (!latitude->is_number() || !longitude->is_number()) return refused(NotApplied::not_a_number);
  if (!(edit.grid_metres > 0) || !std::isfinite(edit.grid_metres)) return refused(NotApplied::bad_argument);

  const double cell_degrees = edit.grid_metres / kMetresPerDegree;
  const Cell row = cell_of(std::clamp(latitude->get<double>(), -90.0, 90.0), -90, 180, cell_degrees);
  const double shrink = std::cos(row.centre * std::numbers::pi / 180);  // > 0: a centre is never a pole
  const Cell column = cell_of(wrapped_longitude(longitude->get<double>()), -180, 360, cell_degrees / shrink);
  const bool moved_latitude = assign_number(*latitude, tidy(row));
  const bool moved_longitude = assign_number(*longitude, tidy(column));
  return done(moved_latitude || moved_longitude);
}

Effect apply(json& document, const PayloadEdit& edit, std::span<const std::byte> key) {
  switch (edit.kind) {
    case EditKind::set:
    case EditKind::replace:
      if (!all_finite(edit.value)) return refused(NotApplied::bad_argument);
      return edit.kind == EditKind::set ? set(document, edit.target, edit.value)
                                        : replace(document, edit.target, edit.value);
    case EditKind::remove: return remove(document, edit.target);
    case EditKind::pseudonymise: return pseudonymise(document, edit.target, key);
    case EditKind::round: return cut(document, edit.target, edit.decimals, Cut::round);
    case EditKind::truncate: return cut(document, edit.target, edit.decimals, Cut::truncate);
    case EditKind::blur: return blur(document, edit);
  }
  return done(false);
}

}  // namespace

std::string_view to_string(NotApplied reason) {
  switch (reason) {
    case NotApplied::absent: return "no value at the target";
    case NotApplied::blocked: return "a step of the path is not an object member that can be created";
    case NotApplied::not_a_number: return "the target is not a number";
    case NotApplied::bad_argument: return "the argument is not usable";
    case NotApplied::pseudonym_unavailable: return "no pseudonym key: the value was replaced by null";
    case NotApplied::whole_payload: return "the whole payload cannot be removed";
  }
  return "unknown";
}

std::string pseudonym(const json& value, std::span<const std::byte> key) {
  if (key.empty()) return {};
  const std::string text = value.is_string() ? value.get<std::string>() : compact(value);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
           text.size(), mac, &length) == nullptr) {
    return {};
  }
  constexpr std::size_t kBytes = 16;
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < kBytes; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xF];
  }
  return out;
}

EditOutcome apply_edits(json& document, std::span<const PayloadEdit> edits, std::span<const std::byte> pseudonym_key) {
  EditOutcome outcome;
  for (std::size_t i = 0; i < edits.size(); ++i) {
    const Effect effect = apply(document, edits[i], pseudonym_key);
    outcome.changed = outcome.changed || effect.changed;
    if (effect.problem) outcome.not_applied.push_back({i, *effect.problem});
  }
  return outcome;
}

}  // namespace mqwarden::policy
