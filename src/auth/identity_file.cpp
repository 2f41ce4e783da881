// Reading an identity file: its text is parsed (toml++ or nlohmann), turned
// into one JSON tree and checked by one validator, which names each problem
// by its path (`users.alice.roles[1]`). In TOML, the path leads back to the
// line and column; nlohmann's tree has no positions.
#include "auth/identity_file.hpp"

#include <sys/stat.h>

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <unordered_set>
#include <utility>
#include <variant>

#include "common/edit_distance.hpp"

namespace mqwarden::auth {
namespace {

using Json = nlohmann::json;

enum class Syntax { toml, json };

struct Position {
  std::size_t line = 0;  // 1-based; 0: unknown
  std::size_t column = 0;
};

Position position(const toml::source_region& where) {
  return {where.begin.line, where.begin.column};
}

// From a value to one inside it: a key or an array index.
using Step = std::variant<std::string, std::size_t>;
using Path = std::vector<Step>;

std::string json_quoted(std::string_view text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string path_text(const Path& path) {
  std::string text;
  for (const Step& step : path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      const bool bare = !key->empty() && std::ranges::all_of(*key, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
      });
      if (!text.empty()) text += '.';
      text += bare ? *key : json_quoted(*key);
    } else {
      text += "[" + std::to_string(std::get<std::size_t>(step)) + "]";
    }
  }
  return text;
}

std::string too_deep() {
  return "nested deeper than " + std::to_string(IdentityFile::kMaxDepth) + " levels";
}

std::string at(const Path& path, std::string_view message) {
  return path.empty() ? std::string(message) : path_text(path) + ": " + std::string(message);
}

// The problem to report: the earliest in the text when positions are known,
// else the first found.
class Problems {
 public:
  void add(Position where, std::string message) {
    const bool earlier = first_ && where.line != 0 &&
                         std::pair(where.line, where.column) < std::pair(first_->where.line, first_->where.column);
    if (!first_ || earlier) first_ = Problem{where, std::move(message)};
  }
  bool empty() const { return !first_; }
  std::string describe(const std::string& file) const {
    if (first_->where.line == 0) return file + ": " + first_->message;
    return file + ":" + std::to_string(first_->where.line) + ":" + std::to_string(first_->where.column) + ": " +
           first_->message;
  }

 private:
  struct Problem {
    Position where;
    std::string message;
  };
  std::optional<Problem> first_;
};

// A file's values as JSON, and where (in TOML) the value at a path is written.
struct Document {
  Json root;
  std::function<Position(const Path&)> locate;
};

// --- TOML ---

// The TOML value as JSON. Dates, times and non-finite numbers, which JSON
// lacks, are reported and become null.
Json to_json(const toml::node& node, Path& path, Problems& problems) {
  if ((node.is_table() || node.is_array()) && path.size() >= static_cast<std::size_t>(IdentityFile::kMaxDepth)) {
    problems.add(position(node.source()), at(path, too_deep()));
    return nullptr;
  }
  switch (node.type()) {
    case toml::node_type::table: {
      Json object = Json::object();
      for (auto&& [key, value] : *node.as_table()) {
        path.emplace_back(std::string(key.str()));
        object[std::string(key.str())] = to_json(value, path, problems);
        path.pop_back();
      }
      return object;
    }
    case toml::node_type::array: {
      Json array = Json::array();
      const toml::array& elements = *node.as_array();
      for (std::size_t i = 0; i < elements.size(); ++i) {
        path.emplace_back(i);
        array.push_back(to_json(*elements.get(i), path, problems));
        path.pop_back();
      }
      return array;
    }
    case toml::node_type::string: return node.as_string()->get();
    case toml::node_type::integer: return node.as_integer()->get();
    case toml::node_type::floating_point: {
      const double number = node.as_floating_point()->get();
      if (std::isfinite(number)) return number;
      problems.add(position(node.source()), at(path, "nan and inf have no JSON form"));
      return nullptr;
    }
    case toml::node_type::boolean: return node.as_boolean()->get();
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      problems.add(position(node.source()), at(path, "dates and times have no JSON form; write it as a string"));
      return nullptr;
    case toml::node_type::none: break;
  }
  return nullptr;
}

// Where the value at `path` is written: its key, or the element itself.
Position locate(const toml::table& root, const Path& path) {
  const toml::node* node = &root;
  Position where;
  for (const Step& step : path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      const toml::table* table = node->as_table();
      if (table == nullptr) break;
      const auto found = table->find(*key);
      if (found == table->end()) break;
      where = position(found->first.source());
      node = &found->second;
    } else {
      const toml::array* array = node->as_array();
      const std::size_t index = std::get<std::size_t>(step);
      if (array == nullptr || index >= array->size()) break;
      node = array->get(index);
      where = position(node->source());
    }
  }
  return where;
}

std::optional<Document> parse_toml(std::string_view text, const std::string& file, Problems& problems) {
  auto table = std::make_shared<toml::table>();
  try {
    *table = toml::parse(text, file);
  } catch (const toml::parse_error& error) {
    problems.add(position(error.source()), std::string(error.description()));
    return std::nullopt;
  }
  Path path;
  Json root = to_json(*table, path, problems);
  if (!problems.empty()) return std::nullopt;
  return Document{std::move(root), [table](const Path& at_path) { return locate(*table, at_path); }};
}

// --- JSON ---

// A first pass over JSON text, through nlohmann's SAX interface, for what
// its parser lets through: a key given twice in one object (it keeps the
// last) and deep nesting (memory as it is read, stack when the value is
// copied). It ends at the first problem, a syntax error included.
class JsonChecker {
 public:
  JsonChecker(std::string_view text, Problems& problems) : text_(text), problems_(problems) {}

  bool null() { return value(); }
  bool boolean(bool /*value*/) { return value(); }
  bool number_integer(Json::number_integer_t /*value*/) { return value(); }
  bool number_unsigned(Json::number_unsigned_t /*value*/) { return value(); }
  bool number_float(Json::number_float_t /*value*/, const Json::string_t& /*text*/) { return value(); }
  bool string(Json::string_t& /*value*/) { return value(); }
  bool binary(Json::binary_t& /*value*/) { return value(); }
  bool start_object(std::size_t /*size*/) { return open(true); }
  bool start_array(std::size_t /*size*/) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(Json::string_t& key) {
    Frame& frame = frames_.back();
    frame.key = key;
    if (frame.keys.insert(key).second) return true;
    problems_.add({}, at(frame.path, "key " + json_quoted(key) + " is given twice"));
    return false;
  }

  // nlohmann's message without its prefix ("[json.exception...] parse error
  // at line 1, column 2: "), placed by the byte it stopped at.
  bool parse_error(std::size_t byte, const std::string& /*last_token*/, const Json::exception& error) {
    const std::string_view what = error.what();
    const std::size_t colon = what.find(": ");
    const std::string_view read = text_.substr(0, std::min(byte, text_.size()));
    const std::size_t newline = read.rfind('\n');
    const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    const Position where{static_cast<std::size_t>(std::ranges::count(read, '\n')) + 1,
                         std::max<std::size_t>(read.size() - line_start, 1)};
    problems_.add(where, std::string(colon == std::string_view::npos ? what : what.substr(colon + 2)));
    return false;
  }

 private:
  struct Frame {
    Path path;
    bool object = false;
    std::set<std::string> keys;  // objects: the keys so far
    std::string key;             // objects: the last key
    std::size_t elements = 0;    // arrays: the elements so far
  };

  // Counts an element of the innermost array.
  bool value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().elements;
    return true;
  }

  bool open(bool object) {
    Path path;
    if (!frames_.empty()) {
      Frame& outer = frames_.back();
      path = outer.path;
      if (outer.object) {
        path.emplace_back(outer.key);
      } else {
        path.emplace_back(outer.elements++);
      }
    }
    if (frames_.size() >= static_cast<std::size_t>(IdentityFile::kMaxDepth)) {
      problems_.add({}, at(path, too_deep()));
      return false;
    }
    frames_.push_back({std::move(path), object, {}, {}, 0});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  std::string_view text_;
  Problems& problems_;
  std::vector<Frame> frames_;
};

std::optional<Document> parse_json(std::string_view text, Problems& problems) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return Document{Json::object(), {}};
  JsonChecker checker(text, problems);
  if (!Json::sax_parse(text, &checker)) return std::nullopt;
  return Document{Json::parse(text), {}};
}

// --- the structure, for both syntaxes ---

std::string kind(const Json& value, Syntax syntax) {
  switch (value.type()) {
    case Json::value_t::object: return syntax == Syntax::toml ? "a table" : "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a floating-point number";
    case Json::value_t::null: return "null";
    case Json::value_t::binary:
    case Json::value_t::discarded: break;
  }
  return "nothing";
}

// "unknown key "rols"; did you mean "roles"?", or the names expected.
std::string unknown(std::string_view what, std::string_view name, const std::array<std::string_view, 2>& known) {
  std::string message = "unknown " + std::string(what) + " " + json_quoted(name);
  for (const std::string_view candidate : known) {
    if (edit_distance(name, candidate) <= 2) return message + "; did you mean " + json_quoted(candidate) + "?";
  }
  return message + "; expected " + json_quoted(known[0]) + " or " + json_quoted(known[1]);
}

using Named = std::vector<std::pair<std::string, IdentityEntry>>;

class Validator {
 public:
  Validator(Syntax syntax, std::function<Position(const Path&)> locate, Problems& problems)
      : syntax_(syntax), locate_(std::move(locate)), problems_(problems) {}

  void check(const Json& root, Named& users, Named& clients) {
    if (!root.is_object()) return report({}, "the top level must be an object, not " + kind(root, syntax_));
    std::size_t entries = 0;
    for (const auto& [name, value] : root.items()) entries += value.is_object() ? value.size() : 0;
    if (entries > IdentityFile::kMaxEntries) {
      return report({}, std::to_string(entries) + " entries (users and clients together); at most " +
                            std::to_string(IdentityFile::kMaxEntries) + " are allowed");
    }
    Path path;
    for (const auto& [name, value] : root.items()) {
      path.emplace_back(name);
      if (name == "users") {
        read_section(value, path, "username", users);
      } else if (name == "clients") {
        read_section(value, path, "client id", clients);
      } else {
        const bool table = syntax_ == Syntax::toml && value.is_object();
        report_unknown(path, unknown(table ? "top-level table" : "top-level key", name, {"users", "clients"}));
      }
      path.pop_back();
    }
  }

 private:
  void report(const Path& path, std::string_view message) {
    problems_.add(locate_ ? locate_(path) : Position{}, at(path, message));
  }
  // At the unknown key, named after the table it is in.
  void report_unknown(const Path& path, std::string_view message) {
    problems_.add(locate_ ? locate_(path) : Position{}, at(Path(path.begin(), path.end() - 1), message));
  }
  std::string expected_table() const { return syntax_ == Syntax::toml ? "expected a table" : "expected an object"; }

  void read_section(const Json& value, Path& path, std::string_view noun, Named& out) {
    if (!value.is_object()) return report(path, expected_table() + ", got " + kind(value, syntax_));
    for (const auto& [name, entry] : value.items()) {
      path.emplace_back(name);
      if (name.empty()) {
        report(path, "the " + std::string(noun) + " is empty");
      } else if (auto checked = read_entry(entry, path)) {
        out.emplace_back(name, std::move(*checked));
      }
      path.pop_back();
    }
  }

  std::optional<IdentityEntry> read_entry(const Json& value, Path& path) {
    if (!value.is_object()) {
      report(path, expected_table() + " with \"roles\" and \"attributes\", got " + kind(value, syntax_));
      return std::nullopt;
    }
    IdentityEntry entry;
    bool valid = true;
    for (const auto& [key, field] : value.items()) {
      path.emplace_back(key);
      if (key == "roles") {
        valid = read_roles(field, path, entry.roles) && valid;
      } else if (key == "attributes") {
        if (field.is_object()) {
          entry.attributes = field;
        } else {
          report(path, expected_table() + ", got " + kind(field, syntax_));
          valid = false;
        }
      } else {
        report_unknown(path, unknown("key", key, {"roles", "attributes"}));
        valid = false;
      }
      path.pop_back();
    }
    if (!valid) return std::nullopt;
    return entry;
  }

  bool read_roles(const Json& value, Path& path, std::vector<std::string>& out) {
    if (!value.is_array()) {
      report(path, "expected an array of role names, got " + kind(value, syntax_));
      return false;
    }
    bool valid = true;
    std::unordered_set<std::string_view> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const Json& role = value[i];
      path.emplace_back(i);
      if (!role.is_string()) {
        report(path, "expected a role name (a non-empty string), got " + kind(role, syntax_));
        valid = false;
      } else if (const std::string& name = role.get_ref<const std::string&>(); name.empty()) {
        report(path, "the role name is empty");
        valid = false;
      } else if (!seen.insert(name).second) {
        report(path, "role " + json_quoted(name) + " is given twice");
        valid = false;
      } else {
        out.push_back(name);
      }
      path.pop_back();
    }
    return valid;
  }

  const Syntax syntax_;
  const std::function<Position(const Path&)> locate_;  // null: positions unknown
  Problems& problems_;
};

// The file's text, or why it cannot be had.
Result<std::string, std::string> read_text(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    const int error = errno;
    return fail("cannot open the identity file: " + std::string(std::strerror(error)));
  }
  const auto too_large = [] { return fail(std::string("the identity file is larger than 64 MiB")); };
  struct stat status {};
  if (::fstat(::fileno(file.get()), &status) == 0 && status.st_size > static_cast<off_t>(IdentityFile::kMaxFileSize)) {
    return too_large();
  }
  std::string text;
  std::array<char, 65536> buffer{};
  while (const std::size_t count = std::fread(buffer.data(), 1, buffer.size(), file.get())) {
    text.append(buffer.data(), count);
    if (text.size() > IdentityFile::kMaxFileSize) return too_large();  // grew since fstat, or not a regular file
  }
  if (std::ferror(file.get()) != 0) {
    const int error = errno;
    return fail("cannot read the identity file: " + std::string(std::strerror(error)));
  }
  return text;
}

bool names_json(std::string_view path) {
  constexpr std::string_view kSuffix = ".json";
  return path.size() >= kSuffix.size() &&
         std::ranges::equal(path.substr(path.size() - kSuffix.size()), kSuffix,
                            [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

}  // namespace

Result<IdentityFile, std::string> IdentityFile::load(const std::string& path) {
  auto text = read_text(path);
  if (!text) return fail(path + ": " + text.error());
  const Syntax syntax = names_json(path) ? Syntax::json : Syntax::toml;
  Problems problems;
  const std::optional<Document> document =
      syntax == Syntax::json ? parse_json(*text, problems) : parse_toml(*text, path, problems);
  Named users;
  Named clients;
  if (document) Validator(syntax, document->locate, problems).check(document->root, users, clients);
  if (!problems.empty()) return fail(problems.describe(path));

  IdentityFile file;
  for (auto& [name, entry] : users) file.users_.emplace(std::move(name), std::move(entry));
  for (auto& [name, entry] : clients) file.clients_.emplace(std::move(name), std::move(entry));
  return file;
}

IdentityEntry IdentityFile::lookup(std::string_view username, std::string_view client_id) const {
  IdentityEntry result;
  if (const auto user = users_.find(username); user != users_.end()) result = user->second;
  if (const auto client = clients_.find(client_id); client != clients_.end()) {
    for (const std::string& role : client->second.roles) {
      if (std::ranges::find(result.roles, role) == result.roles.end()) result.roles.push_back(role);
    }
    for (const auto& [name, value] : client->second.attributes.items()) result.attributes[name] = value;
  }
  return result;
}

}  // namespace mqwarden::auth
