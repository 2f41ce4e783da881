// TlsContext: one TLS listener's server configuration (OpenSSL 3): its
// certificate and key, the CAs and CRL that client certificates are checked
// against, protocol versions and cipher suites.
//
// Immutable once made, and shared by the connections it made sessions for
// (each session keeps OpenSSL's context alive). A certificate reload makes a
// new TlsContext; sessions already open keep the old one. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"

struct ssl_ctx_st;

namespace mqwarden::net {

struct TlsOptions {
  std::string cert_file;           // PEM certificate (chain) of the server
  std::string key_file;            // PEM private key
  std::string ca_file;             // CAs that sign client certificates; empty: none
  std::string ca_dir;              // the same as a directory hashed by `openssl rehash`; empty: none
  std::string crl_file;            // PEM CRL: client certificates it lists are refused; empty: none
  std::string ciphers;             // TLS 1.2 cipher list; empty: OpenSSL's default
  std::string tls13_ciphersuites;  // empty: OpenSSL's default
  bool tls13_only = false;         // minimum version 1.3 instead of 1.2
  bool require_certificate = false;
  // The client certificate's subject field (OpenSSL short name, e.g. "CN")
  // that names the user when use_identity_as_username is set.
  std::string identity_field = "CN";
  bool use_identity_as_username = false;
};

class TlsContext {
 public:
  // Reads the files; fails with what is wrong (file and OpenSSL's reason).
  static Result<std::shared_ptr<const TlsContext>, std::string> create(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return context_; }
  const TlsOptions& options() const { return options_; }

 private:
  TlsContext(ssl_ctx_st* context, TlsOptions options) : context_(context), options_(std::move(options)) {}
  ssl_ctx_st* context_;
  TlsOptions options_;
};

// OpenSSL's queued errors as one line (and the queue emptied).
std::string tls_error_text();

}  // namespace mqwarden::net
