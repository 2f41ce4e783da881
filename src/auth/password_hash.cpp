#include "auth/password_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <memory>
#include <optional>
#include <vector>

#include "auth/base64.hpp"

namespace mqwarden::auth {
namespace {

// Splits "a$b$c" at every '$'.
std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t dollar = text.find('$'); dollar != std::string_view::npos; dollar = text.find('$', start)) {
    fields.push_back(text.substr(start, dollar - start));
    start = dollar + 1;
  }
  fields.push_back(text.substr(start));
  return fields;
}

std::optional<int> parse_iterations(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

template <std::size_t N>
bool decode_exact(std::string_view text, std::array<std::uint8_t, N>& out) {
  const auto bytes = base64_decode(text);
  if (!bytes || bytes->size() != N) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

bool compute_digest(const PasswordHash& hash, std::string_view password, std::array<std::uint8_t, kDigestSize>& out) {
  if (password.size() > kMaxPasswordSize) return false;
  if (hash.algorithm == HashAlgorithm::pbkdf2_sha512) {
    return hash.iterations >= 1 &&
           PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), hash.salt.data(),
                             static_cast<int>(hash.salt.size()), hash.iterations, EVP_sha512(),
                             static_cast<int>(out.size()), out.data()) == 1;
  }
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int length = 0;
  return context && EVP_DigestInit_ex(context.get(), EVP_sha512(), nullptr) == 1 &&
         EVP_DigestUpdate(context.get(), password.data(), password.size()) == 1 &&
         EVP_DigestUpdate(context.get(), hash.salt.data(), hash.salt.size()) == 1 &&
         EVP_DigestFinal_ex(context.get(), out.data(), &length) == 1 && length == out.size();
}

}  // namespace

Result<PasswordHash, std::string> parse_password_hash(std::string_view text) {
  const std::vector<std::string_view> fields = split_fields(text);
  // fields[0] is what precedes the first '$': nothing.
  if (fields.size() < 2 || !fields[0].empty()) return fail(std::string("not a $6$ or $7$ hash"));

  PasswordHash hash;
  std::size_t salt_field = 2;
  if (fields[1] == "7" && fields.size() == 5) {
    hash.algorithm = HashAlgorithm::pbkdf2_sha512;
    const std::optional<int> iterations = parse_iterations(fields[2]);
    if (!iterations)
      return fail(std::string("the iteration count of the $7$ hash is not a number from 1 to ") +
                  std::to_string(INT_MAX));
    hash.iterations = *iterations;
    salt_field = 3;
  } else if (fields[1] == "6" && fields.size() == 4) {
    hash.algorithm = HashAlgorithm::sha512;
  } else if (fields[1] == "6" || fields[1] == "7") {
    return fail("the $" + std::string(fields[1]) + "$ hash does not have " + (fields[1] == "7" ? "4" : "3") +
                " '$'-separated fields");
  } else {
    return fail(std::string("not a $6$ or $7$ hash (the hash type is unknown)"));
  }

  if (!decode_exact(fields[salt_field], hash.salt)) {
    return fail("the salt is not base64 of " + std::to_string(kSaltSize) + " bytes");
  }
  if (!decode_exact(fields[salt_field + 1], hash.digest)) {
    return fail("the hash is not base64 of " + std::to_string(kDigestSize) + " bytes");
  }
  return hash;
}

std::string format_password_hash(const PasswordHash& hash) {
  std::string text = "$" + std::to_string(static_cast<int>(hash.algorithm)) + "$";
  if (hash.algorithm == HashAlgorithm::pbkdf2_sha512) text += std::to_string(hash.iterations) + "$";
  return text + base64_encode(hash.salt) + "$" + base64_encode(hash.digest);
}

Result<PasswordHash, std::string> hash_password(std::string_view password, int iterations) {
  if (iterations < 1) return fail(std::string("the iteration count must be at least 1"));
  if (password.size() > kMaxPasswordSize) {
    return fail("the password is longer than " + std::to_string(kMaxPasswordSize) + " bytes");
  }
  PasswordHash hash;
  hash.algorithm = HashAlgorithm::pbkdf2_sha512;
  hash.iterations = iterations;
  if (RAND_bytes(hash.salt.data(), static_cast<int>(hash.salt.size())) != 1) {
    return fail(std::string("OpenSSL could not generate a random salt"));
  }
  if (!compute_digest(hash, password, hash.digest)) return fail(std::string("OpenSSL could not hash the password"));
  return hash;
}

bool verify_password(const PasswordHash& hash, std::string_view password) {
  std::array<std::uint8_t, kDigestSize> digest{};
  const bool computed = compute_digest(hash, password, digest);
  const bool equal = CRYPTO_memcmp(digest.data(), hash.digest.data(), digest.size()) == 0;
  OPENSSL_cleanse(digest.data(), digest.size());
  return computed && equal;
}

}  // namespace mqwarden::auth
