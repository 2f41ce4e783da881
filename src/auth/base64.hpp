// Base64 as Mosquitto writes it in password files: the standard alphabet
// (RFC 4648 section 4), padded with '=', no line breaks. Decoding is strict:
// anything else, including whitespace and bits left over in the last
// character, is refused, so each byte string has exactly one text form.
//
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::auth {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// The decoded bytes, or nothing if `text` is not canonical padded base64.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace mqwarden::auth
