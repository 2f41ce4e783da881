// Payload edits of modify: each edit kind on present, absent and wrong-kind
// targets, the serialised results, pseudonyms, blur geometry, and random
// edit sequences that must always leave valid, stable JSON.
#include "policy/payload_edit.hpp"

#include <array>
#include <cmath>
#include <numbers>
#include <random>

#include "policy_test_support.hpp"

namespace mqwarden::policy {
namespace {

using nlohmann::json;

std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> out;
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

const std::vector<std::byte> kKey = bytes_of("secret");

// The payload path written `text` in a policy: "payload.a[0].b".
JsonPath path(const std::string& text) {
  const ParseResult parsed = testing::parse_text("rule r { on tentative publish then modify { remove " + text + " } }");
  EXPECT_TRUE(parsed.diagnostics.empty()) << testing::codes_of(parsed.diagnostics);
  if (parsed.policy.rules.empty()) return {};
  const auto& modify = std::get<Modify>(parsed.policy.rules[0].then_actions.at(0).node);
  return json_path_from(std::span(std::get<Path>(modify.edits.at(0).targets.at(0)->node).segments).subspan(1));
}

PayloadEdit edit(EditKind kind, const std::string& target, json value = nullptr) {
  return {.kind = kind, .target = path(target), .value = std::move(value)};
}
PayloadEdit cut(EditKind kind, const std::string& target, int decimals) {
  return {.kind = kind, .target = path(target), .decimals = decimals};
}
PayloadEdit blur(double metres, const std::string& latitude = "payload.lat",
                 const std::string& longitude = "payload.lon") {
  return {.kind = EditKind::blur, .target = path(latitude), .second_target = path(longitude), .grid_metres = metres};
}

struct Edited {
  json document;
  EditOutcome outcome;
};

Edited apply(std::string_view document, std::vector<PayloadEdit> edits, std::span<const std::byte> key = kKey) {
  Edited result{json::parse(document), {}};
  result.outcome = apply_edits(result.document, edits, key);
  return result;
}

// The serialised result of one edit of `document`.
std::string edited(std::string_view document, PayloadEdit one) {
  return apply(document, {std::move(one)}).document.dump();
}

std::vector<NotAppliedEdit> refused(std::size_t edit, NotApplied reason) {
  return {{edit, reason}};
}

// ---- set ------------------------------------------------------------------

TEST(PayloadEditSet, OverwritesAField) {
  const Edited result =
      apply(R"({"fullName":"Ada Lovelace","age":36})", {edit(EditKind::set, "payload.fullName", "anonymous")});
  EXPECT_EQ(result.document.dump(), R"({"age":36,"fullName":"anonymous"})");
  EXPECT_TRUE(result.outcome.changed);
  EXPECT_TRUE(result.outcome.not_applied.empty());
}

TEST(PayloadEditSet, CreatesMissingMembersAndObjects) {
  EXPECT_EQ(edited(R"({})", edit(EditKind::set, "payload.a.b.c", 1)), R"({"a":{"b":{"c":1}}})");
  EXPECT_EQ(edited(R"({"user":{"name":"Ada"}})", edit(EditKind::set, "payload.user.address.city", "X")),
            R"({"user":{"address":{"city":"X"},"name":"Ada"}})");
  EXPECT_EQ(edited(R"({"a":{"x":0}})", edit(EditKind::set, "payload.a.b", json::array())), R"({"a":{"b":[],"x":0}})");
  EXPECT_EQ(edited(R"({})", edit(EditKind::set, R"(payload["first name"])", "x")), R"({"first name":"x"})");
}

TEST(PayloadEditSet, WritesIntoExistingArrayElements) {
  EXPECT_EQ(edited(R"({"r":[{"v":1},{"v":2}]})", edit(EditKind::set, "payload.r[1].v", 0)),
            R"({"r":[{"v":1},{"v":0}]})");
  EXPECT_EQ(edited(R"({"r":[{"v":1}]})", edit(EditKind::set, "payload.r[0].w", 5)), R"({"r":[{"v":1,"w":5}]})");
  EXPECT_EQ(edited(R"({"r":[1,2]})", edit(EditKind::set, "payload.r[0]", "x")), R"({"r":["x",2]})");
}

TEST(PayloadEditSet, NeverTurnsAnExistingValueIntoAnObject) {
  for (const char* document : {R"({"a":"text"})", R"({"a":null})", R"({"a":[1]})", R"({"a":7})"}) {
    const Edited result = apply(document, {edit(EditKind::set, "payload.a.b", 1)});
    EXPECT_EQ(result.document, json::parse(document));
    EXPECT_FALSE(result.outcome.changed);
    EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::blocked));
  }
  EXPECT_EQ(apply("[1]", {edit(EditKind::set, "payload.a", 1)}).outcome.not_applied, refused(0, NotApplied::blocked));
}

TEST(PayloadEditSet, NeverGrowsArraysNorLeavesHalfMadeObjects) {
  EXPECT_EQ(apply(R"({"r":[1]})", {edit(EditKind::set, "payload.r[1]", 2)}).outcome.not_applied,
            refused(0, NotApplied::blocked));
  const Edited result = apply(R"({})", {edit(EditKind::set, "payload.a.b[0].c", 1)});
  EXPECT_EQ(result.document.dump(), "{}");
  EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::blocked));
}

TEST(PayloadEditSet, ReportsAChangeOnlyWhenTheDocumentDiffers) {
  EXPECT_FALSE(apply(R"({"a":1})", {edit(EditKind::set, "payload.a", 1)}).outcome.changed);
  EXPECT_FALSE(apply(R"({"a":1.0})", {edit(EditKind::set, "payload.a", 1)}).outcome.changed);
  const Edited created_null = apply(R"({})", {edit(EditKind::set, "payload.a", nullptr)});
  EXPECT_TRUE(created_null.outcome.changed);
  EXPECT_EQ(created_null.document.dump(), R"({"a":null})");
}

TEST(PayloadEditSet, RefusesNonFiniteNumbers) {
  const Edited result = apply(R"({"a":1})", {edit(EditKind::set, "payload.a", json{{"x", NAN}})});
  EXPECT_EQ(result.document.dump(), R"({"a":1})");
  EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::bad_argument));
}

// ---- remove ---------------------------------------------------------------

TEST(PayloadEditRemove, DeletesMembersAndElements) {
  EXPECT_EQ(edited(R"({"ssn":"123","name":"Ada"})", edit(EditKind::remove, "payload.ssn")), R"({"name":"Ada"})");
  EXPECT_EQ(edited(R"({"a":{"b":1,"c":2}})", edit(EditKind::remove, "payload.a.b")), R"({"a":{"c":2}})");
  EXPECT_EQ(edited(R"({"r":[1,2,3]})", edit(EditKind::remove, "payload.r[0]")), R"({"r":[2,3]})");
  EXPECT_EQ(edited(R"({"a":null})", edit(EditKind::remove, "payload.a")), "{}");
}

TEST(PayloadEditRemove, AnAbsentFieldIsANoOp) {
  for (const char* target : {"payload.email", "payload.name.first", "payload.r[3]", "payload.r.x", "payload.name[0]"}) {
    const Edited result = apply(R"({"name":"Ada","r":[1]})", {edit(EditKind::remove, target)});
    EXPECT_EQ(result.document.dump(), R"({"name":"Ada","r":[1]})") << target;
    EXPECT_FALSE(result.outcome.changed) << target;
    EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::absent)) << target;
  }
}

TEST(PayloadEditRemove, NotTheWholePayload) {
  const Edited result = apply(R"({"a":1})", {edit(EditKind::remove, "payload")});
  EXPECT_EQ(result.document.dump(), R"({"a":1})");
  EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::whole_payload));
}

// ---- replace --------------------------------------------------------------

TEST(PayloadEditReplace, OverwritesOnlyAPresentValue) {
  EXPECT_EQ(edited(R"({"name":"Ada"})", edit(EditKind::replace, "payload.name", "x")), R"({"name":"x"})");
  EXPECT_EQ(edited(R"({"name":null})", edit(EditKind::replace, "payload.name", "x")), R"({"name":"x"})");
  EXPECT_EQ(edited(R"({"r":[{"a":1}]})", edit(EditKind::replace, "payload.r[0]", json::object())), R"({"r":[{}]})");
  const Edited absent = apply(R"({"a":1})", {edit(EditKind::replace, "payload.name", "x")});
  EXPECT_EQ(absent.document.dump(), R"({"a":1})");
  EXPECT_EQ(absent.outcome.not_applied, refused(0, NotApplied::absent));
}

TEST(PayloadEditReplace, TheWholePayload) {
  EXPECT_EQ(edited(R"({"a":1})", edit(EditKind::replace, "payload", json{{"redacted", true}})), R"({"redacted":true})");
  EXPECT_EQ(edited(R"([1,2])", edit(EditKind::replace, "payload", "gone")), R"("gone")");
}

// ---- pseudonymise ---------------------------------------------------------

TEST(PayloadEditPseudonymise, IsTheHmacSha256OfTheStringInHex) {
  // printf %s alice | openssl dgst -sha256 -hmac secret, first 16 bytes
  EXPECT_EQ(edited(R"({"user":"alice"})", edit(EditKind::pseudonymise, "payload.user")),
            R"({"user":"4360c67bc81025114044578d7c4e8e0f"})");
}

TEST(PayloadEditPseudonymise, HashesAnyOtherValueAsCompactJsonText) {
  EXPECT_EQ(pseudonym(42, kKey), "93c121e7aa437a1e01e3c512c6f0ce3c");  // the text 42
  // {"a":2,"b":1}: members in name order, no spaces
  EXPECT_EQ(edited(R"({"owner":{ "b": 1, "a": 2 }})", edit(EditKind::pseudonymise, "payload.owner")),
            R"({"owner":"03d4fe497b6a4b4e930635b346e921d4"})");
}

TEST(PayloadEditPseudonymise, IsStableAndDependsOnTheKeyAndTheValue) {
  const std::string alice = pseudonym("alice", kKey);
  EXPECT_EQ(alice.size(), 32U);
  EXPECT_EQ(pseudonym("alice", kKey), alice);
  EXPECT_NE(pseudonym("alice", bytes_of("other secret")), alice);
  EXPECT_NE(pseudonym("alicf", kKey), alice);
  EXPECT_NE(pseudonym(json::array({"alice"}), kKey), alice);
  const Edited twice = apply(R"({"a":"alice","b":"alice"})",
                             {edit(EditKind::pseudonymise, "payload.a"), edit(EditKind::pseudonymise, "payload.b")});
  EXPECT_EQ(twice.document["a"], twice.document["b"]);
}

TEST(PayloadEditPseudonymise, WithoutAKeyFailsClosed) {
  const Edited result = apply(R"({"user":"alice"})", {edit(EditKind::pseudonymise, "payload.user")}, {});
  EXPECT_EQ(result.document.dump(), R"({"user":null})");
  EXPECT_TRUE(result.outcome.changed);
  EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::pseudonym_unavailable));
}

TEST(PayloadEditPseudonymise, AnAbsentFieldIsLeftAbsent) {
  const Edited result = apply(R"({"a":1})", {edit(EditKind::pseudonymise, "payload.user")});
  EXPECT_EQ(result.document.dump(), R"({"a":1})");
  EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::absent));
}

// ---- round and truncate ---------------------------------------------------

std::string rounded(std::string_view number, int decimals) {
  return edited(R"({"x":)" + std::string(number) + "}", cut(EditKind::round, "payload.x", decimals)).substr(5);
}
std::string truncated(std::string_view number, int decimals) {
  return edited(R"({"x":)" + std::string(number) + "}", cut(EditKind::truncate, "payload.x", decimals)).substr(5);
}

TEST(PayloadEditRound, WritesTheRoundedNumberWithoutNoise) {
  EXPECT_EQ(rounded("45.123456", 2), "45.12}");
  EXPECT_EQ(rounded("8.987654", 2), "8.99}");
  EXPECT_EQ(rounded("0.1234567890123456", 15), "0.123456789012346}");
  EXPECT_EQ(rounded("1.2345e-7", 9), "1.23e-07}");
  EXPECT_EQ(rounded("12345.678", 1), "12345.7}");
}

TEST(PayloadEditRound, RoundsTheDecimalsShownHalfAwayFromZero) {
  EXPECT_EQ(rounded("1.005", 2), "1.01}");  // the double is 1.00499999…, the payload said 1.005
  EXPECT_EQ(rounded("2.675", 2), "2.68}");
  EXPECT_EQ(rounded("0.5", 0), "1}");
  EXPECT_EQ(rounded("-0.5", 0), "-1}");
  EXPECT_EQ(rounded("-45.125", 2), "-45.13}");
  EXPECT_EQ(rounded("-45.124", 2), "-45.12}");
}

TEST(PayloadEditRound, CarriesAndWritesWholeResultsAsIntegers) {
  EXPECT_EQ(rounded("9.995", 2), "10}");
  EXPECT_EQ(rounded("0.96", 1), "1}");
  EXPECT_EQ(rounded("99.9", 0), "100}");
  EXPECT_EQ(rounded("0.004", 2), "0}");
  EXPECT_EQ(rounded("-0.004", 2), "0}");  // never -0.0
}

TEST(PayloadEditRound, LeavesWhatHasNoDecimalsToLose) {
  EXPECT_EQ(rounded("45", 2), "45}");
  EXPECT_EQ(rounded("-7", 0), "-7}");
  EXPECT_EQ(rounded("18446744073709551615", 0), "18446744073709551615}");
  EXPECT_EQ(rounded("1e20", 2), "1e+20}");
  EXPECT_EQ(rounded("45.12", 2), "45.12}");
  EXPECT_FALSE(apply(R"({"x":45.0})", {cut(EditKind::round, "payload.x", 0)}).outcome.changed);
}

TEST(PayloadEditRound, ClampsTheDecimalsToZeroToFifteen) {
  EXPECT_EQ(rounded("45.6", -2), "46}");
  EXPECT_EQ(rounded("0.12345678901234567", 40), rounded("0.12345678901234567", 15));
}

TEST(PayloadEditTruncate, CutsTowardZero) {
  EXPECT_EQ(truncated("21.7", 0), "21}");
  EXPECT_EQ(truncated("-21.7", 0), "-21}");
  EXPECT_EQ(truncated("-45.129", 2), "-45.12}");
  EXPECT_EQ(truncated("45.129", 2), "45.12}");
  EXPECT_EQ(truncated("0.999", 2), "0.99}");
  EXPECT_EQ(truncated("-0.5", 0), "0}");
  EXPECT_EQ(truncated("1.239999999999", 2), "1.23}");
  EXPECT_EQ(truncated("1.2399999999999999", 2), "1.24}");  // the same double as 1.24, whose shortest form counts
}

TEST(PayloadEditRound, LeavesNonNumbersAndReportsThem) {
  for (const char* value : {R"("45.123")", "null", "true", "[1.5]", R"({"v":1.5})"}) {
    for (EditKind kind : {EditKind::round, EditKind::truncate}) {
      const std::string document = R"({"x":)" + std::string(value) + "}";
      const Edited result = apply(document, {cut(kind, "payload.x", 0)});
      EXPECT_EQ(result.document, json::parse(document));
      EXPECT_EQ(result.outcome.not_applied, refused(0, NotApplied::not_a_number));
    }
  }
  EXPECT_EQ(apply("{}", {cut(EditKind::round, "payload.x", 0)}).outcome.not_applied, refused(0, NotApplied::absent));
}

TEST(PayloadEditRound, ReachesIntoArrays) {
  EXPECT_EQ(edited(R"({"p":[[45.123,8.456]]})", cut(EditKind::round, "payload.p[0][1]", 1)), R"({"p":[[45.123,8.5]]})");
}

// ---- blur -----------------------------------------------------------------

struct Position {
  double lat = 0;
  double lon = 0;
};

Position blurred(Position position, double metres) {
  json document{{"lat", position.lat}, {"lon", position.lon}};
  const EditOutcome outcome = apply_edits(document, std::vector{blur(metres)}, kKey);
  EXPECT_TRUE(outcome.not_applied.empty());
  return {document["lat"].get<double>(), document["lon"].get<double>()};
}

constexpr double kMetresPerDegree = 111'320;

// The distance in metres along the surface, for small steps.
double metres_between(Position a, Position b) {
  const double north = (a.lat - b.lat) * kMetresPerDegree;
  double east_degrees = std::fabs(a.lon - b.lon);
  east_degrees = std::min(east_degrees, 360 - east_degrees);
  const double east = east_degrees * kMetresPerDegree * std::cos((a.lat + b.lat) / 2 * std::numbers::pi / 180);
  return std::hypot(north, east);
}

TEST(PayloadEditBlur, SnapsToTheCentreOfACellAtTheEquator) {
  // 111,320 m: 180 rows of one degree; 359 columns of 360/359 degrees at 0.5°.
  EXPECT_EQ(edited(R"({"lat":0.3,"lon":0.3})", blur(kMetresPerDegree)), R"({"lat":0.5,"lon":0})");
  EXPECT_EQ(edited(R"({"lat":-0.3,"lon":0.3})", blur(kMetresPerDegree)), R"({"lat":-0.5,"lon":0})");
  for (const Position position : {Position{0.0001, 0.0001}, Position{-0.0004, 0.0004}, Position{0.00449, -0.00449}}) {
    const Position centre = blurred(position, 1000);
    EXPECT_LE(metres_between(position, centre), 1000 * std::sqrt(2) / 2 * 1.01);
    EXPECT_NE(centre.lat, position.lat);
  }
}

TEST(PayloadEditBlur, PointsInOneCellShareItsCentreAndTheCentreStays) {
  const Position a = blurred({45.81001, 8.63001}, 500);
  const Position b = blurred({45.81002, 8.63002}, 500);
  EXPECT_EQ(a.lat, b.lat);
  EXPECT_EQ(a.lon, b.lon);
  const Position again = blurred(a, 500);
  EXPECT_EQ(again.lat, a.lat);
  EXPECT_EQ(again.lon, a.lon);
  const Position far = blurred({45.82, 8.64}, 500);
  EXPECT_NE(far.lat, a.lat);
  EXPECT_NE(far.lon, a.lon);
}

TEST(PayloadEditBlur, CellsAreAboutTheGridWide) {
  for (double latitude : {0.0, 30.0, 60.0, 80.0}) {
    // Two points 5 km apart east-west fall in different 1 km cells whose centres are 4 to 6 km apart.
    const double step = 5000 / (kMetresPerDegree * std::cos(latitude * std::numbers::pi / 180));
    const Position west = blurred({latitude + 0.1, 10}, 1000);
    const Position east = blurred({latitude + 0.1, 10 + step}, 1000);
    const double apart = metres_between(west, east);
    EXPECT_GT(apart, 3900) << latitude;
    EXPECT_LT(apart, 6100) << latitude;
  }
}

TEST(PayloadEditBlur, StaysOnTheGlobeNearThePoles) {
  for (const Position position :
       {Position{89.9999, 123}, Position{90, 0}, Position{-90, -45}, Position{95, 10}, Position{-89.99999, 179.9}}) {
    const Position centre = blurred(position, 1000);
    EXPECT_GT(centre.lat, -90) << position.lat;
    EXPECT_LT(centre.lat, 90) << position.lat;
    EXPECT_GE(centre.lon, -180) << position.lon;
    EXPECT_LT(centre.lon, 180) << position.lon;
    EXPECT_LE(std::fabs(centre.lat - std::clamp(position.lat, -90.0, 90.0)), 1000 / kMetresPerDegree);
  }
  EXPECT_EQ(blurred({95, 10}, 1000).lat, blurred({90, 10}, 1000).lat);
}

TEST(PayloadEditBlur, WrapsAcrossTheAntimeridian) {
  const Position east = blurred({10, 179.9999}, 1000);
  const Position west = blurred({10, -179.9999}, 1000);
  EXPECT_LT(east.lon, 180);
  EXPECT_GT(east.lon, 179.99);
  EXPECT_GE(west.lon, -180);
  EXPECT_LT(west.lon, -179.99);
  EXPECT_EQ(blurred({10, 180}, 1000).lon, blurred({10, -180}, 1000).lon);
  EXPECT_EQ(blurred({10, 540.0001}, 1000).lon, blurred({10, -179.9999}, 1000).lon);
  EXPECT_EQ(blurred({10, -360.5}, 1000).lon, blurred({10, -0.5}, 1000).lon);
}

TEST(PayloadEditBlur, AGridWiderThanTheEarthLeavesOnePoint) {
  EXPECT_EQ(edited(R"({"lat":45.8,"lon":8.6})", blur(1e8)), R"({"lat":0,"lon":0})");
}

TEST(PayloadEditBlur, NeedsTwoNumbersAndAGrid) {
  const char* document = R"({"lat":45.8,"lon":"8.6","pos":{"lat":1}})";
  const auto refusal = [&](PayloadEdit one) {
    const Edited result = apply(document, {std::move(one)});
    EXPECT_EQ(result.document, json::parse(document));
    return result.outcome.not_applied;
  };
  EXPECT_EQ(refusal(blur(100)), refused(0, NotApplied::not_a_number));
  EXPECT_EQ(refusal(blur(100, "payload.pos.lat", "payload.pos.lon")), refused(0, NotApplied::absent));
  EXPECT_EQ(refusal(blur(0, "payload.lat", "payload.lat")), refused(0, NotApplied::bad_argument));
  EXPECT_EQ(refusal(blur(NAN, "payload.lat", "payload.lat")), refused(0, NotApplied::bad_argument));
}

TEST(PayloadEditBlur, AcceptsIntegersAndNestedPositions) {
  EXPECT_EQ(edited(R"({"p":{"la":0,"lo":0}})", blur(kMetresPerDegree, "payload.p.la", "payload.p.lo")),
            R"({"p":{"la":0.5,"lo":0}})");
}

TEST(PayloadEditBlur, WritesNoMoreDigitsThanTheGridKeeps) {
  const Edited result = apply(R"({"lat":45.812345678,"lon":8.631234567})", {blur(100)});
  for (const char* field : {"lat", "lon"}) {
    const std::string text = result.document[field].dump();
    EXPECT_LE(text.size() - text.find('.') - 1, 7U) << text;
  }
}

// ---- sequences ------------------------------------------------------------

TEST(PayloadEdits, ApplyInOrderAndReportEachRefusal) {
  const Edited result =
      apply(R"({"name":"Ada","lat":45.8123,"lon":8.6321})",
            {edit(EditKind::set, "payload.fullName", "anonymous"), edit(EditKind::remove, "payload.ssn"),
             cut(EditKind::round, "payload.lat", 2), edit(EditKind::remove, "payload.name"),
             cut(EditKind::round, "payload.name", 2), cut(EditKind::truncate, "payload.lon", 1)});
  EXPECT_EQ(result.document.dump(), R"({"fullName":"anonymous","lat":45.81,"lon":8.6})");
  EXPECT_TRUE(result.outcome.changed);
  EXPECT_EQ(result.outcome.not_applied,
            (std::vector<NotAppliedEdit>{{1, NotApplied::absent}, {4, NotApplied::absent}}));
}

TEST(PayloadEdits, NothingToDoChangesNothing) {
  const Edited result = apply(R"({"a":1})", {});
  EXPECT_FALSE(result.outcome.changed);
  EXPECT_TRUE(result.outcome.not_applied.empty());
}

// ---- random sequences -----------------------------------------------------

class RandomEdits {
 public:
  explicit RandomEdits(std::uint32_t seed) : random_(seed) {}

  json document(int depth = 0) {
    switch (below(depth >= 3 ? 5 : 7)) {
      case 0: return nullptr;
      case 1: return below(2) == 1;
      case 2: return static_cast<std::int64_t>(below(2001)) - 1000;
      case 3: return std::uniform_real_distribution<double>(-200, 200)(random_) * std::pow(10, below(9) - 4.0);
      case 4: return std::string(1 + below(3), static_cast<char>('a' + below(3)));
      case 5: {
        json array = json::array();
        for (std::size_t n = below(4); n > 0; --n) array.push_back(document(depth + 1));
        return array;
      }
      default: {
        json object = json::object();
        for (std::size_t n = below(5); n > 0; --n) object[key_name()] = document(depth + 1);
        return object;
      }
    }
  }

  PayloadEdit edit() {
    PayloadEdit one;
    one.kind = static_cast<EditKind>(below(7));
    one.target = path();
    one.second_target = path();
    one.value = below(10) == 0 ? json{{"n", NAN}} : document(1);  // a non-finite value must be refused
    one.decimals = static_cast<int>(below(24)) - 4;
    one.grid_metres = std::array{0.0, -5.0, 1.0, 100.0, 5000.0, 1e7, 1e-300}[below(7)];
    return one;
  }

  std::vector<std::byte> key() { return below(8) == 0 ? std::vector<std::byte>{} : kKey; }

 private:
  std::size_t below(std::size_t bound) { return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_); }
  std::string key_name() { return std::array{"a", "b", "lat", "lon", ""}[below(5)]; }
  JsonPath path() {
    JsonPath steps;
    for (std::size_t n = below(4); n > 0; --n) {
      steps.push_back(below(3) == 0 ? JsonPathStep{{}, below(3)} : JsonPathStep{key_name(), std::nullopt});
    }
    return steps;
  }
  std::mt19937 random_;
};

TEST(PayloadEdits, RandomSequencesAlwaysLeaveValidStableJson) {
  constexpr std::uint32_t kSeed = 20261121;
  RandomEdits random(kSeed);
  for (int round = 0; round < 3000; ++round) {
    SCOPED_TRACE("seed " + std::to_string(kSeed) + ", round " + std::to_string(round));
    json document = random.document();
    const json before = document;
    std::vector<PayloadEdit> edits;
    for (int n = 1 + round % 5; n > 0; --n) edits.push_back(random.edit());
    const EditOutcome outcome = apply_edits(document, edits, random.key());

    const std::string text = document.dump();
    const json reparsed = json::parse(text);
    ASSERT_EQ(reparsed, document) << text;
    ASSERT_EQ(reparsed.dump(), text);
    if (!outcome.changed) {
      ASSERT_EQ(document, before) << before.dump() << " -> " << text;
    }
    for (const NotAppliedEdit& refusal : outcome.not_applied) ASSERT_LT(refusal.edit, edits.size());
  }
}

}  // namespace
}  // namespace mqwarden::policy
