// The implementations of the host functions a policy calls (`reputation`,
// `position`, `consent`, ...): the context layer adds them by name, beside
// their signatures in the Registry, without touching the engine. The compiler
// binds every call to its implementation once; a call of a function with a
// signature but no implementation is a compile error.
//
// A function receives its arguments in declared parameter order (named
// arguments already placed) and returns a Value; strings and JSON it builds go
// into the arena, which lives until the decision is made.
//
// Thread safety: build it on one thread before compiling; the functions are
// then called concurrently from every thread that asks for decisions, so they
// must be thread-safe themselves.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "policy/value.hpp"

namespace mqwarden::policy {

using HostFunction = std::function<Value(std::span<const Value> arguments, ValueArena& arena)>;

class HostFunctions {
 public:
  // False if `name` already has an implementation.
  bool add(std::string name, HostFunction function);
  const HostFunction* find(std::string_view name) const;

 private:
  std::map<std::string, HostFunction, std::less<>> functions_;
};

}  // namespace mqwarden::policy
