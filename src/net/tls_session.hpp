// TlsSession: the server side of one TLS connection, run by OpenSSL directly
// on the connection's non-blocking socket.
//
// Every call returns at once: when OpenSSL needs the socket to become
// readable or writable first, the result says so and the caller waits for
// that and calls again. No buffer is held by an idle session (OpenSSL's
// record buffers are released when empty), so idle TLS connections stay
// small. Used by one thread at a time (its connection's worker).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/tls_context.hpp"

struct ssl_st;

namespace mqwarden::net {

class TlsSession {
 public:
  enum class Status { done, want_read, want_write, closed, failed };
  struct Transfer {
    std::size_t bytes = 0;
    Status status = Status::done;
  };

  // `socket` stays owned by the caller, who closes it after this session.
  TlsSession(std::shared_ptr<const TlsContext> context, int socket);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  Status handshake();
  // Reads until `buffer` is full or the socket has nothing more; bytes may
  // come with a want_read status. closed: the client ended the session.
  Transfer read(std::span<std::uint8_t> buffer);
  // Writes what it can of `bytes`; retry the rest after the wait it asks for.
  Transfer write(std::span<const std::uint8_t> bytes);
  // Sends close_notify if the socket takes it now; never waits.
  void shut_down();

  // Why the last call failed.
  const std::string& error() const { return error_; }
  // A field of the verified client certificate's subject (OpenSSL short
  // name: "CN", "O", "emailAddress"...); none without such a certificate.
  std::optional<std::string> peer_subject_field(std::string_view field) const;
  // e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384", for the log.
  std::string description() const;

 private:
  Status status_after(int result);

  std::shared_ptr<const TlsContext> context_;
  ssl_st* ssl_;
  std::string error_;
};

}  // namespace mqwarden::net
