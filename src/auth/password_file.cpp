#include "auth/password_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "auth/atomic_write.hpp"

namespace mqwarden::auth {
namespace {

constexpr std::size_t kMaxUsernameSize = 65'535;
constexpr std::string_view kBlanks = " \t\r\n\v\f";

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

}  // namespace

std::string PasswordFileError::describe() const {
  return line == 0 ? file + ": " + message : file + ":" + std::to_string(line) + ": " + message;
}

std::optional<std::string> check_username(std::string_view username) {
  if (username.empty()) return "the username is empty";
  if (username.size() > kMaxUsernameSize) return "the username is longer than 65535 bytes";
  if (username.find(':') != std::string_view::npos) return "the username contains ':'";
  for (const char c : username) {
    if (is_control(c)) return "the username contains a control character";
  }
  if (username.front() == '#') return "the username starts with '#', which marks a comment in the file";
  if (trim(username) != username) return "the username starts or ends with whitespace";
  return std::nullopt;
}

PasswordFile::PasswordFile() {
  refresh_dummy();
}

Result<PasswordFile, PasswordFileError> PasswordFile::parse(std::string_view text, std::string file_name) {
  PasswordFile file;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    const auto error = [&](std::string message) {
      return fail(PasswordFileError{file_name, number, std::move(message)});
    };

    Line line{std::string(raw), {}, {}};
    if (raw.starts_with('#') || trim(raw).empty()) {
      file.lines_.push_back(std::move(line));
      continue;
    }
    const std::size_t colon = raw.find(':');
    if (colon == std::string_view::npos) return error("expected 'username:hash' (no ':' on this line)");
    const std::string_view username = trim(raw.substr(0, colon));
    const std::string_view hash_text = trim(raw.substr(colon + 1));
    if (username.empty()) return error("the username is empty");
    if (username.size() > kMaxUsernameSize) return error("the username is longer than 65535 bytes");
    const std::string quoted = "user '" + std::string(username) + "': ";
    if (hash_text.empty()) return error(quoted + "no password hash after ':'");
    auto hash = parse_password_hash(hash_text);
    if (!hash) {
      const bool plain = !hash_text.starts_with('$');
      return error(quoted + hash.error() +
                   (plain ? " (plain-text passwords are not accepted; set it with `mqwarden passwd`)" : ""));
    }
    line.username = username;
    line.hash = *hash;
    const auto [where, added] = file.index_.emplace(line.username, file.lines_.size());
    if (!added) {
      return error(quoted + "already defined on line " + std::to_string(where->second + 1));
    }
    file.lines_.push_back(std::move(line));
  }
  file.refresh_dummy();
  return file;
}

Result<PasswordFile, PasswordFileError> PasswordFile::load(const std::filesystem::path& path) {
  const auto failure = [&](std::string_view what) {
    return fail(PasswordFileError{path.string(), 0, std::string(what) + ": " + std::strerror(errno)});
  };
  const std::unique_ptr<std::FILE, decltype(&std::fclose)> stream(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!stream) return failure("cannot open the password file");
  std::string text;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, stream.get())) > 0) text.append(buffer, got);
  if (std::ferror(stream.get())) return failure("cannot read the password file");
  return parse(text, path.string());
}

bool PasswordFile::contains(std::string_view username) const {
  return index_.find(username) != index_.end();
}

bool PasswordFile::verify(std::string_view username, std::string_view password) const {
  const auto found = index_.find(username);
  if (found == index_.end()) {
    // The result is irrelevant; the work is what keeps the timing alike.
    static_cast<void>(verify_password(dummy_, password));
    return false;
  }
  return verify_password(lines_[found->second].hash, password);
}

void PasswordFile::set(std::string_view username, const PasswordHash& hash) {
  Line line{std::string(username) + ":" + format_password_hash(hash), std::string(username), hash};
  if (const auto found = index_.find(username); found != index_.end()) {
    lines_[found->second] = std::move(line);
  } else {
    index_.emplace(line.username, lines_.size());
    lines_.push_back(std::move(line));
  }
  refresh_dummy();
}

bool PasswordFile::remove(std::string_view username) {
  const auto found = index_.find(username);
  if (found == index_.end()) return false;
  lines_.erase(lines_.begin() + static_cast<std::ptrdiff_t>(found->second));
  reindex();
  return true;
}

std::string PasswordFile::text() const {
  std::string out;
  for (const Line& line : lines_) out += line.text + '\n';
  return out;
}

Result<void, PasswordFileError> PasswordFile::save(const std::filesystem::path& path) const {
  auto written = write_file_atomically(path, text(), S_IRUSR | S_IWUSR);
  if (!written) return fail(PasswordFileError{path.string(), 0, written.error()});
  return {};
}

void PasswordFile::reindex() {
  index_.clear();
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (!lines_[i].username.empty()) index_.emplace(lines_[i].username, i);
  }
  refresh_dummy();
}

void PasswordFile::refresh_dummy() {
  // The most common (algorithm, iterations) among the entries; on a tie, the
  // costlier. Key 0 stands for $6$, which has no iteration count.
  std::map<int, std::size_t> counts;
  for (const auto& [username, i] : index_) {
    const PasswordHash& hash = lines_[i].hash;
    ++counts[hash.algorithm == HashAlgorithm::sha512 ? 0 : hash.iterations];
  }
  int key = kDefaultIterations;
  std::size_t best = 0;
  for (const auto& [candidate, count] : counts) {
    if (count >= best) {
      key = candidate;
      best = count;
    }
  }
  dummy_ = PasswordHash{};
  dummy_.algorithm = key == 0 ? HashAlgorithm::sha512 : HashAlgorithm::pbkdf2_sha512;
  dummy_.iterations = key == 0 ? 1 : key;
}

}  // namespace mqwarden::auth
