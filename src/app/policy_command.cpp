#include "app/policy_command.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/acl_policy.hpp"
#include "app/policy_scenario.hpp"
#include "app/scenario_functions.hpp"
#include "policy/engine.hpp"
#include "policy/json_path.hpp"
#include "policy/load.hpp"
#include "policy/registry.hpp"

namespace mqwarden::app {
namespace {

// Exit statuses of the policy tools.
constexpr int kPolicyOk = 0;
constexpr int kPolicyRejected = 1;  // errors in the policy, or cases that failed
constexpr int kBadInput = 2;        // a cases or event file that cannot be used

struct CheckOptions {
  std::vector<std::string> files;
  bool quiet = false;
};

struct TestOptions {
  std::vector<std::string> files;
  std::vector<std::string> cases;
  bool verbose = false;
};

struct ExplainOptions {
  std::vector<std::string> files;
  std::string event;    // JSON text, or @FILE
  std::string context;  // JSON text, or @FILE; optional
};

struct AclOptions {
  std::string file;  // a Mosquitto acl_file
};

std::size_t count_errors(const policy::Diagnostics& diagnostics) {
  std::size_t errors = 0;
  for (const auto& diagnostic : diagnostics) errors += diagnostic.severity() == policy::Severity::error;
  return errors;
}

int run_check(const CheckOptions& options) {
  policy::SourceSet sources;
  const policy::Registry registry = policy::Registry::defaults();
  auto loaded = policy::load_policy_files(options.files, sources, registry);
  if (loaded) {  // what only the engine's load finds (compiling, the monitors' windows), as in the broker
    const ScenarioContext no_context;
    policy::Engine engine(registry, scenario_functions(no_context));
    if (auto in_force = engine.load(sources); !in_force) loaded = fail(std::move(in_force.error()));
  }
  if (!loaded) {
    std::fputs(policy::format(loaded.error(), sources).c_str(), stderr);
    std::fprintf(stderr, "%zu error(s): the policy is not loaded\n", count_errors(loaded.error()));
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

// JSON from `text`, or from the file it names after '@'.
Result<nlohmann::json, std::string> read_json(const std::string& text) {
  std::string content = text;
  std::string origin = "the argument";
  if (text.starts_with('@')) {
    origin = text.substr(1);
    std::ifstream in(origin, std::ios::binary);
    if (!in) return fail("cannot read '" + origin + "'");
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  try {
    return nlohmann::json::parse(content);
  } catch (const nlohmann::json::parse_error& error) {
    return fail(origin + ": not valid JSON: " + error.what());
  }
}

// Loads the policy files into `engine`, printing diagnostics; false if the policy does not load.
bool load_into(policy::Engine& engine, const std::vector<std::string>& files, policy::SourceSet& sources,
               std::int64_t start_ms) {
  const policy::Diagnostics unreadable = policy::read_sources(files, sources);
  if (!unreadable.empty()) {
    std::fputs(policy::format(unreadable, sources).c_str(), stderr);
    return false;
  }
  auto loaded = engine.load(sources, start_ms);
  if (!loaded) {
    std::fputs(policy::format(loaded.error(), sources).c_str(), stderr);
    std::fprintf(stderr, "%zu error(s): the policy is not loaded\n", count_errors(loaded.error()));
    return false;
  }
  return true;
}

std::string where(const policy::Span& span, const policy::SourceSet& sources) {
  return sources.file(span.file).name + ":" + std::to_string(span.line) + ":" + std::to_string(span.column);
}

std::string verdict_name(policy::Verdict verdict) {
  return verdict == policy::Verdict::deny ? "deny" : "allow";
}

// This recipient's payload after the decision's edits: what a subscriber would get.
nlohmann::json edited_payload(const ScenarioEvent& event, const policy::Decision& decision, const std::string& key) {
  nlohmann::json payload = event.payload_json();
  policy::apply_edits(payload, decision.edits, std::as_bytes(std::span(key.data(), key.size())));
  return payload;
}

// Prints the decision as `explain` shows it, each line indented by `indent`.
void print_decision(const policy::Decision& decision, const ScenarioEvent& event, const policy::SourceSet& sources,
                    const std::string& key, const char* indent) {
  std::printf("%sverdict: %s%s", indent, verdict_name(decision.verdict).c_str(),
              decision.by_default ? " (no rule gave one: the activity's default)" : "");
  if (decision.denied() && !decision.deny_reason.empty()) {
    std::printf(", reason \"%.*s\"", static_cast<int>(decision.deny_reason.size()), decision.deny_reason.data());
  }
  if (decision.reason_code) std::printf(", reason code 0x%02X", *decision.reason_code);
  std::printf("\n");
  if (decision.matched.empty()) std::printf("%sno rule matched\n", indent);
  for (const policy::MatchedRule& rule : decision.matched) {
    std::printf("%srule %.*s%s%s: %s branch, %s\n", indent, static_cast<int>(rule.rule.size()), rule.rule.data(),
                rule.instance.empty() ? "" : " in ", rule.instance.c_str(),
                rule.branch == policy::Branch::then_branch ? "then" : "else", where(rule.span, sources).c_str());
  }
  for (const policy::PayloadEdit& edit : decision.edits) {
    std::printf("%sedit: %s %s\n", indent, std::string(policy::to_string(edit.kind)).c_str(),
                policy::to_string(edit.target).c_str());
  }
  if (!decision.edits.empty() && event.event().payload != nullptr) {
    std::printf("%spayload after the edits: %s\n", indent, edited_payload(event, decision, key).dump().c_str());
  }
  if (decision.delay_ms > 0) std::printf("%sdelay: %lld ms\n", indent, static_cast<long long>(decision.delay_ms));
  for (const policy::Reaction& reaction : decision.reactions) {
    std::printf("%sreaction: %.*s%s (rule %.*s)\n", indent, static_cast<int>(reaction.name.size()),
                reaction.name.data(), nlohmann::json(reaction.arguments).dump().c_str(),
                static_cast<int>(reaction.rule.size()), reaction.rule.data());
  }
}

// What differs between the decision and the expectation, one line each.
std::vector<std::string> mismatches(const Expectation& expect, const policy::Decision& decision,
                                    const ScenarioEvent& event, const std::string& key) {
  std::vector<std::string> found;
  auto differ = [&](const std::string& what, const std::string& expected, const std::string& got) {
    if (expected != got) found.push_back(what + ": expected " + expected + ", got " + got);
  };
  if (expect.verdict) differ("verdict", *expect.verdict, verdict_name(decision.verdict));
  if (expect.reason) differ("reason", "\"" + *expect.reason + "\"", "\"" + std::string(decision.deny_reason) + "\"");
  if (expect.reason_code) {
    differ("reason code", std::to_string(*expect.reason_code),
           decision.reason_code ? std::to_string(*decision.reason_code) : "none");
  }
  if (expect.payload) differ("payload", expect.payload->dump(), edited_payload(event, decision, key).dump());
  if (expect.delay_ms) {
    differ("delay", std::to_string(*expect.delay_ms) + " ms", std::to_string(decision.delay_ms) + " ms");
  }
  auto names = [](const auto& items, auto name_of) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : items) list.push_back(std::string(name_of(item)));
    return list.dump();
  };
  if (expect.reactions) {
    differ("reactions", nlohmann::json(*expect.reactions).dump(),
           names(decision.reactions, [](const policy::Reaction& reaction) { return reaction.name; }));
  }
  if (expect.rules) {
    differ("rules", nlohmann::json(*expect.rules).dump(),
           names(decision.matched, [](const policy::MatchedRule& rule) { return rule.rule; }));
  }
  return found;
}

int run_test(const TestOptions& options) {
  std::size_t passed = 0;
  std::size_t failed = 0;
  for (const std::string& cases_file : options.cases) {
    auto json = read_json("@" + cases_file);
    if (!json) {
      std::fprintf(stderr, "mqwarden policy test: %s\n", json.error().c_str());
      return kBadInput;
    }
    auto scenario = parse_scenario(*json);
    if (!scenario) {
      std::fprintf(stderr, "mqwarden policy test: %s: %s\n", cases_file.c_str(), scenario.error().c_str());
      return kBadInput;
    }
    // A fresh engine per cases file: each starts with no history.
    policy::Engine engine(policy::Registry::defaults(), scenario_functions(scenario->context));
    policy::SourceSet sources;
    if (!load_into(engine, options.files, sources, scenario->cases.front().event->event().time_ms)) {
      return kPolicyRejected;
    }
    for (const ScenarioCase& scenario_case : scenario->cases) {
      for (std::size_t i = 1; i < scenario_case.repeat; ++i) (void)engine.decide(scenario_case.event->event());
      const policy::Decision decision = engine.decide(scenario_case.event->event());
      const auto problems =
          mismatches(scenario_case.expect, decision, *scenario_case.event, scenario->context.pseudonym_key);
      if (problems.empty()) {
        ++passed;
        if (options.verbose) std::printf("ok   %s: %s\n", cases_file.c_str(), scenario_case.name.c_str());
        continue;
      }
      ++failed;
      std::printf("FAIL %s: %s\n", cases_file.c_str(), scenario_case.name.c_str());
      for (const std::string& problem : problems) std::printf("  %s\n", problem.c_str());
      print_decision(decision, *scenario_case.event, sources, scenario->context.pseudonym_key, "  | ");
    }
  }
  std::printf("%zu passed, %zu failed\n", passed, failed);
  return failed == 0 ? kPolicyOk : kPolicyRejected;
}

int run_explain(const ExplainOptions& options) {
  ScenarioContext context;
  if (!options.context.empty()) {
    auto json = read_json(options.context);
    if (!json) {
      std::fprintf(stderr, "mqwarden policy explain: --context: %s\n", json.error().c_str());
      return kBadInput;
    }
    auto parsed = parse_context(*json);
    if (!parsed) {
      std::fprintf(stderr, "mqwarden policy explain: --context: %s\n", parsed.error().c_str());
      return kBadInput;
    }
    context = std::move(parsed).value();
  }
  auto json = read_json(options.event);
  if (!json) {
    std::fprintf(stderr, "mqwarden policy explain: --event: %s\n", json.error().c_str());
    return kBadInput;
  }
  // An event that names no time happens now.
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto event = parse_event(*json, now_ms);
  if (!event) {
    std::fprintf(stderr, "mqwarden policy explain: --event: %s\n", event.error().c_str());
    return kBadInput;
  }
  policy::Engine engine(policy::Registry::defaults(), scenario_functions(context));
  policy::SourceSet sources;
  if (!load_into(engine, options.files, sources, (*event)->event().time_ms)) return kPolicyRejected;
  const policy::Decision decision = engine.decide((*event)->event());
  print_decision(decision, **event, sources, context.pseudonym_key, "");
  return kPolicyOk;
}

int run_acl(const AclOptions& options) {
  auto policy = acl_policy_from_file(options.file);
  if (!policy) {
    std::fprintf(stderr, "%s\n", policy.error().c_str());
    return kPolicyRejected;
  }
  std::fputs(policy->c_str(), stdout);
  return kPolicyOk;
}

}  // namespace

void add_policy_command(CLI::App& app) {
  CLI::App* policy = app.add_subcommand("policy", "Tools for policy files (docs/policy-tools.md)");
  policy->require_subcommand(1);

  auto check = std::make_shared<CheckOptions>();
  CLI::App* check_command =
      policy->add_subcommand("check", "Check policy files: print errors and warnings; exit 1 if there are errors");
  check_command->add_option("FILE", check->files, "Policy files, checked together as one policy")
      ->required()
      ->check(CLI::ExistingFile);
  check_command->add_flag("-q,--quiet", check->quiet, "Print nothing when the policy is OK");
  check_command->callback([check] { throw CLI::RuntimeError(run_check(*check)); });

  auto test = std::make_shared<TestOptions>();
  CLI::App* test_command = policy->add_subcommand(
      "test", "Run policy unit tests: timed events and the decisions expected; prints 'N passed, M failed'");
  test_command->add_option("FILE", test->files, "Policy files, loaded together as one policy")
      ->required()
      ->check(CLI::ExistingFile);
  test_command
      ->add_option("--cases", test->cases,
                   "Cases files (JSON; docs/policy-tools.md), each run from a "
                   "fresh engine")
      ->required()
      ->check(CLI::ExistingFile);
  test_command->add_flag("-v,--verbose", test->verbose, "Also list the cases that pass");
  test_command->footer("Exit status: 0 all passed, 1 a case failed or the policy has errors, 2 a bad cases file.");
  test_command->callback([test] { throw CLI::RuntimeError(run_test(*test)); });

  auto explain = std::make_shared<ExplainOptions>();
  CLI::App* explain_command =
      policy->add_subcommand("explain", "Decide one event and show which rules applied and why");
  explain_command->add_option("FILE", explain->files, "Policy files, loaded together as one policy")
      ->required()
      ->check(CLI::ExistingFile);
  explain_command->add_option("--event", explain->event, "The event as JSON, or @FILE (docs/policy-tools.md)")
      ->required();
  explain_command->add_option("--context", explain->context, "Positions, reputations, consents... as JSON, or @FILE");
  explain_command->callback([explain] { throw CLI::RuntimeError(run_explain(*explain)); });

  auto acl = std::make_shared<AclOptions>();
  CLI::App* acl_command = policy->add_subcommand(
      "acl", "Translate a Mosquitto acl_file into policy rules that decide as Mosquitto does, and print them");
  acl_command->add_option("FILE", acl->file, "The Mosquitto ACL file")->required()->check(CLI::ExistingFile);
  acl_command->footer("Exit status: 0 printed, 1 the file has an error (shown with its line and column).");
  acl_command->callback([acl] { throw CLI::RuntimeError(run_acl(*acl)); });
}

}  // namespace mqwarden::app
