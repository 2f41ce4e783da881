#include "policy/event_schema.hpp"

#include <algorithm>
#include <cstdint>

#include "policy/suggest.hpp"

namespace mqwarden::policy {
namespace {

using ActivitySet = std::uint16_t;

constexpr ActivitySet bit(Activity activity) { return static_cast<ActivitySet>(1U << static_cast<unsigned>(activity)); }

constexpr ActivitySet kConnect = bit(Activity::connect);
constexpr ActivitySet kSubscribe = bit(Activity::subscribe);
constexpr ActivitySet kUnsubscribe = bit(Activity::unsubscribe);
constexpr ActivitySet kPublish = bit(Activity::publish);
constexpr ActivitySet kDeliver = bit(Activity::deliver);
constexpr ActivitySet kPing = bit(Activity::ping);
constexpr ActivitySet kDisconnect = bit(Activity::disconnect);
constexpr ActivitySet kContext = bit(Activity::context_changes);
constexpr ActivitySet kMessage = kPublish | kDeliver;
constexpr ActivitySet kWithClient = kConnect | kSubscribe | kUnsubscribe | kPublish | kPing | kDisconnect;

enum class Depth : std::uint8_t {
  exact,    // exactly this path
  deeper,   // this path followed by at least one more segment (JSON fields)
};

struct FieldSpec {
  std::string path;  // dotted; segments after it may be bracketed
  Type type;
  ActivitySet activities;
  Depth depth = Depth::exact;
};

struct IdentityField {
  std::string_view name;
  Type type;
  ActivitySet only;  // 0: wherever the entity is
  Depth depth = Depth::exact;
};

constexpr IdentityField kIdentity[] = {
    {"id", Type::string, 0},
    {"username", Type::string, 0},
    {"cn", Type::string, 0},  // certificate common name; "" without a client certificate
    {"ip", Type::string, 0},
    {"port", Type::number, 0},
    {"protocol", Type::number, 0},  // 4 for MQTT 3.1.1, 5 for MQTT 5.0
    {"roles", Type::string_list, 0},
    {"attr", Type::json, 0, Depth::deeper},
    {"clean_start", Type::boolean, kConnect},
    {"keep_alive", Type::duration, kConnect},
};

struct Entity {
  std::string_view name;
  ActivitySet activities;
};
constexpr Entity kEntities[] = {{"client", kWithClient}, {"publisher", kMessage}, {"subscriber", kDeliver}};

const std::vector<FieldSpec>& schema() {
  static const std::vector<FieldSpec> fields = [] {
    std::vector<FieldSpec> out;
    for (const Entity& entity : kEntities) {
      for (const IdentityField& field : kIdentity) {
        const ActivitySet activities = field.only == 0 ? entity.activities : (entity.activities & field.only);
        if (activities == 0) continue;
        out.push_back({std::string(entity.name) + "." + std::string(field.name), field.type, activities, field.depth});
      }
    }
    const std::vector<FieldSpec> fixed = {
        {"will.topic", Type::topic, kConnect},
        {"will.qos", Type::number, kConnect},
        {"will.retain", Type::boolean, kConnect},
        {"topic", Type::topic, kSubscribe | kUnsubscribe | kMessage},
        {"qos", Type::number, kSubscribe | kMessage},
        {"share_group", Type::string, kSubscribe | kUnsubscribe},
        {"retain", Type::boolean, kMessage},
        {"payload", Type::string, kMessage},
        {"payload", Type::json, kMessage, Depth::deeper},
        {"payload_size", Type::number, kMessage},
        {"content_type", Type::string, kMessage},
        {"user_properties", Type::json, kConnect | kSubscribe | kUnsubscribe | kMessage, Depth::deeper},
        {"reason", Type::string, kDisconnect},
        {"context.entity", Type::string, kContext},
        {"context.name", Type::string, kContext},
        {"context.value", Type::json, kContext},
        {"context.value", Type::json, kContext, Depth::deeper},
    };
    out.insert(out.end(), fixed.begin(), fixed.end());
    return out;
  }();
  return fields;
}

bool has(ActivitySet set, Activity activity) { return (set & bit(activity)) != 0; }

std::size_t segment_count(std::string_view dotted) {
  return static_cast<std::size_t>(std::count(dotted.begin(), dotted.end(), '.')) + 1;
}

// Whether the first segments of `path` spell `dotted` (all unbracketed).
bool starts_with(const Path& path, std::string_view dotted) {
  std::size_t start = 0;
  for (const PathSegment& segment : path.segments) {
    const std::size_t end = std::min(dotted.find('.', start), dotted.size());
    if (segment.bracketed || segment.name != dotted.substr(start, end - start)) return false;
    if (end == dotted.size()) return true;
    start = end + 1;
  }
  return false;
}

std::string display(Depth depth, std::string_view path) {
  return depth == Depth::deeper ? std::string(path) + ".<field>" : std::string(path);
}

std::string shown(const Path& path) {
  Path plain = path;
  plain.of_trigger = false;
  return plain.dotted();
}

FieldResolution resolve_situation_field(const EventSpec& event, const Path& path,
                                        std::span<const Parameter> parameters) {
  if (path.segments.size() == 2 && !path.segments[1].bracketed) {
    const std::string& name = path.segments[1].name;
    if (name == "name") return {Type::string, {}, {}};
    for (const Parameter& parameter : parameters) {
      if (parameter.name == name) return {parameter.type, {}, {}};
    }
  }
  std::vector<std::string> known = {"situation.name"};
  for (const Parameter& parameter : parameters) known.push_back("situation." + parameter.name);
  return {Type::unknown, "situation '" + event.subject + "' has no field '" + shown(path) + "'",
          did_you_mean(shown(path), known)};
}

}  // namespace

bool is_field_root(std::string_view root) {
  if (root == "situation") return true;
  return std::any_of(schema().begin(), schema().end(), [&](const FieldSpec& field) {
    return std::string_view(field.path).substr(0, field.path.find('.')) == root;
  });
}

std::vector<std::string> field_names(Activity activity) {
  std::vector<std::string> names;
  if (activity == Activity::situation_starts || activity == Activity::situation_ends) {
    return {"situation.name", "situation.<parameter>"};
  }
  for (const FieldSpec& field : schema()) {
    if (has(field.activities, activity)) names.push_back(display(field.depth, field.path));
  }
  return names;
}

FieldResolution resolve_event_field(const EventSpec& event, const Path& path,
                                    std::span<const Parameter> situation_parameters) {
  const bool situation_event =
      event.activity == Activity::situation_starts || event.activity == Activity::situation_ends;
  if (situation_event && starts_with(path, "situation")) {
    return resolve_situation_field(event, path, situation_parameters);
  }
  bool root_elsewhere = false;
  for (const FieldSpec& field : schema()) {
    if (!starts_with(path, field.path)) continue;
    const std::size_t length = segment_count(field.path);
    const bool depth_fits = field.depth == Depth::exact ? path.segments.size() == length
                                                        : path.segments.size() > length;
    if (!depth_fits) continue;
    if (has(field.activities, event.activity)) return {field.type, {}, {}};
    root_elsewhere = true;
  }
  const std::string what = shown(path);
  const std::string activity(to_string(event.activity));
  const std::string& root = path.segments.front().name;
  if (event.activity == Activity::deliver && root == "client") {
    return {Type::unknown, "deliver events have no 'client'",
            "say 'publisher." + (path.segments.size() > 1 ? path.segments[1].name : std::string("id")) +
                "' or 'subscriber." + (path.segments.size() > 1 ? path.segments[1].name : std::string("id")) + "'"};
  }
  if (root_elsewhere) {
    std::string known;
    for (const std::string& name : field_names(event.activity)) known += (known.empty() ? "" : ", ") + name;
    return {Type::unknown, activity + " events have no field '" + what + "'",
            "fields of " + activity + " events: " + known};
  }
  return {Type::unknown, "unknown field '" + what + "' in " + activity + " events",
          did_you_mean(what, field_names(event.activity))};
}

}  // namespace mqwarden::policy
