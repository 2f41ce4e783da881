#include "policy/load.hpp"

#include <fstream>
#include <iterator>

#include "policy/checker.hpp"
#include "policy/lexer.hpp"
#include "policy/parser.hpp"

namespace mqwarden::policy {

Result<LoadedPolicy, Diagnostics> load_policy(const SourceSet& sources, const Registry& registry) {
  Diagnostics diagnostics;
  Policy policy;
  for (std::uint32_t file = 0; file < sources.size(); ++file) {
    LexResult lexed = lex(sources, file);
    diagnostics.insert(diagnostics.end(), lexed.diagnostics.begin(), lexed.diagnostics.end());
    parse_into(lexed.tokens, policy, diagnostics);
  }
  // Checking a policy with syntax errors would report names from the dropped
  // declarations as unknown: fix the syntax first.
  if (has_errors(diagnostics)) return fail(std::move(diagnostics));
  Diagnostics checked = check(policy, registry);
  if (has_errors(checked)) return fail(std::move(checked));
  return LoadedPolicy{std::move(policy), std::move(checked)};
}

Diagnostics read_sources(const std::vector<std::string>& paths, SourceSet& sources) {
  Diagnostics unreadable;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::string text;
    if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
      const std::uint32_t file = sources.add(path, "");
      unreadable.push_back(Diagnostic{DiagnosticCode::unreadable_file, Span{file, 0, 0, 0, 0},
                                      "cannot read policy file '" + path + "'", ""});
      continue;
    }
    sources.add(path, std::move(text));
  }
  return unreadable;
}

Result<LoadedPolicy, Diagnostics> load_policy_files(const std::vector<std::string>& paths, SourceSet& sources,
                                                    const Registry& registry) {
  Diagnostics unreadable = read_sources(paths, sources);
  if (!unreadable.empty()) return fail(std::move(unreadable));
  return load_policy(sources, registry);
}

Result<LoadedPolicy, Diagnostics> load_policy_file(const std::string& path, SourceSet& sources,
                                                   const Registry& registry) {
  return load_policy_files({path}, sources, registry);
}

}  // namespace mqwarden::policy
