#include "app/policy_command.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "policy/load.hpp"
#include "policy/registry.hpp"

namespace mqwarden::app {
namespace {

// Exit statuses of the policy tools.
constexpr int kPolicyOk = 0;
constexpr int kPolicyRejected = 1;

struct CheckOptions {
  std::vector<std::string> files;
  bool quiet = false;
};

int run_check(const CheckOptions& options) {
  policy::SourceSet sources;
  const policy::Registry registry = policy::Registry::defaults();
  auto loaded = policy::load_policy_files(options.files, sources, registry);
  if (!loaded) {
    std::fputs(policy::format(loaded.error(), sources).c_str(), stderr);
    std::size_t errors = 0;
    for (const auto& diagnostic : loaded.error()) errors += diagnostic.severity() == policy::Severity::error;
    std::fprintf(stderr, "%zu error(s): the policy is not loaded\n", errors);
    return kPolicyRejected;
  }
  if (!loaded->warnings.empty()) std::fputs(policy::format(loaded->warnings, sources).c_str(), stderr);
  if (!options.quiet) {
    const policy::Policy& policy = loaded->policy;
    std::printf("policy OK: %zu file(s), %zu rule(s), %zu template(s), %zu configuration(s), %zu warning(s)\n",
                options.files.size(), policy.rules.size(), policy.templates.size(), policy.configurations.size(),
                loaded->warnings.size());
  }
  return kPolicyOk;
}

}  // namespace

void add_policy_command(CLI::App& app) {
  CLI::App* policy = app.add_subcommand("policy", "Tools for policy files (docs/policy-language.md)");
  policy->require_subcommand(1);

  auto check = std::make_shared<CheckOptions>();
  CLI::App* check_command =
      policy->add_subcommand("check", "Check policy files: print errors and warnings; exit 1 if there are errors");
  check_command->add_option("FILE", check->files, "Policy files, checked together as one policy")
      ->required()
      ->check(CLI::ExistingFile);
  check_command->add_flag("-q,--quiet", check->quiet, "Print nothing when the policy is OK");
  check_command->callback([check] { throw CLI::RuntimeError(run_check(*check)); });
}

}  // namespace mqwarden::app
