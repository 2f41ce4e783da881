#include "mqtt/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace mqwarden::mqtt {

Utf8Status check_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    if (end - p >= 8) {  // eight ASCII bytes at a time, none of them zero
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      constexpr std::uint64_t kHighBits = 0x8080808080808080;
      constexpr std::uint64_t kLowBits = 0x0101010101010101;
      if ((word & kHighBits) == 0 && ((word - kLowBits) & ~word & kHighBits) == 0) {
        p += 8;
        continue;
      }
    }
    const std::uint8_t lead = *p;
    if (lead < 0x80) {  // ASCII fast path
      if (lead == 0) return Utf8Status::null_character;
      ++p;
      continue;
    }
    std::size_t length;
    std::uint32_t code_point;
    std::uint32_t minimum;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, code_point = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code_point = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code_point = lead & 0x07, minimum = 0x10000;
    } else {
      return Utf8Status::ill_formed;  // continuation byte or 0xF8..0xFF as lead
    }
    if (static_cast<std::size_t>(end - p) < length) return Utf8Status::ill_formed;
    for (std::size_t i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return Utf8Status::ill_formed;
      code_point = (code_point << 6) | (p[i] & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF) return Utf8Status::ill_formed;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return Utf8Status::surrogate;
    p += length;
  }
  return Utf8Status::valid;
}

}  // namespace mqwarden::mqtt
