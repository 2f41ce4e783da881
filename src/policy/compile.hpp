// The compiler: turns a checked Policy (load.hpp) into a CompiledPolicy the
// engine evaluates. It binds host functions to their implementations,
// compiles regular expressions once, instantiates static template
// configurations, extracts indexing hints and the slice keys of temporal
// patterns, and rejects the few constructs the evaluator does not support
// (docs/policy-engine.md, "Limits") with diagnostics at their spans.
// Stateless; thread-safe.
#pragma once

#include <memory>

#include "common/result.hpp"
#include "policy/ast.hpp"
#include "policy/compiled_policy.hpp"
#include "policy/diagnostic.hpp"
#include "policy/engine_config.hpp"
#include "policy/host_functions.hpp"
#include "policy/registry.hpp"
#include "policy/source.hpp"

namespace mqwarden::policy {

struct CompileInput {
  const Policy& policy;
  const SourceSet& sources;  // the texts the policy was loaded from (rule fingerprints)
  const Registry& registry;
  const HostFunctions& functions;
  const EngineConfig& config;
};

Result<std::shared_ptr<const CompiledPolicy>, Diagnostics> compile_policy(const CompileInput& input);

}  // namespace mqwarden::policy
