// The policy text made from a Mosquitto ACL: the exact text for a
// representative file (what an operator reads), and that every translation
// passes the real checker and compiler.
#include "app/acl_policy.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "policy/engine.hpp"
#include "policy/load.hpp"

namespace mqwarden::app {
namespace {

std::string translated(std::string_view acl_text) {
  auto acl = parse_acl(acl_text, "acl.conf");
  EXPECT_TRUE(acl.ok()) << acl.error();
  return acl ? acl_policy(*acl, "acl.conf") : std::string();
}

// Checks and compiles `text` as the engine does; fails the test on any diagnostic.
void expect_loads(const std::string& text) {
  policy::SourceSet sources;
  sources.add("acl.policy", text);
  policy::Engine engine(policy::Registry::defaults(), policy::HostFunctions{});
  auto loaded = engine.load(sources);
  ASSERT_TRUE(loaded.ok()) << policy::format(loaded.error(), sources) << text;
  EXPECT_TRUE(loaded->empty()) << policy::format(*loaded, sources);
}

constexpr std::string_view kSiteAcl = R"(# The ACL of a small site
topic read public/#

user alice
topic sensors/#
topic deny sensors/secret
topic write cmd/"quoted"

user bob
topic read sensors/+/temp

pattern readwrite devices/%c/#
pattern read users/%u/inbox
pattern deny devices/%c/locked
)";

constexpr std::string_view kSitePolicy =
    R"acl(# The Mosquitto acl_file acl.conf as mqwarden policy rules, deciding as Mosquitto does.
# What the file does not grant is denied: a publish needs write access to its topic, the
# delivery of a message read access to its topic for the subscriber it goes to; subscriptions
# are not checked. A deny line wins over the grants of its user block, a pattern deny line
# over pattern grants. Patterns grant nothing to a client whose id or username holds '+' or
# '#', nor through a %c or %u whose value holds '/'.

rule acl_publish_denied {
  on tentative publish
  if
    # acl.conf:4: user alice
    client.username == "alice" and (
      topic matches "sensors/secret"  # acl.conf:6: topic deny sensors/secret
    )
  then deny reason "denied by the ACL"
}

rule acl_publish {
  on tentative publish
  if not (
    # acl.conf:4: user alice
    client.username == "alice" and (
      topic matches "sensors/#"  # acl.conf:5: topic sensors/#
      or topic matches "cmd/\"quoted\""  # acl.conf:7: topic write cmd/"quoted"
    )
    # acl.conf: the pattern lines, for clients whose id and username hold no '+' or '#'
    or not client.id =~ "[+#]" and not client.username =~ "[+#]" and not (
      topic matches "devices/" + client.id + "/locked"  # acl.conf:14: pattern deny devices/%c/locked
    ) and (
      not client.id contains "/" and topic matches "devices/" + client.id + "/#"  # acl.conf:12: pattern readwrite devices/%c/#
    )
  )
  then deny reason "not allowed by the ACL"
}

rule acl_deliver_denied {
  on tentative deliver
  if
    # acl.conf:4: user alice
    subscriber.username == "alice" and (
      topic matches "sensors/secret"  # acl.conf:6: topic deny sensors/secret
    )
  then deny reason "denied by the ACL"
}

rule acl_deliver {
  on tentative deliver
  if not (
    # acl.conf: the topic lines before the first user line, for clients without a username
    subscriber.username == "" and (
      topic matches "public/#"  # acl.conf:2: topic read public/#
    )
    # acl.conf:4: user alice
    or subscriber.username == "alice" and (
      topic matches "sensors/#"  # acl.conf:5: topic sensors/#
    )
    # acl.conf:9: user bob
    or subscriber.username == "bob" and (
      topic matches "sensors/+/temp"  # acl.conf:10: topic read sensors/+/temp
    )
    # acl.conf: the pattern lines, for clients whose id and username hold no '+' or '#'
    or not subscriber.id =~ "[+#]" and not subscriber.username =~ "[+#]" and not (
      topic matches "devices/" + subscriber.id + "/locked"  # acl.conf:14: pattern deny devices/%c/locked
    ) and (
      not subscriber.id contains "/" and topic matches "devices/" + subscriber.id + "/#"  # acl.conf:12: pattern readwrite devices/%c/#
      or subscriber.username != "" and not subscriber.username contains "/" and topic matches "users/" + subscriber.username + "/inbox"  # acl.conf:13: pattern read users/%u/inbox
    )
  )
  then deny reason "not allowed by the ACL"
}
)acl";

TEST(AclPolicy, TranslatesARepresentativeFileIntoReadableRules) {
  const std::string text = translated(kSiteAcl);
  EXPECT_EQ(text, kSitePolicy);
  expect_loads(text);
}

TEST(AclPolicy, DeniesEverythingForAFileThatGrantsNothing) {
  const std::string text = translated("");
  EXPECT_NE(text.find("rule acl_publish {\n"
                      "  on tentative publish\n"
                      "  # acl.conf grants no write access\n"
                      "  then deny reason \"not allowed by the ACL\"\n"
                      "}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  # acl.conf grants no read access\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("_denied"), std::string::npos) << text;
  expect_loads(text);
}

TEST(AclPolicy, QuotesUsernamesAndFiltersAsPolicyStrings) {
  const std::string text = translated("user a\"b\\c\ntopic x\"y\\z\ttab/#\n");
  EXPECT_NE(text.find("client.username == \"a\\\"b\\\\c\" and ("), std::string::npos) << text;
  EXPECT_NE(text.find("topic matches \"x\\\"y\\\\z\\ttab/#\""), std::string::npos) << text;
  expect_loads(text);
}

TEST(AclPolicy, LeavesOutLinesThatMatchNoMessageAndSaysSo) {
  const std::string text = translated("topic read $share/+/x\nuser bob\ntopic read ok/#\npattern write \xFF/%c\n");
  EXPECT_NE(text.find("# Left out, as it matches no message topic: acl.conf:1: topic read $share/+/x\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# Left out, as it matches no message topic: acl.conf:4: pattern write \xFF/%c\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("topic matches \"$share"), std::string::npos) << text;
  expect_loads(text);
}

TEST(AclPolicy, WritesAPatternWithoutSubstitutionAsALiteralFilter) {
  const std::string text = translated("pattern read news/#\npattern read %c\n");
  EXPECT_NE(text.find("topic matches \"news/#\"  # acl.conf:1: pattern read news/#"), std::string::npos) << text;
  EXPECT_NE(text.find("not subscriber.id contains \"/\" and topic matches subscriber.id  # acl.conf:2"),
            std::string::npos)
      << text;
  expect_loads(text);
}

TEST(AclPolicy, ReadsAFileAndNamesItInComments) {
  const std::string path = ::testing::TempDir() + "acl_policy_test.conf";
  std::ofstream(path) << "user alice\ntopic a/#\n";
  auto policy = acl_policy_from_file(path);
  std::remove(path.c_str());
  ASSERT_TRUE(policy.ok()) << policy.error();
  EXPECT_NE(policy->find("topic matches \"a/#\"  # " + path + ":2: topic a/#\n"), std::string::npos) << *policy;

  auto missing = acl_policy_from_file("/nonexistent/acl.conf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "/nonexistent/acl.conf: error: cannot read the file");
}

}  // namespace
}  // namespace mqwarden::app
