// The front end in one call: lex, parse and check every file of a policy,
// and hand back the checked Policy or every diagnostic that stops it.
// A policy is returned only if it checks without errors; warnings come with it.
// Stateless functions; load_policy_file reads one file and nothing else.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "policy/ast.hpp"
#include "policy/diagnostic.hpp"
#include "policy/registry.hpp"
#include "policy/source.hpp"

namespace mqwarden::policy {

struct LoadedPolicy {
  Policy policy;
  Diagnostics warnings;
};

// Every file in `sources` is part of one policy (names are shared).
// On failure: all diagnostics, errors and warnings, in source order per file.
Result<LoadedPolicy, Diagnostics> load_policy(const SourceSet& sources, const Registry& registry);

// Adds the files at `paths` to `sources`; returns an unreadable-file error
// for each that cannot be read (added empty, so the error can be formatted).
Diagnostics read_sources(const std::vector<std::string>& paths, SourceSet& sources);

// Adds the files at `paths` to `sources` (for formatting diagnostics) and
// loads them as one policy. A file that cannot be read is reported as an
// unreadable-file error.
Result<LoadedPolicy, Diagnostics> load_policy_files(const std::vector<std::string>& paths, SourceSet& sources,
                                                    const Registry& registry);
Result<LoadedPolicy, Diagnostics> load_policy_file(const std::string& path, SourceSet& sources,
                                                   const Registry& registry);

}  // namespace mqwarden::policy
