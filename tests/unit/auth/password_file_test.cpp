// Password files: a file written by the real mosquitto_passwd, comments and
// blank lines, errors with file:line that never repeat a secret, unknown
// users, and the create / update / delete round trip with mode 0600.
#include "auth/password_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "temp_dir.hpp"

namespace mqwarden::auth {
namespace {

namespace fs = std::filesystem;
using testing::permissions;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

// Written by Debian 12's mosquitto_passwd 2.0.11: `-b -c` for alice, `-b` for
// bob, `-H sha512 -b` for carol, `-I 1000 -b` for dave.
constexpr std::string_view kMosquittoFile =
    "alice:$7$101$6+jg6drW7eq/Lg/t$yy8/IKgK1O5XSKf/wYDepf9NCl1JTmgrUFkx0NTHuRA7Xe7EGj+JrxR83HFGa7/+whS/"
    "M5GVWVm4BYEj5ThTGw==\n"
    "bob:$7$101$EX78UwtXXPzz638c$Zc8YcNwwVEDLHLf/AEZMfhi6f/+q5bmsziy6EQ/"
    "mXwnKoBP4vd8Dkh2vPEyFG2nBeQ0iLYGeR+YyRqFrzILjgw==\n"
    "carol:$6$tzVZAFBdXLxcd8nw$QWNye1dn+ytQsxK0ol/"
    "Tijmpi0xL28M9aiovS0F2AUxFfjFgPAVpZGAC2T5Uz3Qiulcgb9zElao0fvbPNfksPQ==\n"
    "dave:$7$1000$oeKoMa/45r2ciD94$sCANqUjyoq36IaTYa7xTnHIqxVzdO5IBuroUGcq0Xq6adElhSwX/1I/"
    "9cIeMqaBj2ymycLl5v+zYj9rnwDxkQA==\n";
constexpr std::string_view kAliceHash =
    "$7$101$6+jg6drW7eq/Lg/t$yy8/IKgK1O5XSKf/wYDepf9NCl1JTmgrUFkx0NTHuRA7Xe7EGj+JrxR83HFGa7/+whS/M5GVWVm4BYEj5ThTGw==";

PasswordFile parsed(std::string_view text) {
  auto file = PasswordFile::parse(text, "passwd");
  EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().describe());
  return file.ok() ? std::move(*file) : PasswordFile{};
}

PasswordFileError parse_error(std::string_view text) {
  auto file = PasswordFile::parse(text, "passwd");
  EXPECT_FALSE(file.ok()) << text;
  return file.ok() ? PasswordFileError{} : file.error();
}

PasswordHash new_hash(std::string_view password) {
  auto hash = hash_password(password, 2);
  EXPECT_TRUE(hash.ok());
  return hash.ok() ? *hash : PasswordHash{};
}

TEST(PasswordFile, VerifiesUsersOfAFileWrittenByMosquittoPasswd) {
  const PasswordFile file = parsed(kMosquittoFile);
  EXPECT_EQ(file.size(), 4U);
  EXPECT_TRUE(file.verify("alice", "secret"));
  EXPECT_TRUE(file.verify("bob", "correct horse battery staple"));
  EXPECT_TRUE(file.verify("carol", "legacy-pass"));
  EXPECT_TRUE(file.verify("dave", "üñï©ødé"));
}

TEST(PasswordFile, RefusesWrongPasswordsAndOtherUsersPasswords) {
  const PasswordFile file = parsed(kMosquittoFile);
  EXPECT_FALSE(file.verify("alice", "Secret"));
  EXPECT_FALSE(file.verify("alice", ""));
  EXPECT_FALSE(file.verify("alice", "legacy-pass"));
  EXPECT_FALSE(file.verify("carol", "secret"));
}

TEST(PasswordFile, RefusesUnknownUsersWhateverThePassword) {
  const PasswordFile file = parsed(kMosquittoFile);
  EXPECT_FALSE(file.contains("mallory"));
  EXPECT_FALSE(file.verify("mallory", "secret"));
  EXPECT_FALSE(file.verify("", "secret"));
  EXPECT_FALSE(file.verify("Alice", "secret"));  // usernames are case-sensitive
  EXPECT_FALSE(PasswordFile{}.verify("alice", "secret"));
  EXPECT_FALSE(parsed("carol:$6$tzVZAFBdXLxcd8nw$QWNye1dn+ytQsxK0ol/"
                      "Tijmpi0xL28M9aiovS0F2AUxFfjFgPAVpZGAC2T5Uz3Qiulcgb9zElao0fvbPNfksPQ==")
                   .verify("nobody", "legacy-pass"));
}

TEST(PasswordFile, AcceptsCommentsBlankLinesWhitespaceAndCrlf) {
  const std::string text = "# users of the lab\n\n   \n  alice  :  " + std::string(kAliceHash) + "  \r\n# end\n";
  const PasswordFile file = parsed(text);
  EXPECT_EQ(file.size(), 1U);
  EXPECT_TRUE(file.verify("alice", "secret"));
  EXPECT_EQ(file.text(), text);
}

TEST(PasswordFile, AcceptsAnEmptyFileAndAMissingFinalNewline) {
  EXPECT_EQ(parsed("").size(), 0U);
  EXPECT_TRUE(parsed("alice:" + std::string(kAliceHash)).verify("alice", "secret"));
}

TEST(PasswordFile, ReportsBadLinesWithFileAndLineNumber) {
  struct Case {
    std::string text;
    std::size_t line;
    std::string_view says;
  };
  const std::string alice = "alice:" + std::string(kAliceHash) + "\n";
  const Case cases[] = {
      {"# users\n" + alice + "hunter2\n", 3, "no ':'"},
      {":" + std::string(kAliceHash) + "\n", 1, "username is empty"},
      {"\nbob:\n", 2, "no password hash"},
      {"bob:hunter2\n", 1, "plain-text passwords are not accepted"},
      {"bob:$5$Zml4ZWQtc2FsdDEy$Zml4ZWQtc2FsdDEy\n", 1, "hash type is unknown"},
      {"bob:$7$0$Zml4ZWQtc2FsdDEy$Zml4ZWQtc2FsdDEy\n", 1, "iteration count"},
      {"bob:$6$Zml4ZWQtc2FsdDEy$Zml4ZWQtc2FsdDEy\n", 1, "not base64 of 64 bytes"},
      {alice + "\n" + alice, 3, "already defined on line 1"},
  };
  for (const Case& c : cases) {
    const PasswordFileError error = parse_error(c.text);
    EXPECT_EQ(error.file, "passwd");
    EXPECT_EQ(error.line, c.line) << c.text;
    const std::string described = error.describe();
    EXPECT_TRUE(described.starts_with("passwd:" + std::to_string(c.line) + ": ")) << described;
    EXPECT_NE(described.find(c.says), std::string::npos) << described;
    // No secret is repeated: not the hash, its salt, or what may be a password.
    EXPECT_EQ(described.find("hunter2"), std::string::npos) << described;
    EXPECT_EQ(described.find("Zml4ZWQtc2FsdDEy"), std::string::npos) << described;
    EXPECT_EQ(described.find(kAliceHash.substr(8, 16)), std::string::npos) << described;
  }
}

TEST(PasswordFile, ReportsAMissingFileWithoutALineNumber) {
  TempDir dir;
  const auto file = PasswordFile::load(dir / "absent");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().line, 0U);
  EXPECT_EQ(file.error().describe(),
            (dir / "absent").string() + ": cannot open the password file: No such file or directory");
}

TEST(PasswordFile, LoadNamesTheFileInErrors) {
  TempDir dir;
  write_text(dir / "passwd", "# x\nbroken line\n");
  const auto file = PasswordFile::load(dir / "passwd");
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(file.error().describe().starts_with((dir / "passwd").string() + ":2: ")) << file.error().describe();
}

TEST(PasswordFile, ChecksUsernamesAsMosquittoPasswdDoesAndAFewMore) {
  EXPECT_FALSE(check_username("alice").has_value());
  EXPECT_FALSE(check_username("room 101/sensor-é").has_value());
  EXPECT_FALSE(check_username(std::string(65535, 'u')).has_value());
  for (const std::string& bad :
       {std::string(), std::string(65536, 'u'), std::string("a:b"), std::string("a\tb"), std::string("a\x7f"),
        std::string("#alice"), std::string(" alice"), std::string("alice ")}) {
    EXPECT_TRUE(check_username(bad).has_value()) << bad.substr(0, 10);
  }
}

TEST(PasswordFile, CreateUpdateDeleteRoundTripWithMode0600) {
  TempDir dir;
  const fs::path path = dir / "passwd";

  PasswordFile created;
  created.set("alice", new_hash("one"));
  ASSERT_TRUE(created.save(path).ok());
  EXPECT_EQ(permissions(path), fs::perms::owner_read | fs::perms::owner_write);

  auto loaded = PasswordFile::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_TRUE(loaded->verify("alice", "one"));
  loaded->set("bob", new_hash("two"));
  loaded->set("alice", new_hash("three"));
  ASSERT_TRUE(loaded->save(path).ok());

  auto updated = PasswordFile::load(path);
  ASSERT_TRUE(updated.ok()) << updated.error().describe();
  EXPECT_EQ(updated->size(), 2U);
  EXPECT_FALSE(updated->verify("alice", "one"));
  EXPECT_TRUE(updated->verify("alice", "three"));
  EXPECT_TRUE(updated->verify("bob", "two"));
  EXPECT_TRUE(read_text(path).starts_with("alice:$7$2$")) << "alice keeps her place";

  EXPECT_TRUE(updated->remove("alice"));
  EXPECT_FALSE(updated->remove("alice"));
  ASSERT_TRUE(updated->save(path).ok());
  auto removed = PasswordFile::load(path);
  ASSERT_TRUE(removed.ok()) << removed.error().describe();
  EXPECT_EQ(removed->size(), 1U);
  EXPECT_FALSE(removed->contains("alice"));
  EXPECT_FALSE(removed->verify("alice", "three"));
  EXPECT_TRUE(removed->verify("bob", "two"));
  EXPECT_EQ(permissions(path), fs::perms::owner_read | fs::perms::owner_write);
}

TEST(PasswordFile, EditingKeepsOtherLinesAsTheyWere) {
  const std::string text = "# lab\n" + std::string(kMosquittoFile) + "\n# guests\n";
  PasswordFile file = parsed(text);
  const PasswordHash hash = new_hash("new");
  file.set("bob", hash);
  file.remove("carol");
  file.set("erin", hash);

  std::string expected = text;
  const auto replace_line = [&](std::string_view user, const std::string& with) {
    const std::size_t start = expected.find("\n" + std::string(user) + ":") + 1;
    expected.replace(start, expected.find('\n', start) + 1 - start, with);
  };
  replace_line("bob", "bob:" + format_password_hash(hash) + "\n");
  replace_line("carol", "");
  expected += "erin:" + format_password_hash(hash) + "\n";
  EXPECT_EQ(file.text(), expected);

  const PasswordFile reread = parsed(file.text());
  EXPECT_TRUE(reread.verify("alice", "secret"));
  EXPECT_TRUE(reread.verify("bob", "new"));
  EXPECT_FALSE(reread.contains("carol"));
  EXPECT_TRUE(reread.verify("dave", "üñï©ødé"));
  EXPECT_TRUE(reread.verify("erin", "new"));
}

}  // namespace
}  // namespace mqwarden::auth
