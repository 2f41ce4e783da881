// The Mosquitto acl_file parser: what Mosquitto 2 accepts, read the same way,
// and each error with its line, column and note.
#include "app/acl_file.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mqwarden::app {
namespace {

AclFile parsed(std::string_view text) {
  auto acl = parse_acl(text, "acl.conf");
  EXPECT_TRUE(acl.ok()) << acl.error();
  return acl ? std::move(acl).value() : AclFile{};
}

std::string error_of(std::string_view text) {
  auto acl = parse_acl(text, "acl.conf");
  EXPECT_FALSE(acl.ok());
  return acl ? std::string() : acl.error();
}

TEST(AclFile, ReadsUserBlocksTheAnonymousBlockAndPatterns) {
  const AclFile acl = parsed(
      "# comment\n"
      "topic read public/#\n"
      "pattern write devices/%c/state\n"
      "user alice\n"
      "topic sensors/#\n"
      "topic deny sensors/secret\n"
      "user bob\n"
      "topic write cmd/bob\n"
      "user alice\n"
      "topic readwrite alice/#\n"
      "pattern deny devices/%c/locked\n");
  ASSERT_EQ(acl.users.size(), 3U);
  EXPECT_EQ(acl.users[0].username, "");  // the lines before the first user line
  EXPECT_EQ(acl.users[0].line, 0U);
  ASSERT_EQ(acl.users[0].topics.size(), 1U);
  EXPECT_EQ(acl.users[0].topics[0].access, AclAccess::read);
  EXPECT_EQ(acl.users[0].topics[0].filter, "public/#");
  EXPECT_EQ(acl.users[0].topics[0].line, 2U);
  EXPECT_EQ(acl.users[0].topics[0].text, "topic read public/#");

  EXPECT_EQ(acl.users[1].username, "alice");
  EXPECT_EQ(acl.users[1].line, 4U);
  ASSERT_EQ(acl.users[1].topics.size(), 3U);  // a user named twice has one block
  EXPECT_EQ(acl.users[1].topics[0].access, AclAccess::readwrite);
  EXPECT_EQ(acl.users[1].topics[1].access, AclAccess::deny);
  EXPECT_EQ(acl.users[1].topics[2].filter, "alice/#");
  EXPECT_EQ(acl.users[1].topics[2].line, 10U);

  EXPECT_EQ(acl.users[2].username, "bob");
  ASSERT_EQ(acl.users[2].topics.size(), 1U);
  EXPECT_EQ(acl.users[2].topics[0].access, AclAccess::write);

  ASSERT_EQ(acl.patterns.size(), 2U);  // patterns apply to everyone, wherever they are written
  EXPECT_EQ(acl.patterns[0].filter, "devices/%c/state");
  EXPECT_EQ(acl.patterns[0].access, AclAccess::write);
  EXPECT_EQ(acl.patterns[1].access, AclAccess::deny);
  EXPECT_EQ(acl.patterns[1].line, 11U);
}

TEST(AclFile, TakesALoneWordAsTheFilterWithReadwriteAccess) {
  const AclFile acl = parsed("topic read\ntopic deny\n");
  ASSERT_EQ(acl.users.size(), 1U);
  ASSERT_EQ(acl.users[0].topics.size(), 2U);
  EXPECT_EQ(acl.users[0].topics[0].filter, "read");
  EXPECT_EQ(acl.users[0].topics[0].access, AclAccess::readwrite);
  EXPECT_EQ(acl.users[0].topics[1].filter, "deny");
  EXPECT_EQ(acl.users[0].topics[1].access, AclAccess::readwrite);
}

TEST(AclFile, FollowsMosquittosBlanks) {
  const AclFile acl = parsed(
      "   \n"
      "\t\n"
      "\n"
      "user   john smith \t\r\n"
      "  topic   read    room 1/#  \r\n"
      "topic write  a\tb\n"
      "pattern %u/x");
  ASSERT_EQ(acl.users.size(), 1U);
  EXPECT_EQ(acl.users[0].username, "john smith");
  ASSERT_EQ(acl.users[0].topics.size(), 2U);
  EXPECT_EQ(acl.users[0].topics[0].filter, "room 1/#");
  EXPECT_EQ(acl.users[0].topics[0].access, AclAccess::read);
  EXPECT_EQ(acl.users[0].topics[0].text, "topic   read    room 1/#");
  EXPECT_EQ(acl.users[0].topics[1].filter, "a\tb");
  ASSERT_EQ(acl.patterns.size(), 1U);
  EXPECT_EQ(acl.patterns[0].filter, "%u/x");
  EXPECT_EQ(acl.patterns[0].line, 7U);
}

TEST(AclFile, AcceptsFiltersThatMatchNoMessageAsMosquittoDoes) {
  const AclFile acl = parsed("topic read $share/+/x\ntopic read \xFF/x\n");
  ASSERT_EQ(acl.users.size(), 1U);
  EXPECT_EQ(acl.users[0].topics.size(), 2U);
}

TEST(AclFile, AcceptsAnEmptyFile) {
  const AclFile acl = parsed("");
  EXPECT_TRUE(acl.users.empty());
  EXPECT_TRUE(acl.patterns.empty());
}

TEST(AclFile, RefusesAnUnknownLine) {
  EXPECT_EQ(error_of("topic a\nusers bob\n"),
            "acl.conf:2:1: error: unknown line 'users': lines start with user, topic or pattern");
}

TEST(AclFile, RefusesACommentThatDoesNotStartTheLine) {
  EXPECT_EQ(error_of("  # indented"),
            "acl.conf:1:3: error: unknown line '#': lines start with user, topic or pattern\n"
            "note: a comment's '#' must be the first character of its line");
}

TEST(AclFile, RefusesTabsBetweenWords) {
  EXPECT_EQ(error_of("topic\tread a"),
            "acl.conf:1:1: error: unknown line 'topic\tread': lines start with user, topic or pattern\n"
            "note: separate the words of a line with spaces: a tab does not separate them");
}

TEST(AclFile, RefusesAUserLineWithoutAName) {
  EXPECT_EQ(error_of("user   \n"), "acl.conf:1:1: error: 'user' needs a username");
}

TEST(AclFile, RefusesATopicOrPatternLineWithoutAFilter) {
  EXPECT_EQ(error_of("topic"), "acl.conf:1:1: error: 'topic' needs a topic filter");
  EXPECT_EQ(error_of("\n  pattern   "), "acl.conf:2:3: error: 'pattern' needs a topic filter");
}

TEST(AclFile, RefusesAnUnknownAccess) {
  EXPECT_EQ(error_of("topic red a/b"),
            "acl.conf:1:7: error: unknown access 'red': write read, write, readwrite or deny\n"
            "note: a topic filter with a space in it needs the access first, as in: topic readwrite red a/b");
}

TEST(AclFile, RefusesAnInvalidTopicFilter) {
  EXPECT_EQ(error_of("pattern read  a/#/%c"),
            "acl.conf:1:15: error: \"a/#/%c\" is not a valid topic filter: "
            "'#' must be the last level and alone in it");
  EXPECT_EQ(error_of("topic a+"),
            "acl.conf:1:7: error: \"a+\" is not a valid topic filter: '+' must be alone in its level");
  const std::string long_filter(65536, 'a');
  EXPECT_EQ(error_of("topic " + long_filter),
            "acl.conf:1:7: error: \"" + std::string(60, 'a') + "...\" is not a valid topic filter: topic is too long");
}

TEST(AclFile, RefusesANulByte) {
  EXPECT_EQ(error_of(std::string("topic a\ntopic b\0c", 17)),
            "acl.conf:2:8: error: NUL byte in the line\nnote: an ACL file is text");
}

TEST(AclFile, RefusesAFileLargerThanTheLimit) {
  const std::string text(kMaxAclFileBytes + 1, '\n');
  EXPECT_EQ(error_of(text), "acl.conf: error: the file is larger than 16 MiB");
}

TEST(AclFile, ReportsAFileThatCannotBeRead) {
  auto acl = read_acl_file("/nonexistent/acl.conf");
  ASSERT_FALSE(acl.ok());
  EXPECT_EQ(acl.error(), "/nonexistent/acl.conf: error: cannot read the file");
}

}  // namespace
}  // namespace mqwarden::app
