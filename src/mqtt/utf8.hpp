// Validation of the UTF-8 strings MQTT carries (spec 1.5.3 in 3.1.1, 1.5.4 in 5.0).
#pragma once

#include <string_view>

namespace mqwarden::mqtt {

enum class Utf8Status {
  valid,
  ill_formed,    // not well-formed UTF-8 (includes overlong forms and code points over U+10FFFF)
  surrogate,     // encodes a code point in U+D800..U+DFFF [MQTT-1.5.3-1] / [MQTT-1.5.4-1]
  null_character,  // contains U+0000 [MQTT-1.5.3-2] / [MQTT-1.5.4-2]
};

Utf8Status check_utf8(std::string_view text);

}  // namespace mqwarden::mqtt
