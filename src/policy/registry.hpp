// The functions, reactions and context names a host offers to policies.
//
// The engine hard-wires none of them: the broker (or the decision server, or
// the Mosquitto plugin) registers what its context layer can answer
// (`reputation(client)`) and what it can do (`execute ban(ip, 5 min)`), and
// the checker verifies names, arity and argument types against it. The
// defaults() registry holds the set documented in docs/policy-language.md,
// for tests and for `mqwarden policy check` without a running broker.
//
// Thread safety: build it on one thread; afterwards const access from any
// number of threads is safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/types.hpp"

namespace mqwarden::policy {

struct ParameterSpec {
  std::string name;
  Type type = Type::string;
};

struct FunctionSpec {
  std::string name;
  std::vector<ParameterSpec> parameters;
  Type result = Type::boolean;
};

struct ReactionSpec {
  std::string name;
  std::vector<ParameterSpec> parameters;
};

class Registry {
 public:
  static Registry defaults();

  // False if the name is a reserved word or already registered as that kind.
  bool add_function(FunctionSpec function);
  bool add_reaction(ReactionSpec reaction);
  bool add_context(std::string name);

  const FunctionSpec* function(std::string_view name) const;
  const ReactionSpec* reaction(std::string_view name) const;
  bool has_context(std::string_view name) const;

  std::vector<std::string> function_names() const;
  std::vector<std::string> reaction_names() const;
  const std::vector<std::string>& context_names() const { return contexts_; }

 private:
  std::vector<FunctionSpec> functions_;
  std::vector<ReactionSpec> reactions_;
  std::vector<std::string> contexts_;
};

}  // namespace mqwarden::policy
