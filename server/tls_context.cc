#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/ssl/context.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ecomm::server {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2's ECDHE + AEAD suites (Mozilla's "intermediate" list without DHE, which
// would need parameters of its own); TLS 1.3 keeps OpenSSL's suites, all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// OpenSSL's reason for the last failure, e.g. "no start line" for a file that is not PEM.
std::string OpenSslReason(const boost::system::error_code& ec) {
  std::string reason = ec ? ec.message() : "unknown OpenSSL error";
  ERR_clear_error();  // what the failed call queued must not be blamed on a later one
  return reason;
}

// Say "No such file or directory" rather than OpenSSL's "system lib" for a path that
// cannot be opened at all.
Status CheckReadable(const char* flag, const std::string& path) {
  std::ifstream file(path);
  if (!file)
    return Status::InvalidArgument(std::string(flag) + " " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

// An encrypted key would make OpenSSL ask for its passphrase on the terminal: refuse.
int NoPassphrase(char*, int, int, void*) { return 0; }

}  // namespace

Result<std::shared_ptr<ssl::context>> LoadTlsContext(const std::string& cert_file,
                                                     const std::string& key_file) {
  if (Status s = CheckReadable("--tls-cert", cert_file); !s.ok()) return s;
  if (Status s = CheckReadable("--tls-key", key_file); !s.ok()) return s;
  std::shared_ptr<ssl::context> context;
  try {
    // Throws only when OpenSSL cannot make a context at all (out of memory).
    context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const boost::system::system_error& e) {
    return Status(ErrorCode::kInternal, std::string("TLS: ") + e.what());
  }
  SSL_CTX* native = context->native_handle();
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
  // A client's renegotiation costs the server a handshake each time it asks.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (ec || SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Status(ErrorCode::kInternal, "TLS: cannot configure OpenSSL: " + OpenSslReason(ec));
  }
  SSL_CTX_set_default_passwd_cb(native, NoPassphrase);
  // The key first: the certificate then finds it and drops it when they do not match
  // (checked below), so that each failure here is the fault of the file it names.
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument("--tls-key " + key_file +
                                   ": not an unencrypted PEM private key: " + OpenSslReason(ec));
  }
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return Status::InvalidArgument("--tls-cert " + cert_file +
                                   ": not a PEM certificate chain: " + OpenSslReason(ec));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-key " + key_file +
                                   " does not match the certificate of --tls-cert " + cert_file);
  }
  return context;
}

}  // namespace ecomm::server
