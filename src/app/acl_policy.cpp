#include "app/acl_policy.hpp"

#include <optional>
#include <string>
#include <vector>

#include "mqtt/topic.hpp"

namespace mqwarden::app {
namespace {

// An activity the ACL decides, and the access it needs.
struct Checked {
  std::string_view activity;  // "publish", "deliver"
  std::string_view who;       // whose identity the ACL reads: "client", "subscriber"
  AclAccess access;
  std::string_view access_name;
};

constexpr Checked kChecked[] = {{"publish", "client", AclAccess::write, "write"},
                                {"deliver", "subscriber", AclAccess::read, "read"}};

bool grants(const AclLine& line, AclAccess access) {
  return line.access == AclAccess::readwrite || line.access == access;
}

// Mosquitto accepts lines that can match no message, which are left out here: filters that are not
// UTF-8 or are malformed $share/ forms, and filters starting with "$share" (Mosquitto lets no client
// publish on a topic starting with "$share", so none is ever delivered).
bool matchable(const AclLine& line) {
  return !line.filter.starts_with("$share") && !mqtt::validate_topic_filter(line.filter);
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\t') {
      out += "\\t";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The condition of one `topic` or `pattern` line for `who`, and the ACL line it comes from.
struct Clause {
  std::string condition;
  const AclLine* source = nullptr;
};

Clause topic_clause(const AclLine& line) { return {"topic matches " + quoted(line.filter), &line}; }

// A pattern's filter built from `who`'s id (%c) and username (%u), substituted anywhere in the text
// as Mosquitto does. A %u needs a username; a grant also needs each value it substitutes to stay
// within one level.
Clause pattern_clause(const AclLine& line, std::string_view who) {
  std::vector<std::string> parts;
  std::string literal;
  bool uses_id = false;
  bool uses_username = false;
  const std::string_view filter = line.filter;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const bool substitution =
        filter[i] == '%' && i + 1 < filter.size() && (filter[i + 1] == 'c' || filter[i + 1] == 'u');
    if (!substitution) {
      literal += filter[i];
      continue;
    }
    if (!literal.empty()) parts.push_back(quoted(literal));
    literal.clear();
    const bool id = filter[++i] == 'c';
    (id ? uses_id : uses_username) = true;
    parts.push_back(std::string(who) + (id ? ".id" : ".username"));
  }
  if (!literal.empty()) parts.push_back(quoted(literal));
  std::string condition;
  const bool grant = line.access != AclAccess::deny;
  if (uses_username) {
    condition += std::string(who) + ".username != \"\" and ";
    if (grant) condition += "not " + std::string(who) + ".username contains \"/\" and ";
  }
  if (uses_id && grant) condition += "not " + std::string(who) + ".id contains \"/\" and ";
  condition += "topic matches ";
  for (std::size_t i = 0; i < parts.size(); ++i) condition += (i == 0 ? "" : " + ") + parts[i];
  return {std::move(condition), &line};
}

// One alternative of a rule's condition: a user block's lines, or the patterns.
struct Alternative {
  std::string comment;  // what it comes from
  std::string first;    // its first line, which `or` joins to the alternative before
  std::string rest;     // its other lines, indented, each ending with a newline
};

constexpr std::string_view kIndent = "    ";

class Translator {
 public:
  Translator(const AclFile& acl, std::string_view name) : acl_(acl), name_(name) {}

  std::string run() {
    out_ += "# The Mosquitto acl_file " + name_ + " as mqwarden policy rules, deciding as Mosquitto does.\n";
    out_ += "# What the file does not grant is denied: a publish needs write access to its topic, the\n";
    out_ += "# delivery of a message read access to its topic for the subscriber it goes to; subscriptions\n";
    out_ += "# are not checked. A deny line wins over the grants of its user block, a pattern deny line\n";
    out_ += "# over pattern grants. Patterns grant nothing to a client whose id or username holds '+' or\n";
    out_ += "# '#', nor through a %c or %u whose value holds '/'.\n";
    for (const AclUser& user : acl_.users) {
      for (const AclLine& line : user.topics) note_if_unmatchable(line);
    }
    for (const AclLine& line : acl_.patterns) note_if_unmatchable(line);
    for (const Checked& checked : kChecked) {
      denied_rule(checked);
      granted_rule(checked);
    }
    return std::move(out_);
  }

 private:
  void note_if_unmatchable(const AclLine& line) {
    if (matchable(line)) return;
    out_ += "# Left out, as it matches no message topic: " + cite(line) + "\n";
  }

  std::string cite(const AclLine& line) const { return name_ + ":" + std::to_string(line.line) + ": " + line.text; }

  // The `deny` topic lines of every user block: they win over everything else.
  void denied_rule(const Checked& checked) {
    const auto alternatives =
        user_alternatives(checked, [](const AclLine& line) { return line.access == AclAccess::deny; });
    if (alternatives.empty()) return;
    out_ += "\nrule acl_" + std::string(checked.activity) + "_denied {\n";
    out_ += "  on tentative " + std::string(checked.activity) + "\n";
    out_ += "  if\n" + joined(alternatives);
    out_ += "  then deny reason \"denied by the ACL\"\n}\n";
  }

  // Denies what neither the client's user block nor a pattern grants.
  void granted_rule(const Checked& checked) {
    auto alternatives = user_alternatives(checked, [&](const AclLine& line) { return grants(line, checked.access); });
    if (auto patterns = pattern_alternative(checked)) alternatives.push_back(std::move(*patterns));
    out_ += "\nrule acl_" + std::string(checked.activity) + " {\n";
    out_ += "  on tentative " + std::string(checked.activity) + "\n";
    if (alternatives.empty()) {
      out_ += "  # " + name_ + " grants no " + std::string(checked.access_name) + " access\n";
    } else {
      out_ += "  if not (\n" + joined(alternatives) + "  )\n";
    }
    out_ += "  then deny reason \"not allowed by the ACL\"\n}\n";
  }

  // For each user block with lines that `wanted` keeps: the username test, and those lines.
  template <class Wanted>
  std::vector<Alternative> user_alternatives(const Checked& checked, Wanted wanted) const {
    std::vector<Alternative> alternatives;
    for (const AclUser& user : acl_.users) {
      std::vector<Clause> clauses;
      for (const AclLine& line : user.topics) {
        if (wanted(line) && matchable(line)) clauses.push_back(topic_clause(line));
      }
      if (clauses.empty()) continue;
      const std::string comment =
          user.username.empty()
              ? name_ + ": the topic lines before the first user line, for clients without a username"
              : name_ + ":" + std::to_string(user.line) + ": user " + user.username;
      alternatives.push_back({comment, std::string(checked.who) + ".username == " + quoted(user.username) + " and (",
                              clause_lines(clauses) + std::string(kIndent) + ")\n"});
    }
    return alternatives;
  }

  // The pattern lines: for a client with a safe id and username, no pattern deny and a pattern grant.
  std::optional<Alternative> pattern_alternative(const Checked& checked) const {
    std::vector<Clause> denies;
    std::vector<Clause> allows;
    for (const AclLine& line : acl_.patterns) {
      if (!matchable(line)) continue;
      if (line.access == AclAccess::deny) {
        denies.push_back(pattern_clause(line, checked.who));
      } else if (grants(line, checked.access)) {
        allows.push_back(pattern_clause(line, checked.who));
      }
    }
    if (allows.empty()) return std::nullopt;
    const std::string who(checked.who);
    Alternative patterns{name_ + ": the pattern lines, for clients whose id and username hold no '+' or '#'",
                         "not " + who + ".id =~ \"[+#]\" and not " + who + ".username =~ \"[+#]\" and ", ""};
    if (!denies.empty()) {
      patterns.first += "not (";
      patterns.rest = clause_lines(denies) + std::string(kIndent) + ") and (\n";
    } else {
      patterns.first += "(";
    }
    patterns.rest += clause_lines(allows) + std::string(kIndent) + ")\n";
    return patterns;
  }

  // One clause a line, joined by `or`, each citing its ACL line.
  std::string clause_lines(const std::vector<Clause>& clauses) const {
    std::string text;
    for (std::size_t i = 0; i < clauses.size(); ++i) {
      text += std::string(kIndent) + "  " + (i == 0 ? "" : "or ") + clauses[i].condition + "  # " +
              cite(*clauses[i].source) + "\n";
    }
    return text;
  }

  static std::string joined(const std::vector<Alternative>& alternatives) {
    std::string text;
    for (std::size_t i = 0; i < alternatives.size(); ++i) {
      const Alternative& alternative = alternatives[i];
      text += std::string(kIndent) + "# " + alternative.comment + "\n";
      text += std::string(kIndent) + (i == 0 ? "" : "or ") + alternative.first + "\n" + alternative.rest;
    }
    return text;
  }

  const AclFile& acl_;
  std::string name_;
  std::string out_;
};

}  // namespace

std::string acl_policy(const AclFile& acl, std::string_view name) { return Translator(acl, name).run(); }

Result<std::string, std::string> acl_policy_from_file(const std::string& path) {
  auto acl = read_acl_file(path);
  if (!acl) return fail(acl.error());
  return acl_policy(*acl, path);
}

}  // namespace mqwarden::app
