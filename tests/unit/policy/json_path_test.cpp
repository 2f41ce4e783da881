// JSON paths: built from parsed policy paths, looked up in documents, rendered.
#include "policy/json_path.hpp"

#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using nlohmann::json;
using testing::codes_of;
using testing::parse_text;

// The payload path written `text` in a policy, e.g. "payload.a[0].b".
JsonPath parsed_path(const std::string& text) {
  const ParseResult parsed = parse_text("rule r { on tentative publish then modify { remove " + text + " } }");
  EXPECT_TRUE(parsed.diagnostics.empty()) << codes_of(parsed.diagnostics);
  if (parsed.policy.rules.empty()) return {};
  const auto& modify = std::get<Modify>(parsed.policy.rules[0].then_actions.at(0).node);
  const auto& path = std::get<Path>(modify.edits.at(0).targets.at(0)->node);
  return json_path_from(std::span(path.segments).subspan(1));
}

JsonPathStep member(std::string key) {
  return {std::move(key), std::nullopt};
}
JsonPathStep element(std::size_t index) {
  return {{}, index};
}

const json kDocument = json::parse(R"({
  "name": "Ada",
  "position": {"lat": 45.81, "lon": 8.63},
  "readings": [{"value": 21.5}, {"value": null}],
  "first name": "A",
  "0": "zero"
})");

TEST(JsonPath, ComesFromTheSegmentsAfterPayload) {
  EXPECT_EQ(parsed_path("payload"), JsonPath{});
  EXPECT_EQ(parsed_path("payload.name"), JsonPath{member("name")});
  EXPECT_EQ(parsed_path(R"(payload.readings[1]["first name"].x)"),
            (JsonPath{member("readings"), element(1), member("first name"), member("x")}));
}

TEST(JsonPath, ABracketedStringIsAMemberEvenWhenItIsDigits) {
  EXPECT_EQ(parsed_path(R"(payload["0"])"), JsonPath{member("0")});
  EXPECT_EQ(*find(kDocument, parsed_path(R"(payload["0"])")), "zero");
}

TEST(JsonPath, FindsMembersAndElements) {
  EXPECT_EQ(find(kDocument, {}), &kDocument);
  EXPECT_EQ(*find(kDocument, parsed_path("payload.name")), "Ada");
  EXPECT_EQ(*find(kDocument, parsed_path("payload.position.lon")), 8.63);
  EXPECT_EQ(*find(kDocument, parsed_path("payload.readings[0].value")), 21.5);
  EXPECT_EQ(*find(kDocument, parsed_path(R"(payload["first name"])")), "A");
}

TEST(JsonPath, APresentNullIsFound) {
  const json* value = find(kDocument, parsed_path("payload.readings[1].value"));
  ASSERT_NE(value, nullptr);
  EXPECT_TRUE(value->is_null());
}

TEST(JsonPath, AbsentWhenMissingOutOfRangeOrOfTheWrongKind) {
  EXPECT_EQ(find(kDocument, parsed_path("payload.email")), nullptr);
  EXPECT_EQ(find(kDocument, parsed_path("payload.readings[2]")), nullptr);
  EXPECT_EQ(find(kDocument, parsed_path("payload.readings.value")), nullptr);  // a member of an array
  EXPECT_EQ(find(kDocument, parsed_path("payload.position[0]")), nullptr);     // an element of an object
  EXPECT_EQ(find(kDocument, parsed_path("payload.name.first")), nullptr);      // a member of a string
  EXPECT_EQ(find(kDocument, parsed_path("payload.name[0]")), nullptr);         // an element of a string
  EXPECT_EQ(find(json(42), parsed_path("payload.a")), nullptr);
}

TEST(JsonPath, FindsForWriting) {
  json document = kDocument;
  json* lat = find(document, parsed_path("payload.position.lat"));
  ASSERT_NE(lat, nullptr);
  *lat = 0;
  EXPECT_EQ(document["position"]["lat"], 0);
  EXPECT_EQ(find(document, parsed_path("payload.position.alt")), nullptr);
}

TEST(JsonPath, RendersAsWritten) {
  EXPECT_EQ(to_string(JsonPath{}), "payload");
  for (const char* text : {"payload.a[0].b", "payload.readings[12]", "payload._x1.y_2"}) {
    EXPECT_EQ(to_string(parsed_path(text)), text);
  }
}

TEST(JsonPath, RendersOtherKeysInBracketsAsJsonStrings) {
  EXPECT_EQ(to_string({member("first name")}), R"(payload["first name"])");
  EXPECT_EQ(to_string({member("0")}), R"(payload["0"])");
  EXPECT_EQ(to_string({member("")}), R"(payload[""])");
  EXPECT_EQ(to_string({member("say \"hi\"")}), R"(payload["say \"hi\""])");
  EXPECT_EQ(to_string({member("a"), member("b-c"), element(3)}), R"(payload.a["b-c"][3])");
}

TEST(JsonPath, RendersInvalidUtf8WithoutThrowing) {
  EXPECT_EQ(to_string({member("\xff")}), "payload[\"\xEF\xBF\xBD\"]");
}

}  // namespace
}  // namespace mqwarden::policy
