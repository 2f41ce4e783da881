// Helpers for the policy front-end tests: run the pipeline on a string and
// look at what came out.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "policy/ast.hpp"
#include "policy/lexer.hpp"
#include "policy/load.hpp"
#include "policy/parser.hpp"

namespace mqwarden::policy::testing {

// Lexes and parses one file named "test.policy".
inline ParseResult parse_text(std::string_view text) {
  SourceSet sources;
  sources.add("test.policy", std::string(text));
  LexResult lexed = lex(sources, 0);
  ParseResult parsed = parse(lexed.tokens);
  parsed.diagnostics.insert(parsed.diagnostics.begin(), lexed.diagnostics.begin(), lexed.diagnostics.end());
  return parsed;
}

// Every diagnostic of the whole front end (errors and warnings).
inline Diagnostics diagnose(std::string_view text, const Registry& registry = Registry::defaults()) {
  SourceSet sources;
  sources.add("test.policy", std::string(text));
  auto loaded = load_policy(sources, registry);
  return loaded ? loaded->warnings : loaded.error();
}

// The checked policy; fails the test on any error or warning.
inline Policy load_clean(std::string_view text) {
  SourceSet sources;
  sources.add("test.policy", std::string(text));
  auto loaded = load_policy(sources, Registry::defaults());
  if (!loaded) {
    ADD_FAILURE() << format(loaded.error(), sources);
    return {};
  }
  EXPECT_TRUE(loaded->warnings.empty()) << format(loaded->warnings, sources);
  return std::move(loaded->policy);
}

inline std::string codes_of(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics) {
    out += std::string(to_string(diagnostic.code)) + ": " + diagnostic.message + "\n";
  }
  return out;
}

template <class Node>
const Node& as(const Expr& expr) {
  const Node* node = std::get_if<Node>(&expr.node);
  EXPECT_NE(node, nullptr) << "expression of another kind (index " << expr.node.index() << ")";
  static const Node kEmpty{};
  return node != nullptr ? *node : kEmpty;
}

}  // namespace mqwarden::policy::testing
