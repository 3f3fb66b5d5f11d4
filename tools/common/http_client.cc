#include "http_client.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ecomm::tools {

namespace {

// OK when `path` holds at least one PEM certificate.
Status CheckCaFile(const std::string& path) {
  auto refuse = [&path](const std::string& why) {
    return Status::InvalidArgument("--tls-ca " + path + ": " + why);
  };
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return refuse(std::strerror(errno));
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (cert == nullptr) return refuse("no PEM certificate in it");
  X509_free(cert);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<httplib::Client>> MakeHttpClient(const HttpUrl& url,
                                                        const std::string& ca_file) {
  if (!url.https) {
    if (!ca_file.empty()) {
      return Status::InvalidArgument("--tls-ca is for https:// URLs, not " + url.Origin());
    }
    return std::make_unique<httplib::Client>(url.host, url.port);
  }
  if (!ca_file.empty()) {
    if (Status s = CheckCaFile(ca_file); !s.ok()) return s;
  }
  auto client = std::make_unique<httplib::Client>(url.Origin());
  if (!client->is_valid() || client->ssl_context() == nullptr) {
    return Status::InvalidArgument("cannot make a TLS client for " + url.Origin());
  }
  // cpp-httplib's own floor is older than what the server accepts (SPEC: TLS 1.2+).
  SSL_CTX_set_min_proto_version(client->ssl_context(), TLS1_2_VERSION);
  // Without a path cpp-httplib trusts the system's CAs; with one, only that file's.
  if (!ca_file.empty()) client->set_ca_cert_path(ca_file);
  client->enable_server_certificate_verification(true);
  return client;
}

}  // namespace ecomm::tools
