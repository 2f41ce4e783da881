// `mqwarden policy ...`: tools for policy authors, run without a broker.
// `policy check FILE...` lexes, parses and checks the files as one policy and
// prints every error and warning with file:line:column and the offending line;
// `test` and `explain` decide events; `acl FILE` prints the policy rules made
// from a Mosquitto acl_file (docs/policy-tools.md).
//
// Runs once on the main thread, at start-up, before anything else exists.
#pragma once

namespace CLI {
class App;
}

namespace mqwarden::app {

// Adds the `policy` subcommand to `app`. When the command line selects one of
// its commands, it runs while `app` parses and ends the parse by throwing
// CLI::RuntimeError with its exit status (0 on success), which CLI11_PARSE
// returns from main without printing anything more.
void add_policy_command(CLI::App& app);

}  // namespace mqwarden::app
