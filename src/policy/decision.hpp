// What the engine answers for one event: the combined verdict, the payload
// edits for this one recipient, the delay, the reactions to run, and the
// record of which rules matched and why (for the audit log and `explain`).
//
// Combination (docs/policy-engine.md, "Decisions"): deny overrides allow (the
// first denying rule in rule order gives the reason and code); without any
// verdict the activity's configured default applies; edits apply in rule
// order; the longest delay wins, capped by configuration; every reaction runs.
// A denied decision carries no edits and no delay.
//
// Thread safety: a plain value owned by the caller. Its string_views point
// into the compiled policy, which `policy` keeps alive (instance labels are
// copied: a lifecycle-bound instance may be disposed of at any time).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/engine_config.hpp"
#include "policy/payload_edit.hpp"
#include "policy/source.hpp"

namespace mqwarden::policy {

struct CompiledPolicy;

enum class Branch : std::uint8_t { then_branch, else_branch };

struct MatchedRule {
  std::string_view rule;      // "anonymise_identity", "gps_visible_when_near.1"
  std::string instance;       // a template instance: `gps_visible_when_near(target = "board1", ...)`; else ""
  Branch branch = Branch::then_branch;
  Span span;  // the rule's text
};

// `execute name(args)`: arguments in the reaction's declared parameter order,
// as JSON (durations in milliseconds, distances in metres).
struct Reaction {
  std::string_view name;
  std::vector<nlohmann::json> arguments;
  std::string_view rule;
};

struct Decision {
  Verdict verdict = Verdict::allow;
  bool by_default = true;  // no rule gave a verdict
  std::string_view deny_reason;
  std::optional<std::uint8_t> reason_code;
  std::vector<PayloadEdit> edits;  // apply to this recipient's copy of the payload only
  std::int64_t delay_ms = 0;
  std::vector<Reaction> reactions;
  std::vector<MatchedRule> matched;  // in rule order
  std::shared_ptr<const CompiledPolicy> policy;

  bool denied() const { return verdict == Verdict::deny; }
};

}  // namespace mqwarden::policy
