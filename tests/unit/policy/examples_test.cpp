// Every example policy under examples/policies/ checks clean: no errors and
// no warnings. (Their behaviour is tested once the evaluator exists.)
#include <filesystem>

#include "policy/load.hpp"
#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

TEST(ExamplePolicies, EveryExampleChecksClean) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MQWARDEN_EXAMPLE_POLICIES)) {
    if (entry.path().extension() != ".policy") continue;
    ++count;
    SourceSet sources;
    auto loaded = load_policy_file(entry.path().string(), sources, Registry::defaults());
    ASSERT_TRUE(loaded.ok()) << format(loaded.error(), sources);
    EXPECT_TRUE(loaded->warnings.empty()) << format(loaded->warnings, sources);
  }
  EXPECT_GE(count, 7U);
}

}  // namespace
}  // namespace mqwarden::policy
