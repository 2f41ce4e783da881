// Password hashes in the two formats Eclipse Mosquitto 2 writes to its password
// files, so that a file made by `mosquitto_passwd` works with mqwarden and the
// other way round:
//
//   $7$<iterations>$<base64 salt>$<base64 hash>   PBKDF2-HMAC-SHA512 (mosquitto_passwd's default)
//   $6$<base64 salt>$<base64 hash>                SHA-512 of password || salt (Mosquitto 1.6 and older)
//
// The salt is 12 bytes and the hash 64 bytes in both; base64 is the standard
// alphabet with padding and no line breaks. New hashes are always $7$.
//
// Every function here is a pure function of its arguments (hash_password also
// draws from OpenSSL's thread-safe random generator): safe to call from any
// thread. A PasswordHash is a plain value.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mqwarden::auth {

enum class HashAlgorithm : std::uint8_t {
  sha512 = 6,         // $6$: one SHA-512 over password || salt; verify only, never written
  pbkdf2_sha512 = 7,  // $7$: PBKDF2-HMAC-SHA512
};

inline constexpr std::size_t kSaltSize = 12;
inline constexpr std::size_t kDigestSize = 64;

// Iterations of PBKDF2 for new hashes when the operator does not choose.
// mosquitto_passwd uses 101; mqwarden uses more because the count is stored in
// each entry, so any count stays readable by Mosquitto (see docs/security.md).
inline constexpr int kDefaultIterations = 10'000;

// Longest password accepted, in bytes, as mosquitto_passwd (and MQTT's
// two-byte length prefix) allow.
inline constexpr std::size_t kMaxPasswordSize = 65'535;

struct PasswordHash {
  HashAlgorithm algorithm = HashAlgorithm::pbkdf2_sha512;
  int iterations = 1;  // meaningful for pbkdf2_sha512 only
  std::array<std::uint8_t, kSaltSize> salt{};
  std::array<std::uint8_t, kDigestSize> digest{};

  friend bool operator==(const PasswordHash&, const PasswordHash&) = default;
};

// Parses the hash part of a password file line (after "user:"). The error
// describes what is wrong without repeating the text, which is a secret.
Result<PasswordHash, std::string> parse_password_hash(std::string_view text);

// The text mosquitto writes for `hash`, e.g. "$7$101$<salt>$<hash>".
std::string format_password_hash(const PasswordHash& hash);

// A new $7$ hash of `password` with a fresh random salt. Fails only if
// iterations < 1, the password is longer than kMaxPasswordSize, or OpenSSL fails.
Result<PasswordHash, std::string> hash_password(std::string_view password, int iterations = kDefaultIterations);

// True if `password` hashes to `hash`. The digests are compared in constant
// time; the cost is that of the hash, whatever the password.
bool verify_password(const PasswordHash& hash, std::string_view password);

}  // namespace mqwarden::auth
