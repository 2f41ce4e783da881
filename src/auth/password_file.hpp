// A password file in Mosquitto's format: one `username:hash` line per user,
// the hash as password_hash.hpp describes it. Lines that start with '#' are
// comments and blank lines are ignored, as Mosquitto's broker allows;
// `mosquitto_passwd` itself writes neither, but both are kept when mqwarden
// edits a file. Surrounding whitespace around the username and the hash is
// ignored, as Mosquitto does.
//
// Unlike Mosquitto, which skips bad lines with a warning, loading fails on the
// first bad line (an entry that is not `user:hash`, a hash that does not parse,
// a username given twice): a broker must not run with fewer users than the
// operator meant. Errors carry file:line and never repeat a hash or a line's
// text, which may be a mistyped password.
//
// Thread-safety: const member functions may be called from any number of
// threads at once; the broker shares a loaded file as
// std::shared_ptr<const PasswordFile> and a reload builds a new object. The
// editing functions (set, remove) are for the `mqwarden passwd` command and
// need exclusive access.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/password_hash.hpp"
#include "common/result.hpp"

namespace mqwarden::auth {

struct PasswordFileError {
  std::string file;      // as given to load(), or the name passed to parse()
  std::size_t line = 0;  // 1-based; 0 when the error is not about one line
  std::string message;

  // "file:line: message", or "file: message" when line is 0.
  std::string describe() const;
};

// Why a username cannot be stored, or nothing if it can. Mosquitto's rules
// (not empty, at most 65,535 bytes, no ':' and no control characters) plus
// two that keep the file readable as written: no leading '#' (a comment) and
// no surrounding whitespace (trimmed when the file is read).
std::optional<std::string> check_username(std::string_view username);

class PasswordFile {
 public:
  PasswordFile();  // no users

  static Result<PasswordFile, PasswordFileError> parse(std::string_view text, std::string file_name);
  static Result<PasswordFile, PasswordFileError> load(const std::filesystem::path& path);

  std::size_t size() const { return index_.size(); }
  bool contains(std::string_view username) const;

  // True if `username` is in the file and `password` matches its hash. An
  // unknown username costs as much as a wrong password: its password is
  // checked against a dummy hash with the iteration count that most entries
  // use, so the time taken does not tell which usernames exist.
  bool verify(std::string_view username, std::string_view password) const;

  // Adds `username` with `hash`, or replaces its hash where it stands.
  // The username must pass check_username.
  void set(std::string_view username, const PasswordHash& hash);
  // Removes `username`; false if it was not there.
  bool remove(std::string_view username);

  // The file's text: untouched lines as they were read, edited ones as
  // mosquitto_passwd writes them, each ending in '\n'.
  std::string text() const;
  // Writes text() atomically with mode 0600 (see atomic_write.hpp).
  Result<void, PasswordFileError> save(const std::filesystem::path& path) const;

 private:
  struct Line {
    std::string text;
    std::string username;  // empty for comments and blank lines
    PasswordHash hash;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  void reindex();
  void refresh_dummy();

  std::vector<Line> lines_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> index_;  // username -> lines_ index
  PasswordHash dummy_;  // verified against for unknown usernames
};

}  // namespace mqwarden::auth
