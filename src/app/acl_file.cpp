#include "app/acl_file.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "mqtt/topic.hpp"

namespace mqwarden::app {
namespace {

// isspace in the C locale, which is what Mosquitto trims.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::string_view trim_end(std::string_view text) {
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  return trim_end(text);
}

std::optional<AclAccess> access_named(std::string_view word) {
  if (word == "read") return AclAccess::read;
  if (word == "write") return AclAccess::write;
  if (word == "readwrite") return AclAccess::readwrite;
  if (word == "deny") return AclAccess::deny;
  return std::nullopt;
}

// Whether Mosquitto refuses the filter too: misplaced wildcards, more than 65,535 bytes. Other
// problems (text that is not UTF-8, a malformed $share/ form) are accepted: such a line matches no
// message, which the translation says.
bool refused_by_mosquitto(mqtt::TopicError error) {
  switch (error) {
    case mqtt::TopicError::too_long:
    case mqtt::TopicError::misplaced_multi_level_wildcard:
    case mqtt::TopicError::misplaced_single_level_wildcard: return true;
    default: return false;
  }
}

// At most the first 60 bytes of a filter, for messages.
std::string shown(std::string_view filter) {
  constexpr std::size_t kShown = 60;
  return filter.size() <= kShown ? std::string(filter) : std::string(filter.substr(0, kShown)) + "...";
}

class AclParser {
 public:
  explicit AclParser(std::string_view name) : name_(name) {}

  Result<AclFile, std::string> run(std::string_view text) {
    if (text.size() > kMaxAclFileBytes) {
      return fail(std::string(name_) + ": error: the file is larger than " +
                  std::to_string(kMaxAclFileBytes / (1024 * 1024)) + " MiB");
    }
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      ++number_;
      if (auto problem = parse_line(text.substr(start, end - start))) return fail(std::move(*problem));
      start = end + 1;
    }
    return std::move(acl_);
  }

 private:
  // The line's problem, if any, as the error text.
  std::optional<std::string> parse_line(std::string_view raw) {
    if (const std::size_t nul = raw.find('\0'); nul != std::string_view::npos) {
      return error(nul, "NUL byte in the line", "an ACL file is text");
    }
    line_ = trim_end(raw);
    if (line_.empty() || line_.front() == '#') return std::nullopt;
    const std::size_t keyword_start = line_.find_first_not_of(' ');
    const std::size_t keyword_end = std::min(line_.find(' ', keyword_start), line_.size());
    const std::string_view keyword = line_.substr(keyword_start, keyword_end - keyword_start);
    if (keyword == "user") return parse_user(keyword_start, keyword_end);
    if (keyword == "topic" || keyword == "pattern") return parse_rule(keyword, keyword_start, keyword_end);
    std::string note;
    if (keyword.front() == '#') {
      note = "a comment's '#' must be the first character of its line";
    } else if (keyword.find('\t') != std::string_view::npos) {
      note = "separate the words of a line with spaces: a tab does not separate them";
    }
    return error(keyword_start, "unknown line '" + std::string(keyword) + "': lines start with user, topic or pattern",
                 note);
  }

  std::optional<std::string> parse_user(std::size_t keyword_start, std::size_t keyword_end) {
    if (keyword_end == line_.size()) return error(keyword_start, "'user' needs a username");
    const std::string username(trim(line_.substr(keyword_end + 1)));
    const auto [found, added] = user_index_.try_emplace(username, acl_.users.size());
    if (added) acl_.users.push_back(AclUser{username, number_, {}});
    current_ = found->second;
    return std::nullopt;
  }

  // `topic|pattern [access] filter`: without an access word the one word left is the filter.
  std::optional<std::string> parse_rule(std::string_view keyword, std::size_t keyword_start, std::size_t keyword_end) {
    const std::size_t word_start = line_.find_first_not_of(' ', keyword_end);
    if (word_start == std::string_view::npos) {
      return error(keyword_start, "'" + std::string(keyword) + "' needs a topic filter");
    }
    const std::size_t word_end = std::min(line_.find(' ', word_start), line_.size());
    const std::string_view word = line_.substr(word_start, word_end - word_start);
    AclLine entry{AclAccess::readwrite, std::string(word), number_, std::string(trim(line_))};
    std::size_t filter_start = word_start;
    if (word_end < line_.size()) {
      const auto access = access_named(word);
      if (!access) {
        return error(word_start, "unknown access '" + std::string(word) + "': write read, write, readwrite or deny",
                     "a topic filter with a space in it needs the access first, as in: " + std::string(keyword) +
                         " readwrite " + std::string(trim(line_.substr(word_start))));
      }
      const std::string_view rest = line_.substr(word_end + 1);
      filter_start = word_end + 1 + rest.find_first_not_of(" \t\n\v\f\r");
      entry.access = *access;
      entry.filter = std::string(trim(rest));
    }
    if (const auto problem = mqtt::validate_topic_filter(entry.filter); problem && refused_by_mosquitto(*problem)) {
      return error(filter_start, "\"" + shown(entry.filter) +
                                     "\" is not a valid topic filter: " + std::string(mqtt::to_string(*problem)));
    }
    if (keyword == "pattern") {
      acl_.patterns.push_back(std::move(entry));
    } else {
      if (current_ == kNoUser) {
        current_ = acl_.users.size();
        acl_.users.push_back(AclUser{"", 0, {}});
      }
      acl_.users[current_].topics.push_back(std::move(entry));
    }
    return std::nullopt;
  }

  std::string error(std::size_t column, std::string_view message, std::string_view note = {}) const {
    std::string out = std::string(name_) + ":" + std::to_string(number_) + ":" + std::to_string(column + 1) +
                      ": error: " + std::string(message);
    if (!note.empty()) out += "\nnote: " + std::string(note);
    return out;
  }

  static constexpr std::size_t kNoUser = static_cast<std::size_t>(-1);

  std::string_view name_;
  AclFile acl_;
  std::unordered_map<std::string, std::size_t> user_index_;  // username -> index in acl_.users
  std::size_t current_ = kNoUser;                            // the block `topic` lines go to
  std::size_t number_ = 0;                                   // of the line being parsed
  std::string_view line_;                                    // without trailing blanks
};

}  // namespace

Result<AclFile, std::string> parse_acl(std::string_view text, std::string_view name) {
  return AclParser(name).run(text);
}

Result<AclFile, std::string> read_acl_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(path + ": error: cannot read the file");
  // One byte beyond the limit is enough for parse_acl to refuse the file.
  std::string text;
  std::array<char, 64 * 1024> chunk;
  while (text.size() <= kMaxAclFileBytes && (in.read(chunk.data(), chunk.size()) || in.gcount() > 0)) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return fail(path + ": error: cannot read the file");
  return parse_acl(text, path);
}

}  // namespace mqwarden::app
