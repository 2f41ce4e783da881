// `mqwarden passwd`: creates and edits password files in the format of
// Mosquitto's mosquitto_passwd (see src/auth/password_file.hpp), with the same
// options: -c to create, -b for a password on the command line, -D to delete.
//
// Runs once on the main thread, at start-up, before anything else exists.
#pragma once

namespace CLI {
class App;
}

namespace mqwarden::app {

// Adds the `passwd` subcommand to `app`. When the command line selects it,
// the command runs while `app` parses and ends the parse by throwing
// CLI::RuntimeError with its exit status (0 on success), which CLI11_PARSE
// returns from main without printing anything more.
void add_passwd_command(CLI::App& app);

}  // namespace mqwarden::app
