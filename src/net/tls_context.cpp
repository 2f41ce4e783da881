#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace mqwarden::net {
namespace {

using ContextPointer = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

Result<void, std::string> failure(const std::string& what) {
  const std::string reason = tls_error_text();
  return fail(what + (reason.empty() ? "" : ": " + reason));
}

Result<void, std::string> load_credentials(SSL_CTX* context, const TlsOptions& options) {
  if (SSL_CTX_use_certificate_chain_file(context, options.cert_file.c_str()) != 1)
    return failure("cannot load the certificate " + options.cert_file);
  if (SSL_CTX_use_PrivateKey_file(context, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return failure("cannot load the private key " + options.key_file);
  if (SSL_CTX_check_private_key(context) != 1)
    return failure("the private key " + options.key_file + " does not match the certificate " + options.cert_file);
  return {};
}

Result<void, std::string> load_client_verification(SSL_CTX* context, const TlsOptions& options) {
  if (!options.ca_file.empty() || !options.ca_dir.empty()) {
    const char* file = options.ca_file.empty() ? nullptr : options.ca_file.c_str();
    const char* dir = options.ca_dir.empty() ? nullptr : options.ca_dir.c_str();
    if (SSL_CTX_load_verify_locations(context, file, dir) != 1)
      return failure("cannot load the CAs " + options.ca_file + options.ca_dir);
    if (file != nullptr) {
      // The CA names offered to clients, so they pick the right certificate.
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(file)) SSL_CTX_set_client_CA_list(context, names);
    }
  }
  if (!options.crl_file.empty()) {
    X509_STORE* store = SSL_CTX_get_cert_store(context);
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
    if (lookup == nullptr || X509_load_crl_file(lookup, options.crl_file.c_str(), X509_FILETYPE_PEM) < 1)
      return failure("cannot load the CRL " + options.crl_file);
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  SSL_CTX_set_verify(context,
                     options.require_certificate ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_NONE,
                     nullptr);
  return {};
}

Result<void, std::string> set_protocol(SSL_CTX* context, const TlsOptions& options) {
  SSL_CTX_set_min_proto_version(context, options.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
  if (!options.ciphers.empty() && SSL_CTX_set_cipher_list(context, options.ciphers.c_str()) != 1)
    return failure("invalid TLS 1.2 cipher list \"" + options.ciphers + "\"");
  if (!options.tls13_ciphersuites.empty() && SSL_CTX_set_ciphersuites(context, options.tls13_ciphersuites.c_str()) != 1)
    return failure("invalid TLS 1.3 cipher suites \"" + options.tls13_ciphersuites + "\"");
  // No renegotiation (a CPU-cost lever for clients); the server's cipher order;
  // a client that drops the TCP connection without close_notify is an
  // ordinary disconnect, not an error.
  SSL_CTX_set_options(context,
                      SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Idle sessions give their record buffers back; writes may be partial and resumed from a moved buffer.
  SSL_CTX_set_mode(context,
                   SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  static constexpr unsigned char kSessionContext[] = "mqwarden";
  SSL_CTX_set_session_id_context(context, kSessionContext, sizeof kSessionContext - 1);
  return {};
}

}  // namespace

std::string tls_error_text() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    const char* reason = ERR_reason_error_string(code);
    text += reason != nullptr ? reason : buffer;
  }
  return text;
}

Result<std::shared_ptr<const TlsContext>, std::string> TlsContext::create(const TlsOptions& options) {
  ERR_clear_error();
  ContextPointer context(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!context) return fail("cannot create a TLS context: " + tls_error_text());
  for (const auto step : {set_protocol, load_credentials, load_client_verification}) {
    if (auto done = step(context.get(), options); !done) return fail(done.error());
  }
  return std::shared_ptr<const TlsContext>(new TlsContext(context.release(), options));
}

TlsContext::~TlsContext() {
  SSL_CTX_free(context_);
}

}  // namespace mqwarden::net
