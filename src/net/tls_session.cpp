#include "net/tls_session.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace mqwarden::net {

TlsSession::TlsSession(std::shared_ptr<const TlsContext> context, int socket)
    : context_(std::move(context)), ssl_(SSL_new(context_->native())) {
  if (ssl_ != nullptr) {
    SSL_set_fd(ssl_, socket);
    SSL_set_accept_state(ssl_);
  }
}

TlsSession::~TlsSession() {
  SSL_free(ssl_);
}

TlsSession::Status TlsSession::status_after(int result) {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ: return Status::want_read;
    case SSL_ERROR_WANT_WRITE: return Status::want_write;
    case SSL_ERROR_ZERO_RETURN: return Status::closed;
    case SSL_ERROR_SYSCALL:
      if (errno == 0 || errno == ECONNRESET || errno == EPIPE) return Status::closed;
      error_ = std::strerror(errno);
      return Status::failed;
    default: {
      error_ = tls_error_text();
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK)
        error_ += std::string(" (client certificate: ") + X509_verify_cert_error_string(verify) + ")";
      if (error_.empty()) error_ = "TLS protocol error";
      return Status::failed;
    }
  }
}

TlsSession::Status TlsSession::handshake() {
  if (ssl_ == nullptr) {
    error_ = "cannot create a TLS session: " + tls_error_text();
    return Status::failed;
  }
  ERR_clear_error();
  errno = 0;
  const int result = SSL_do_handshake(ssl_);
  return result == 1 ? Status::done : status_after(result);
}

TlsSession::Transfer TlsSession::read(std::span<std::uint8_t> buffer) {
  Transfer transfer;
  while (transfer.bytes < buffer.size()) {
    ERR_clear_error();
    errno = 0;
    std::size_t count = 0;
    const int result = SSL_read_ex(ssl_, buffer.data() + transfer.bytes, buffer.size() - transfer.bytes, &count);
    if (result != 1) {
      transfer.status = status_after(result);
      return transfer;
    }
    transfer.bytes += count;
  }
  return transfer;
}

TlsSession::Transfer TlsSession::write(std::span<const std::uint8_t> bytes) {
  Transfer transfer;
  while (transfer.bytes < bytes.size()) {
    ERR_clear_error();
    errno = 0;
    std::size_t count = 0;
    const int result = SSL_write_ex(ssl_, bytes.data() + transfer.bytes, bytes.size() - transfer.bytes, &count);
    if (result != 1) {
      transfer.status = status_after(result);
      return transfer;
    }
    transfer.bytes += count;
  }
  return transfer;
}

void TlsSession::shut_down() {
  if (ssl_ == nullptr || !SSL_is_init_finished(ssl_)) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::optional<std::string> TlsSession::peer_subject_field(std::string_view field) const {
  if (ssl_ == nullptr || SSL_get_verify_result(ssl_) != X509_V_OK) return std::nullopt;
  X509* certificate = SSL_get0_peer_certificate(ssl_);
  if (certificate == nullptr) return std::nullopt;
  const int nid = OBJ_txt2nid(std::string(field).c_str());
  X509_NAME* subject = X509_get_subject_name(certificate);
  const int index = nid == NID_undef ? -1 : X509_NAME_get_index_by_NID(subject, nid, -1);
  if (index < 0) return std::nullopt;
  unsigned char* text = nullptr;
  const int length = ASN1_STRING_to_UTF8(&text, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  if (length < 0) return std::nullopt;
  std::string value(reinterpret_cast<const char*>(text), static_cast<std::size_t>(length));
  OPENSSL_free(text);
  return value;
}

std::string TlsSession::description() const {
  if (ssl_ == nullptr) return "no TLS session";
  return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

}  // namespace mqwarden::net
