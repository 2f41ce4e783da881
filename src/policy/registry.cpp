#include "policy/registry.hpp"

#include <algorithm>

#include "policy/words.hpp"

namespace mqwarden::policy {
namespace {

template <class Spec>
const Spec* find_named(const std::vector<Spec>& specs, std::string_view name) {
  const auto found = std::find_if(specs.begin(), specs.end(), [&](const Spec& spec) { return spec.name == name; });
  return found == specs.end() ? nullptr : &*found;
}

template <class Spec>
std::vector<std::string> names_of(const std::vector<Spec>& specs) {
  std::vector<std::string> names;
  for (const Spec& spec : specs) names.push_back(spec.name);
  return names;
}

bool usable_name(std::string_view name) { return !name.empty() && !is_reserved_word(name); }

}  // namespace

Registry Registry::defaults() {
  Registry registry;
  registry.add_function({"distance", {{"from", Type::position}, {"to", Type::position}}, Type::distance});
  registry.add_function({"position", {{"entity", Type::string}}, Type::position});
  registry.add_function(
      {"consent", {{"owner", Type::string}, {"recipient", Type::string}, {"purpose", Type::string}}, Type::boolean});
  registry.add_function({"reputation", {{"entity", Type::string}}, Type::number});
  registry.add_function({"context", {{"entity", Type::string}, {"name", Type::string}}, Type::json});
  registry.add_function({"in_network", {{"address", Type::string}, {"network", Type::string}}, Type::boolean});

  registry.add_reaction({"log", {{"level", Type::string}, {"message", Type::string}}});
  registry.add_reaction({"notify", {{"topic", Type::topic}, {"message", Type::json}}});
  registry.add_reaction({"webhook", {{"url", Type::string}, {"body", Type::json}}});
  registry.add_reaction(
      {"request_consent", {{"owner", Type::string}, {"recipient", Type::string}, {"purpose", Type::string}}});
  registry.add_reaction({"disconnect", {{"client", Type::string}}});
  registry.add_reaction({"ban", {{"who", Type::string}, {"duration", Type::duration}}});
  registry.add_reaction({"revoke", {{"client", Type::string}, {"filter", Type::topic}}});
  registry.add_reaction({"adjust_reputation", {{"entity", Type::string}, {"change", Type::number}}});

  for (const char* context : {"position", "reputation", "consent", "presence"}) registry.add_context(context);
  return registry;
}

bool Registry::add_function(FunctionSpec function) {
  if (!usable_name(function.name) || find_named(functions_, function.name) != nullptr) return false;
  functions_.push_back(std::move(function));
  return true;
}

bool Registry::add_reaction(ReactionSpec reaction) {
  if (!usable_name(reaction.name) || find_named(reactions_, reaction.name) != nullptr) return false;
  reactions_.push_back(std::move(reaction));
  return true;
}

bool Registry::add_context(std::string name) {
  if (!usable_name(name) || has_context(name)) return false;
  contexts_.push_back(std::move(name));
  return true;
}

const FunctionSpec* Registry::function(std::string_view name) const { return find_named(functions_, name); }
const ReactionSpec* Registry::reaction(std::string_view name) const { return find_named(reactions_, name); }

bool Registry::has_context(std::string_view name) const {
  return std::find(contexts_.begin(), contexts_.end(), name) != contexts_.end();
}

std::vector<std::string> Registry::function_names() const { return names_of(functions_); }
std::vector<std::string> Registry::reaction_names() const { return names_of(reactions_); }

}  // namespace mqwarden::policy
