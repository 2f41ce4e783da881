// Identity files: the TOML and JSON forms, how a username's and a client id's
// entries combine, and each problem that stops a file from loading, with its
// position in TOML.
#include "auth/identity_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "temp_dir.hpp"

namespace mqwarden::auth {
namespace {

using nlohmann::json;
using testing::TempDir;
using testing::write_text;

constexpr std::string_view kToml = R"([users.alice]
roles = ["admin", "carer"]
attributes = { floor = 3, ward = "B" }

[clients."board-1"]
roles = ["device"]
attributes = { owner = "alice" }
)";

constexpr std::string_view kJson = R"({
  "users": {"alice": {"roles": ["admin", "carer"], "attributes": {"floor": 3, "ward": "B"}}},
  "clients": {"board-1": {"roles": ["device"], "attributes": {"owner": "alice"}}}
})";

class IdentityFileTest : public ::testing::Test {
 protected:
  std::string write(std::string_view name, std::string_view text) {
    const std::string path = (dir_ / name).string();
    write_text(path, text);
    return path;
  }

  IdentityFile loaded(std::string_view name, std::string_view text) {
    auto file = IdentityFile::load(write(name, text));
    EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error());
    return file.ok() ? std::move(*file) : IdentityFile{};
  }

  // The error, with the directory's path replaced by "DIR".
  std::string error(std::string_view name, std::string_view text) {
    return error_of(write(name, text));
  }
  std::string error_of(const std::string& path) {
    auto file = IdentityFile::load(path);
    if (file.ok()) return "(loaded)";
    std::string message = file.error();
    const std::string prefix = dir_.path().string();
    if (message.starts_with(prefix)) message.replace(0, prefix.size(), "DIR");
    return message;
  }

  TempDir dir_;
};

TEST_F(IdentityFileTest, ReadsToml) {
  const IdentityFile file = loaded("identities.toml", kToml);
  EXPECT_EQ(file.users(), 1U);
  EXPECT_EQ(file.clients(), 1U);
  const IdentityEntry alice = file.lookup("alice", "phone");
  EXPECT_EQ(alice.roles, (std::vector<std::string>{"admin", "carer"}));
  EXPECT_EQ(alice.attributes, json::parse(R"({"floor": 3, "ward": "B"})"));
  const IdentityEntry board = file.lookup("", "board-1");
  EXPECT_EQ(board.roles, std::vector<std::string>{"device"});
  EXPECT_EQ(board.attributes, json::parse(R"({"owner": "alice"})"));
}

TEST_F(IdentityFileTest, ReadsTheSameStructureInJson) {
  const IdentityFile file = loaded("identities.json", kJson);
  EXPECT_EQ(file.users(), 1U);
  EXPECT_EQ(file.clients(), 1U);
  const IdentityEntry both = file.lookup("alice", "board-1");
  EXPECT_EQ(both.roles, (std::vector<std::string>{"admin", "carer", "device"}));
  EXPECT_EQ(both.attributes, json::parse(R"({"floor": 3, "ward": "B", "owner": "alice"})"));
  // The suffix is matched without regard to case.
  EXPECT_EQ(loaded("IDENTITIES.JSON", kJson).users(), 1U);
}

TEST_F(IdentityFileTest, ConvertsTomlValuesToJson) {
  const IdentityFile file = loaded("identities.toml", R"([users.bob.attributes]
ratio = 0.5
active = true
zones = ["a", 2]
home = { lat = 52.1, site = { id = 7 } }
)");
  EXPECT_EQ(file.lookup("bob", "").attributes,
            json::parse(R"({"ratio": 0.5, "active": true, "zones": ["a", 2],
                            "home": {"lat": 52.1, "site": {"id": 7}}})"));
}

TEST_F(IdentityFileTest, UnitesRolesAndOverridesAttributesKeyByKey) {
  const IdentityFile file = loaded("identities.toml", R"([users.alice]
roles = ["admin", "carer"]
attributes = { floor = 3, ward = "B", site = { id = 1 } }
[clients.tablet]
roles = ["carer", "device", "admin-console"]
attributes = { ward = "C", site = { name = "north" }, owner = "alice" }
)");
  const IdentityEntry entry = file.lookup("alice", "tablet");
  EXPECT_EQ(entry.roles, (std::vector<std::string>{"admin", "carer", "device", "admin-console"}));
  // Key by key at the top: the client's `site` replaces the user's whole.
  EXPECT_EQ(entry.attributes,
            json::parse(R"({"floor": 3, "ward": "C", "site": {"name": "north"}, "owner": "alice"})"));
}

TEST_F(IdentityFileTest, GivesNothingToUnknownNamesAndEntriesWithoutKeys) {
  const IdentityFile file = loaded("identities.toml", "[users.bob]\n[clients.c1]\nroles = []\n");
  EXPECT_EQ(file.users(), 1U);
  EXPECT_EQ(file.clients(), 1U);
  for (const IdentityEntry& entry : {file.lookup("bob", "c1"), file.lookup("nobody", "none"), file.lookup("", "")}) {
    EXPECT_TRUE(entry.roles.empty());
    EXPECT_EQ(entry.attributes, json::object());
  }
  // A username is not a client id, nor the reverse.
  const IdentityFile alice = loaded("alice.toml", kToml);
  EXPECT_TRUE(alice.lookup("board-1", "alice").roles.empty());
}

TEST_F(IdentityFileTest, AnEmptyFileHoldsNoEntries) {
  for (const auto* name : {"empty.toml", "empty.json"}) {
    for (const std::string_view text : {"", " \n\t\n"}) {
      const IdentityFile file = loaded(name, text);
      EXPECT_EQ(file.users(), 0U);
      EXPECT_EQ(file.clients(), 0U);
    }
  }
  EXPECT_EQ(loaded("comments.toml", "# nobody yet\n").users(), 0U);
  EXPECT_EQ(loaded("empty-object.json", "{}").users(), 0U);
}

TEST_F(IdentityFileTest, ReportsAMissingFile) {
  EXPECT_EQ(error_of((dir_ / "missing.toml").string()),
            "DIR/missing.toml: cannot open the identity file: No such file or directory");
}

TEST_F(IdentityFileTest, RefusesAFileLargerThan64MiB) {
  const std::filesystem::path path = dir_ / "large.toml";
  write_text(path, "");
  std::filesystem::resize_file(path, IdentityFile::kMaxFileSize + 1);
  EXPECT_EQ(error_of(path.string()), "DIR/large.toml: the identity file is larger than 64 MiB");
}

TEST_F(IdentityFileTest, RefusesMoreThan100000Entries) {
  std::string text = R"({"clients": {"c": {}}, "users": {)";
  for (std::size_t i = 0; i < IdentityFile::kMaxEntries; ++i) text += (i == 0 ? "\"u" : ",\"u") + std::to_string(i) + "\":{}";
  text += "}}";
  EXPECT_EQ(error("many.json", text),
            "DIR/many.json: 100001 entries (users and clients together); at most 100000 are allowed");
}

TEST_F(IdentityFileTest, ReportsTomlSyntaxErrorsWithTheirPosition) {
  EXPECT_EQ(error("bad.toml", "[users.alice]\nroles = = 1\n"),
            "DIR/bad.toml:2:9: Error while parsing value: could not determine value type");
}

TEST_F(IdentityFileTest, ReportsTomlProblemsWithTheirPosition) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases{
      {"[user.alice]\n", "1:2: unknown top-level table \"user\"; did you mean \"users\"?"},
      {"version = 1\n", "1:1: unknown top-level key \"version\"; expected \"users\" or \"clients\""},
      {"users = 3\n", "1:1: users: expected a table, got an integer"},
      {"[users]\nalice = \"admin\"\n",
       "2:1: users.alice: expected a table with \"roles\" and \"attributes\", got a string"},
      {"[users.alice]\nrole = [\"a\"]\n", "2:1: users.alice: unknown key \"role\"; did you mean \"roles\"?"},
      {"[users.alice]\nowner = \"x\"\n", "2:1: users.alice: unknown key \"owner\"; expected \"roles\" or \"attributes\""},
      {"[users.alice]\nroles = \"admin\"\n", "2:1: users.alice.roles: expected an array of role names, got a string"},
      {"[users.alice]\nroles = [\"a\", 3]\n",
       "2:15: users.alice.roles[1]: expected a role name (a non-empty string), got an integer"},
      {"[users.alice]\nroles = [\"\"]\n", "2:10: users.alice.roles[0]: the role name is empty"},
      {"[users.alice]\nroles = [\"a\", \"a\"]\n", "2:15: users.alice.roles[1]: role \"a\" is given twice"},
      {"[users.alice]\nattributes = [1]\n", "2:1: users.alice.attributes: expected a table, got an array"},
      {"[users.\"\"]\n", "1:8: users.\"\": the username is empty"},
      {"[clients.\"\"]\nroles = []\n", "1:10: clients.\"\": the client id is empty"},
      {"[clients.\"a b\"]\nroles = [1]\n",
       "2:10: clients.\"a b\".roles[0]: expected a role name (a non-empty string), got an integer"},
      {"[users.alice]\nattributes = { since = 2024-01-01 }\n",
       "2:24: users.alice.attributes.since: dates and times have no JSON form; write it as a string"},
      {"[users.alice]\nattributes = { x = nan }\n", "2:20: users.alice.attributes.x: nan and inf have no JSON form"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(error("bad.toml", text), "DIR/bad.toml:" + std::string(expected)) << text;
  }
}

TEST_F(IdentityFileTest, ReportsTheFirstTomlProblemInTheText) {
  // Tables are walked in key order (amy before zed); the report is zed's, written first.
  EXPECT_EQ(error("two.toml", "[users.zed]\nroles = 1\n[users.amy]\nroles = 2\n"),
            "DIR/two.toml:2:1: users.zed.roles: expected an array of role names, got an integer");
}

TEST_F(IdentityFileTest, RefusesDeepNesting) {
  const std::string deep = std::string(70, '[') + std::string(70, ']');
  const std::string toml_error = error("deep.toml", "[users.a]\nattributes = { x = " + deep + " }\n");
  EXPECT_TRUE(toml_error.starts_with("DIR/deep.toml:2:")) << toml_error;
  EXPECT_TRUE(toml_error.ends_with(": nested deeper than 64 levels")) << toml_error;
  const std::string json_error = error("deep.json", R"({"users": {"a": {"attributes": {"x": )" + deep + "}}}}");
  EXPECT_TRUE(json_error.starts_with("DIR/deep.json: users.a.attributes.x[0][0]")) << json_error;
  EXPECT_TRUE(json_error.ends_with(": nested deeper than 64 levels")) << json_error;
}

TEST_F(IdentityFileTest, ReportsJsonSyntaxErrorsWithTheirPosition) {
  EXPECT_EQ(error("bad.json", "{\n  \"users\": }\n"),
            "DIR/bad.json:2:12: syntax error while parsing value - unexpected '}'; expected '[', '{', or a literal");
}

TEST_F(IdentityFileTest, ReportsJsonProblemsByPath) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases{
      {"[1]", "the top level must be an object, not an array"},
      {R"({"groups": {}})", "unknown top-level key \"groups\"; expected \"users\" or \"clients\""},
      {R"({"client": {}})", "unknown top-level key \"client\"; did you mean \"clients\"?"},
      {R"({"users": []})", "users: expected an object, got an array"},
      {R"({"users": {"a": 1}})", "users.a: expected an object with \"roles\" and \"attributes\", got an integer"},
      {R"({"users": {"a": {"rolez": []}}})", "users.a: unknown key \"rolez\"; did you mean \"roles\"?"},
      {R"({"users": {"a": {"roles": {}}}})", "users.a.roles: expected an array of role names, got an object"},
      {R"({"users": {"a": {"roles": [null]}}})",
       "users.a.roles[0]: expected a role name (a non-empty string), got null"},
      {R"({"users": {"a": {"attributes": "x"}}})", "users.a.attributes: expected an object, got a string"},
      {R"({"clients": {"": {}}})", "clients.\"\": the client id is empty"},
      {R"({"users": {"alice": {}, "alice": {"roles": ["admin"]}}})", "users: key \"alice\" is given twice"},
      {R"({"users": {"a": {"attributes": {"l": [1, {"k": 1, "k": 2}]}}}})",
       "users.a.attributes.l[1]: key \"k\" is given twice"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(error("bad.json", text), "DIR/bad.json: " + std::string(expected)) << text;
  }
}

}  // namespace
}  // namespace mqwarden::auth
