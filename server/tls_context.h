#pragma once

#include <memory>
#include <string>

#include "ecomm/result.h"

namespace boost::asio::ssl {
class context;
}

namespace ecomm::server {

// The server's TLS settings (SPEC "TLS"), made once at start and shared by every
// connection: the certificate chain and key of --tls-cert and --tls-key (PEM), TLS 1.2
// or later, forward-secret AEAD ciphers only, no renegotiation, no compression.
// kInvalidArgument names the file and says what is wrong with it (unreadable, not PEM,
// an encrypted key, a key that does not match the certificate).
Result<std::shared_ptr<boost::asio::ssl::context>> LoadTlsContext(const std::string& cert_file,
                                                                  const std::string& key_file);

}  // namespace ecomm::server
