#include "tls/test_pki.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace ecomm::testing {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  REQUIRE(key != nullptr);
  return key;
}

void AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  REQUIRE_MESSAGE(ext != nullptr, "extension ", nid, " = ", value);
  REQUIRE(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `common_name`: a CA's own (self-signed) when `issuer`
// is null, else signed by `issuer` (with `issuer_key`) for the names in `alt_names`.
Cert NewCert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
             const char* alt_names) {
  static long serial = 1;
  Cert cert(X509_new());
  REQUIRE(cert != nullptr);
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  REQUIRE(X509_set_pubkey(cert.get(), key) == 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  if (issuer == nullptr) {
    AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), &ctx, NID_subject_alt_name, alt_names);
  }
  REQUIRE(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0);
  return cert;
}

void WriteCert(const std::string& path, X509* cert) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  REQUIRE(file != nullptr);
  REQUIRE(PEM_write_X509(file, cert) == 1);
  std::fclose(file);
}

void WriteKey(const std::string& path, EVP_PKEY* key) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  REQUIRE(file != nullptr);
  REQUIRE(PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::fclose(file);
}

int NextId() {
  static int id = 0;
  return ++id;
}

}  // namespace

TestPki::TestPki() {
  auto dir = std::filesystem::temp_directory_path() /
             ("ecomm-pki-" + std::to_string(getpid()) + "-" + std::to_string(NextId()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  dir_ = dir.string();

  Key ca_key = NewKey();
  Cert ca = NewCert(ca_key.get(), "ecomm test CA", nullptr, nullptr, nullptr);
  WriteCert(ca_cert(), ca.get());
  Key server_key_pair = NewKey();
  Cert server = NewCert(server_key_pair.get(), "localhost", ca.get(), ca_key.get(),
                        "IP:127.0.0.1,DNS:localhost");
  WriteCert(server_cert(), server.get());
  WriteKey(server_key(), server_key_pair.get());

  Key other_key = NewKey();
  Cert other = NewCert(other_key.get(), "ecomm other CA", nullptr, nullptr, nullptr);
  WriteCert(other_ca_cert(), other.get());
  WriteKey(other_ca_key(), other_key.get());

  Key elsewhere_key_pair = NewKey();
  Cert elsewhere = NewCert(elsewhere_key_pair.get(), "elsewhere.example", ca.get(), ca_key.get(),
                           "DNS:elsewhere.example");
  WriteCert(elsewhere_cert(), elsewhere.get());
  WriteKey(elsewhere_key(), elsewhere_key_pair.get());

  std::ofstream(garbage()) << "this is not a certificate\n";
}

TestPki::~TestPki() { std::filesystem::remove_all(dir_); }

}  // namespace ecomm::testing
