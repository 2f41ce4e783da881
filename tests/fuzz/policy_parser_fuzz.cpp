// Fuzz target for the policy front end: any text, as one policy file, must
// lex, parse and check to a policy or to diagnostics — never a crash, hang,
// leak or sanitizer report — and every diagnostic must format.
#include <string>

#include "policy/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mqwarden::policy::Registry registry = mqwarden::policy::Registry::defaults();
  mqwarden::policy::SourceSet sources;
  sources.add("fuzz.policy", std::string(reinterpret_cast<const char*>(data), size));
  auto loaded = mqwarden::policy::load_policy(sources, registry);
  const auto& diagnostics = loaded ? loaded->warnings : loaded.error();
  volatile std::size_t length = mqwarden::policy::format(diagnostics, sources).size();
  (void)length;
  return 0;
}
