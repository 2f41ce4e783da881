// The only translation unit that includes Boost.Beast (its HTTP parser reads
// the upgrade request). Boost 1.74's parser makes g++ 12 at -O2 warn about a
// boost::optional it returns empty (-Wmaybe-uninitialized, a false positive).
#if defined(__GNUC__) && !defined(__clang__)  // clang has no such warning, and rejects the name
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "net/websocket_framing.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/beast/http.hpp>
#include <cctype>

namespace mqwarden::net {
namespace {

namespace http = boost::beast::http;

constexpr std::size_t kMaxRequest = 8 * 1024;
constexpr std::size_t kMaxControlPayload = 125;
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// How many bytes after the second byte of a frame give its payload length.
std::size_t length_bytes(std::uint8_t second) {
  const std::uint8_t length = second & 0x7F;
  return length == 126 ? 2 : length == 127 ? 8 : 0;
}

enum Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

std::string accept_key(std::string_view key) {
  const std::string text = std::string(key) + std::string(kGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  unsigned char encoded[64];
  const int size = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(size));
}

// Whether the comma-separated header value `list` holds `token` (case-insensitive).
bool has_token(std::string_view list, std::string_view token) {
  const auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  const auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  while (!list.empty()) {
    const std::size_t comma = std::min(list.find(','), list.size());
    std::string_view item = list.substr(0, comma);
    list.remove_prefix(std::min(comma + 1, list.size()));
    while (!item.empty() && blank(item.front())) item.remove_prefix(1);
    while (!item.empty() && blank(item.back())) item.remove_suffix(1);
    if (std::equal(item.begin(), item.end(), token.begin(), token.end(), same)) return true;
  }
  return false;
}

std::string_view header(const http::request<http::empty_body>& request, http::field name) {
  const auto value = request[name];
  return {value.data(), value.size()};
}

std::string_view header_target(const http::request<http::empty_body>& request) {
  const auto target = request.target();
  return {target.data(), target.size()};
}

void append_text(std::vector<std::uint8_t>& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

void append_refusal(std::vector<std::uint8_t>& out, std::string_view status) {
  append_text(out, "HTTP/1.1 ");
  append_text(out, status);
  append_text(out, "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

void append_control_frame(std::vector<std::uint8_t>& out, std::uint8_t opcode, std::span<const std::uint8_t> payload) {
  out.push_back(static_cast<std::uint8_t>(0x80 | opcode));
  out.push_back(static_cast<std::uint8_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
}

void append_close_frame(std::vector<std::uint8_t>& out, std::uint16_t code) {
  const std::uint8_t payload[2] = {static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
  append_control_frame(out, close, payload);
}

}  // namespace

void WebSocketFraming::append_frame(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) {
  out.push_back(0x80 | binary);
  const std::uint64_t size = payload.size();
  if (size < 126) {
    out.push_back(static_cast<std::uint8_t>(size));
  } else if (size <= 0xFFFF) {
    out.push_back(126);
    out.push_back(static_cast<std::uint8_t>(size >> 8));
    out.push_back(static_cast<std::uint8_t>(size));
  } else {
    out.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(size >> shift));
  }
  out.insert(out.end(), payload.begin(), payload.end());
}

WebSocketFraming::Received WebSocketFraming::receive_upgrade(std::span<const std::uint8_t>& input,
                                                             std::vector<std::uint8_t>& reply) {
  held_.insert(held_.end(), input.begin(), input.end());
  input = {};
  const std::string_view text(reinterpret_cast<const char*>(held_.data()), held_.size());
  constexpr std::string_view kGet = "GET ";
  if (text.substr(0, kGet.size()) != kGet.substr(0, std::min(text.size(), kGet.size()))) {
    append_refusal(reply, "400 Bad Request");
    return {"not a WebSocket upgrade request"};
  }
  const std::size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (held_.size() <= kMaxRequest) return {};
    append_refusal(reply, "431 Request Header Fields Too Large");
    return {"WebSocket upgrade request larger than 8 KiB"};
  }
  http::request_parser<http::empty_body> parser;
  parser.eager(true);
  boost::system::error_code error;
  parser.put(boost::asio::buffer(text.data(), end + 4), error);
  if (error || !parser.is_header_done()) {
    append_refusal(reply, "400 Bad Request");
    return {"malformed WebSocket upgrade request: " + (error ? error.message() : std::string("incomplete"))};
  }
  const auto& request = parser.get();
  if (request.method() != http::verb::get || !has_token(header(request, http::field::connection), "upgrade") ||
      !has_token(header(request, http::field::upgrade), "websocket") ||
      request[http::field::sec_websocket_key].empty() || request[http::field::sec_websocket_version] != "13") {
    append_refusal(reply, "400 Bad Request");
    return {"not a WebSocket upgrade request"};
  }
  if (header_target(request) != path_) {
    append_refusal(reply, "404 Not Found");
    return {"WebSocket upgrade for " + std::string(header_target(request)) + " instead of " + path_};
  }
  if (!has_token(header(request, http::field::sec_websocket_protocol), "mqtt")) {
    append_refusal(reply, "400 Bad Request");
    return {"WebSocket upgrade without the \"mqtt\" sub-protocol"};
  }
  append_text(reply,
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Accept: ");
  append_text(reply, accept_key(header(request, http::field::sec_websocket_key)));
  append_text(reply, "\r\n\r\n");
  // What followed the request already belongs to the first frames.
  std::vector<std::uint8_t> rest(held_.begin() + static_cast<std::ptrdiff_t>(end + 4), held_.end());
  held_ = std::move(rest);
  stage_ = Stage::header;
  return {};
}

std::string WebSocketFraming::take_header() {
  const std::uint8_t first = held_[0];
  const std::uint8_t second = held_[1];
  const std::size_t extra = length_bytes(second);
  final_ = (first & 0x80) != 0;
  opcode_ = first & 0x0F;
  remaining_ = second & 0x7F;
  if (extra > 0) {
    remaining_ = 0;
    for (std::size_t i = 0; i < extra; ++i) remaining_ = remaining_ << 8 | held_[2 + i];
  }
  if ((second & 0x80) != 0) std::copy_n(held_.begin() + static_cast<std::ptrdiff_t>(2 + extra), 4, mask_);
  mask_offset_ = 0;
  held_.clear();
  const bool control = (opcode_ & 0x08) != 0;
  std::string error;
  if ((first & 0x70) != 0) {
    error = "WebSocket frame with reserved bits set";
  } else if ((second & 0x80) == 0) {
    error = "unmasked WebSocket frame from the client";
  } else if (control && (!final_ || remaining_ > kMaxControlPayload)) {
    error = "fragmented or oversized WebSocket control frame";
  } else if (opcode_ == text) {
    error = "WebSocket text frame (MQTT needs binary frames)";
  } else if (opcode_ != binary && opcode_ != continuation && opcode_ != close && opcode_ != ping && opcode_ != pong) {
    error = "unknown WebSocket opcode " + std::to_string(opcode_);
  } else if (opcode_ == continuation && !in_message_) {
    error = "WebSocket continuation frame without a message";
  } else if (opcode_ == binary && in_message_) {
    error = "WebSocket binary frame inside a fragmented message";
  }
  if (!control && error.empty()) in_message_ = !final_;
  control_.clear();
  return error;
}

void WebSocketFraming::end_control_frame(std::vector<std::uint8_t>& reply, Received& received) {
  if (opcode_ == ping) {
    append_control_frame(reply, pong, control_);
  } else if (opcode_ == close) {
    append_close_frame(reply, 1000);
    stage_ = Stage::closed;
    received.close_reason = "WebSocket closed by client";
  }
}

std::size_t WebSocketFraming::header_size() const {
  if (held_.size() < 2) return 2;
  return 2 + length_bytes(held_[1]) + ((held_[1] & 0x80) != 0 ? 4 : 0);  // then the mask key, if masked
}

WebSocketFraming::Received WebSocketFraming::receive(std::span<const std::uint8_t> input,
                                                     std::vector<std::uint8_t>& payload,
                                                     std::vector<std::uint8_t>& reply) {
  if (stage_ == Stage::upgrade) {
    Received received = receive_upgrade(input, reply);
    if (!received.close_reason.empty() || stage_ == Stage::upgrade) return received;
    std::vector<std::uint8_t> first_frames;  // what came with the request
    first_frames.swap(held_);
    return receive(first_frames, payload, reply);
  }
  Received received;
  while (!input.empty() && stage_ != Stage::closed) {
    if (stage_ == Stage::header) {
      while (held_.size() < header_size() && !input.empty()) {
        const std::size_t take = std::min(header_size() - held_.size(), input.size());
        held_.insert(held_.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(take));
        input = input.subspan(take);
      }
      if (held_.size() < header_size()) return received;
      std::string error = take_header();
      if (!error.empty()) {
        append_close_frame(reply, 1002);  // protocol error
        stage_ = Stage::closed;
        received.close_reason = error;
        return received;
      }
      stage_ = Stage::payload;
    }
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
    const bool control = (opcode_ & 0x08) != 0;
    std::vector<std::uint8_t>& out = control ? control_ : payload;
    const std::size_t start = out.size();
    out.insert(out.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(count));
    for (std::size_t i = start; i < out.size(); ++i) out[i] ^= mask_[mask_offset_++ & 3];
    input = input.subspan(count);
    remaining_ -= count;
    if (remaining_ > 0) return received;
    stage_ = Stage::header;
    if (control) end_control_frame(reply, received);
  }
  return received;
}

}  // namespace mqwarden::net
