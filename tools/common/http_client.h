#pragma once

#include <memory>
#include <string>

#include <httplib.h>

#include "ecomm/result.h"
#include "http_url.h"

// A cpp-httplib client for a URL a program was given: plain for http://, and for
// https:// one that speaks TLS 1.2 or later and verifies the server's certificate
// (chain and host name) against --tls-ca, or the system's CAs without it. Link
// ecomm_http_client (tools/common/CMakeLists.txt) to use it.
namespace ecomm::tools {

// `ca_file`: PEM certificates to trust for https://, "" for the system's. Checked here,
// so that an unreadable file or one without a certificate is kInvalidArgument naming
// it (exit status 2 for the caller) rather than a failed connection later; a CA file
// with an http:// URL is refused too, since the user expected TLS.
Result<std::unique_ptr<httplib::Client>> MakeHttpClient(const HttpUrl& url,
                                                        const std::string& ca_file);

}  // namespace ecomm::tools
