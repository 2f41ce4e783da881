// Base64 as password files use it: the RFC 4648 test vectors, and strict
// decoding that refuses every text Mosquitto would not write.
#include "auth/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::auth {
namespace {

std::vector<std::uint8_t> bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

TEST(Base64, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(base64_encode(bytes("")), "");
  EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(base64_encode(bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64, DecodesTheRfc4648Vectors) {
  for (std::string_view plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const auto decoded = base64_decode(base64_encode(bytes(plain)));
    ASSERT_TRUE(decoded.has_value()) << plain;
    EXPECT_EQ(*decoded, bytes(plain));
  }
}

TEST(Base64, RoundTripsEveryByteValueWithBothHighAlphabetCharacters) {
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  const std::string text = base64_encode(all);
  EXPECT_NE(text.find('+'), std::string::npos);
  EXPECT_NE(text.find('/'), std::string::npos);
  EXPECT_EQ(base64_decode(text), all);
}

TEST(Base64, RefusesWhatIsNotCanonicalPaddedBase64) {
  for (std::string_view bad : {
           "Zg",         // padding missing
           "Zg=",        // length not a multiple of 4
           "Zh==",       // bits left over in the last character
           "Zm9=",       // likewise, with one '='
           "Zg==Zg==",   // padding in the middle
           "====",       // padding only
           "Z===",       // too much padding
           "Zm9v Yg==",  // whitespace
           "Zm9-",       // URL-safe alphabet
           "Zm9_",       //
           "Zm9v\n",     // line break
       }) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace mqwarden::auth
