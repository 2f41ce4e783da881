// Password hashes: known answers from the real mosquitto_passwd (Debian 12's
// mosquitto 2.0.11) and from an independent computation, parse errors that do
// not repeat the secret, and new hashes that Mosquitto's construction accepts.
#include "auth/password_hash.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace mqwarden::auth {
namespace {

struct KnownAnswer {
  std::string_view hash;
  std::string_view password;
};

// Written by `mosquitto_passwd -b [-H sha512] [-I 1000] FILE USER PASSWORD`
// from Debian 12's mosquitto 2.0.11 package.
constexpr KnownAnswer kMosquittoPbkdf2 = {
    "$7$101$6+jg6drW7eq/Lg/t$yy8/IKgK1O5XSKf/wYDepf9NCl1JTmgrUFkx0NTHuRA7Xe7EGj+JrxR83HFGa7/+whS/M5GVWVm4BYEj5ThTGw==",
    "secret"};
constexpr KnownAnswer kMosquittoPbkdf2Spaces = {
    "$7$101$EX78UwtXXPzz638c$Zc8YcNwwVEDLHLf/AEZMfhi6f/+q5bmsziy6EQ/mXwnKoBP4vd8Dkh2vPEyFG2nBeQ0iLYGeR+YyRqFrzILjgw==",
    "correct horse battery staple"};
constexpr KnownAnswer kMosquittoPbkdf2Utf8 = {
    "$7$1000$oeKoMa/45r2ciD94$sCANqUjyoq36IaTYa7xTnHIqxVzdO5IBuroUGcq0Xq6adElhSwX/1I/9cIeMqaBj2ymycLl5v+zYj9rnwDxkQA==",
    "üñï©ødé"};
constexpr KnownAnswer kMosquittoSha512 = {
    "$6$tzVZAFBdXLxcd8nw$QWNye1dn+ytQsxK0ol/Tijmpi0xL28M9aiovS0F2AUxFfjFgPAVpZGAC2T5Uz3Qiulcgb9zElao0fvbPNfksPQ==",
    "legacy-pass"};
// Computed independently with Python's hashlib, salt b"fixed-salt12":
//   sha512(b"hunter2" + salt) and pbkdf2_hmac("sha512", b"hunter2", salt, 3).
constexpr KnownAnswer kHashlibSha512 = {
    "$6$Zml4ZWQtc2FsdDEy$2WHfA+DqriyoCGeH1YLemQ4P4vvNazV6aVkq9cDClh90R/gatlBl94D4GyR5G7/vI3jTHM85MJJUSYlEJzhvXw==",
    "hunter2"};
constexpr KnownAnswer kHashlibPbkdf2 = {
    "$7$3$Zml4ZWQtc2FsdDEy$A5GlSiQKgLj0iZiQJ9kMNO8b616xq6+ff45DrDtOEY9XFcRjIWzhtnXcUEFF3RyA+gAeeJeFZ1XnIiuqCg62FQ==",
    "hunter2"};

constexpr KnownAnswer kKnownAnswers[] = {kMosquittoPbkdf2, kMosquittoPbkdf2Spaces, kMosquittoPbkdf2Utf8,
                                         kMosquittoSha512, kHashlibSha512,         kHashlibPbkdf2};

PasswordHash parsed(std::string_view text) {
  auto hash = parse_password_hash(text);
  EXPECT_TRUE(hash.ok()) << text << ": " << (hash.ok() ? "" : hash.error());
  return hash.ok() ? *hash : PasswordHash{};
}

TEST(PasswordHash, ParsesMosquittoFormats) {
  const PasswordHash pbkdf2 = parsed(kMosquittoPbkdf2Utf8.hash);
  EXPECT_EQ(pbkdf2.algorithm, HashAlgorithm::pbkdf2_sha512);
  EXPECT_EQ(pbkdf2.iterations, 1000);
  const PasswordHash sha512 = parsed(kMosquittoSha512.hash);
  EXPECT_EQ(sha512.algorithm, HashAlgorithm::sha512);
  EXPECT_EQ(parsed(kHashlibPbkdf2.hash).salt,
            (std::array<std::uint8_t, kSaltSize>{'f', 'i', 'x', 'e', 'd', '-', 's', 'a', 'l', 't', '1', '2'}));
}

TEST(PasswordHash, VerifiesKnownAnswers) {
  for (const KnownAnswer& known : kKnownAnswers) {
    EXPECT_TRUE(verify_password(parsed(known.hash), known.password)) << known.hash;
  }
}

TEST(PasswordHash, RefusesWrongPasswords) {
  for (const KnownAnswer& known : kKnownAnswers) {
    const PasswordHash hash = parsed(known.hash);
    const std::string password(known.password);
    EXPECT_FALSE(verify_password(hash, password + "x")) << known.hash;
    EXPECT_FALSE(verify_password(hash, password.substr(0, password.size() - 1))) << known.hash;
    EXPECT_FALSE(verify_password(hash, "")) << known.hash;
  }
}

TEST(PasswordHash, ChangingAnyPartOfTheHashBreaksVerification) {
  const PasswordHash good = parsed(kMosquittoPbkdf2.hash);
  PasswordHash other = good;
  other.iterations = 100;
  EXPECT_FALSE(verify_password(other, kMosquittoPbkdf2.password));
  other = good;
  other.salt[0] ^= 1;
  EXPECT_FALSE(verify_password(other, kMosquittoPbkdf2.password));
  other = good;
  other.digest[63] ^= 1;
  EXPECT_FALSE(verify_password(other, kMosquittoPbkdf2.password));
  other = good;
  other.algorithm = HashAlgorithm::sha512;
  EXPECT_FALSE(verify_password(other, kMosquittoPbkdf2.password));
}

TEST(PasswordHash, FormatsExactlyAsMosquittoWrites) {
  for (const KnownAnswer& known : kKnownAnswers) {
    EXPECT_EQ(format_password_hash(parsed(known.hash)), known.hash);
  }
}

TEST(PasswordHash, RefusesMalformedHashesWithoutRepeatingThem) {
  const std::string salt = "Zml4ZWQtc2FsdDEy";
  const std::string digest(kHashlibSha512.hash.substr(kHashlibSha512.hash.rfind('$') + 1));
  const std::string bad[] = {
      "",
      "plaintextpassword",
      "$5$" + salt + "$" + digest,              // unknown type
      "$6$" + salt,                             // digest missing
      "$6$" + salt + "$" + digest + "$extra",   // one field too many
      "$7$" + salt + "$" + digest,              // iterations missing
      "$7$0$" + salt + "$" + digest,            // iterations < 1
      "$7$-5$" + salt + "$" + digest,           //
      "$7$ 5$" + salt + "$" + digest,           //
      "$7$5x$" + salt + "$" + digest,           //
      "$7$99999999999$" + salt + "$" + digest,  // beyond int
      "$6$Zml4ZWQtc2FsdA==$" + digest,          // 10-byte salt
      "$6$" + salt + "$Zml4ZWQtc2FsdDEy",       // 12-byte digest
      "$6$" + salt + "!$" + digest,             // not base64
      "6$" + salt + "$" + digest,               // no leading '$'
  };
  for (const std::string& text : bad) {
    const auto hash = parse_password_hash(text);
    ASSERT_FALSE(hash.ok()) << text;
    EXPECT_FALSE(hash.error().empty());
    EXPECT_EQ(hash.error().find(salt), std::string::npos) << hash.error();
    EXPECT_EQ(hash.error().find(digest.substr(0, 16)), std::string::npos) << hash.error();
    EXPECT_EQ(hash.error().find("plaintextpassword"), std::string::npos) << hash.error();
  }
}

TEST(PasswordHash, NewHashesArePbkdf2WithTheRequestedIterationsAndFreshSalts) {
  std::set<std::array<std::uint8_t, kSaltSize>> salts;
  for (int i = 0; i < 4; ++i) {
    auto hash = hash_password("s3cret", 7);
    ASSERT_TRUE(hash.ok()) << hash.error();
    EXPECT_EQ(hash->algorithm, HashAlgorithm::pbkdf2_sha512);
    EXPECT_EQ(hash->iterations, 7);
    EXPECT_TRUE(verify_password(*hash, "s3cret"));
    EXPECT_FALSE(verify_password(*hash, "s3creT"));
    salts.insert(hash->salt);
    // What is written parses back to the same hash.
    EXPECT_EQ(parsed(format_password_hash(*hash)), *hash);
  }
  EXPECT_EQ(salts.size(), 4U);
}

TEST(PasswordHash, DefaultIterationCountIsUsedWhenNoneIsGiven) {
  auto hash = hash_password("s3cret");
  ASSERT_TRUE(hash.ok()) << hash.error();
  EXPECT_EQ(hash->iterations, kDefaultIterations);
}

TEST(PasswordHash, RefusesBadIterationCountsAndOverlongPasswords) {
  EXPECT_FALSE(hash_password("s3cret", 0).ok());
  EXPECT_FALSE(hash_password("s3cret", -1).ok());
  const std::string longest(kMaxPasswordSize, 'p');
  auto hash = hash_password(longest, 1);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(verify_password(*hash, longest));
  const std::string too_long = longest + "p";
  EXPECT_FALSE(hash_password(too_long, 1).ok());
  EXPECT_FALSE(verify_password(*hash, too_long));
}

TEST(PasswordHash, PasswordsAreBinaryBytes) {
  const std::string with_nul("ab\0cd", 5);
  auto hash = hash_password(with_nul, 1);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(verify_password(*hash, with_nul));
  EXPECT_FALSE(verify_password(*hash, "ab"));
}

}  // namespace
}  // namespace mqwarden::auth
