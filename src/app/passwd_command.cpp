#include "app/passwd_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "auth/password_file.hpp"
#include "auth/password_hash.hpp"
#include "common/result.hpp"

namespace mqwarden::app {
namespace {

struct PasswdOptions {
  bool create = false;
  bool batch = false;
  bool remove = false;
  int iterations = auth::kDefaultIterations;
  std::string file;
  std::string username;
  std::optional<std::string> password;
};

using Outcome = Result<void, std::string>;

// Turns terminal echo off for its lifetime, and back on if SIGINT or SIGTERM
// ends the program at the prompt.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = this;
    old_int_ = std::signal(SIGINT, &EchoOff::on_signal);
    old_term_ = std::signal(SIGTERM, &EchoOff::on_signal);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  ~EchoOff() {
    if (active_ != this) return;
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
    active_ = nullptr;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  static void on_signal(int signal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &active_->saved_);  // async-signal-safe
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }

  static inline EchoOff* active_ = nullptr;
  termios saved_{};
  void (*old_int_)(int) = SIG_DFL;
  void (*old_term_)(int) = SIG_DFL;
};

std::optional<std::string> read_line() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (line.ends_with('\r')) line.pop_back();
  return line;
}

// Echo goes off before the prompt appears, so nothing typed after it shows.
std::optional<std::string> prompt(const char* text) {
  const EchoOff echo_off;
  std::fputs(text, stderr);
  std::fflush(stderr);
  return read_line();
}

// From the terminal, twice with echo off; otherwise one line of standard input.
Result<std::string, std::string> read_password() {
  if (!::isatty(STDIN_FILENO)) {
    auto line = read_line();
    if (!line) return fail(std::string("no password on standard input"));
    return std::move(*line);
  }
  auto first = prompt("Password: ");
  if (!first) return fail(std::string("no password entered"));
  const auto second = prompt("Reenter password: ");
  if (!second || *second != *first) return fail(std::string("the passwords do not match"));
  return std::move(*first);
}

Outcome check_combination(const PasswdOptions& options) {
  if (options.create && options.remove) return fail(std::string("-c and -D cannot be used together"));
  if (options.remove && (options.batch || options.password)) {
    return fail(std::string("-D deletes a user and takes neither -b nor a password"));
  }
  if (options.password && !options.batch) {
    return fail(std::string(
        "a password on the command line needs -b (other users of this machine can see it in the process list; "
        "leave it out to be asked for it)"));
  }
  if (options.batch && !options.password) return fail(std::string("-b needs PASSWORD after USERNAME"));
  if (const auto problem = auth::check_username(options.username)) return fail(*problem);
  return {};
}

Result<auth::PasswordFile, std::string> load(const std::string& path) {
  if (!std::filesystem::exists(path)) return fail(path + " does not exist (use -c to create it)");
  auto file = auth::PasswordFile::load(path);
  if (!file) return fail(file.error().describe());
  return std::move(*file);
}

Outcome save(const auth::PasswordFile& file, const std::string& path) {
  auto saved = file.save(path);
  if (!saved) return fail(saved.error().describe());
  return {};
}

Outcome delete_user(const PasswdOptions& options) {
  auto file = load(options.file);
  if (!file) return fail(file.error());
  if (!file->remove(options.username)) {
    return fail("user '" + options.username + "' is not in " + options.file);
  }
  return save(*file, options.file);
}

Outcome set_password(const PasswdOptions& options) {
  // Read an existing file first, so that a broken one fails before the prompt.
  auth::PasswordFile file;
  if (!options.create) {
    auto loaded = load(options.file);
    if (!loaded) return fail(loaded.error());
    file = std::move(*loaded);
  }
  auto password = options.password ? Result<std::string, std::string>(*options.password) : read_password();
  if (!password) return fail(password.error());
  if (password->empty()) return fail(std::string("the password is empty"));
  auto hash = auth::hash_password(*password, options.iterations);
  if (!hash) return fail(hash.error());
  file.set(options.username, *hash);
  return save(file, options.file);
}

int run(const PasswdOptions& options) {
  Outcome outcome = check_combination(options);
  if (outcome) outcome = options.remove ? delete_user(options) : set_password(options);
  if (outcome) return 0;
  std::fprintf(stderr, "mqwarden passwd: %s\n", outcome.error().c_str());
  return 1;
}

}  // namespace

void add_passwd_command(CLI::App& app) {
  auto options = std::make_shared<PasswdOptions>();
  CLI::App* command = app.add_subcommand(
      "passwd", "Create or edit a password file (the format of Mosquitto's mosquitto_passwd; PBKDF2-SHA512)");
  command->add_flag("-c,--create", options->create, "Create FILE, overwriting it if it exists");
  command->add_flag("-b,--batch", options->batch,
                    "Take PASSWORD from the command line (visible to other local users in the process list)");
  command->add_flag("-D,--delete", options->remove, "Delete USERNAME from FILE");
  command->add_option("--iterations", options->iterations, "PBKDF2-HMAC-SHA512 iterations for the new hash")
      ->check(CLI::Range(1, INT_MAX))
      ->capture_default_str();
  command->add_option("FILE", options->file, "The password file")->required();
  command->add_option("USERNAME", options->username, "The user to add, update or delete")->required();
  command->add_option("PASSWORD", options->password, "The password, with -b only");
  command->footer(
      "Without -b, the password is read twice from the terminal with echo off, or once (one line) from\n"
      "standard input when it is not a terminal. Files are replaced atomically and written with mode 0600.\n"
      "Put -- before USERNAME or PASSWORD if it starts with '-'.");
  command->callback([options] { throw CLI::RuntimeError(run(*options)); });
}

}  // namespace mqwarden::app
