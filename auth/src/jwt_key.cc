#include "ecomm/auth/jwt_key.h"

#include <fcntl.h>
#include <jwt.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace ecomm::auth {

namespace {

constexpr size_t kMinSecretBytes = 32;

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

Status BadKey(const std::string& path, const std::string& why) {
  return Status(ErrorCode::kInvalidRequest, path + ": " + why);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return BadKey(path, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Never prompt on a terminal for an encrypted private key: refuse it.
int NoPassphrase(char*, int, int, void*) { return -1; }

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), BIO_free);
}

KeyPtr ReadPrivate(const std::string& pem) {
  return KeyPtr(PEM_read_bio_PrivateKey(MemoryBio(pem).get(), nullptr, NoPassphrase, nullptr),
                EVP_PKEY_free);
}

// The public key of a PEM public key, private key or certificate.
KeyPtr ReadPublic(const std::string& pem) {
  KeyPtr key(PEM_read_bio_PUBKEY(MemoryBio(pem).get(), nullptr, NoPassphrase, nullptr),
             EVP_PKEY_free);
  if (!key) key = ReadPrivate(pem);
  if (!key) {
    if (X509* cert = PEM_read_bio_X509(MemoryBio(pem).get(), nullptr, NoPassphrase, nullptr)) {
      key.reset(X509_get_pubkey(cert));
      X509_free(cert);
    }
  }
  return key;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string PublicPem(EVP_PKEY* key) {
  BioPtr out(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(out.get(), key);
  return BioText(out.get());
}

std::string PrivatePem(EVP_PKEY* key) {
  BioPtr out(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(out.get());
}

Result<JwtAlgorithm> AlgorithmOf(EVP_PKEY* key, const std::string& path) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < 2048) return BadKey(path, "an RSA key needs 2048 bits or more");
      return JwtAlgorithm::kRs256;
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1 ||
          std::string_view(group) != "prime256v1") {
        return BadKey(path, "an EC key must be on curve P-256 (ES256)");
      }
      return JwtAlgorithm::kEs256;
    }
    default:
      return BadKey(path, "not an RSA or P-256 key");
  }
}

// Loads a PEM file with `read`, and keeps `write`'s PEM of it.
template <class ReadKey, class WritePem>
Result<JwtKey> LoadPem(const std::string& path, ReadKey read, WritePem write, const char* what) {
  auto pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  KeyPtr key = read(*pem);
  ERR_clear_error();  // failed attempts leave errors on this thread's queue
  if (!key) return BadKey(path, what);
  auto algorithm = AlgorithmOf(key.get(), path);
  if (!algorithm.ok()) return algorithm.status();
  return JwtKey{*algorithm, write(key.get())};
}

Status WriteNewFile(const std::string& path, const std::string& bytes, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return BadKey(path, std::strerror(errno));
  bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  return ok ? Status::Ok() : BadKey(path, "cannot be written");
}

}  // namespace

std::string_view AlgorithmName(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHs256:
      return "HS256";
    case JwtAlgorithm::kRs256:
      return "RS256";
    case JwtAlgorithm::kEs256:
      return "ES256";
  }
  return "?";
}

int LibjwtAlgorithm(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHs256:
      return JWT_ALG_HS256;
    case JwtAlgorithm::kRs256:
      return JWT_ALG_RS256;
    case JwtAlgorithm::kEs256:
      return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

Result<JwtKey> LoadPublicKey(const std::string& path) {
  return LoadPem(path, ReadPublic, PublicPem, "no PEM public key, private key or certificate");
}

Result<JwtKey> LoadPrivateKey(const std::string& path) {
  return LoadPem(path, ReadPrivate, PrivatePem, "no unencrypted PEM private key");
}

Result<JwtKey> LoadHs256Secret(const std::string& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  std::string secret = std::move(bytes).value();
  // A text secret's final line break (as `echo` writes it) is not part of it.
  std::string_view text = secret;
  if (text.ends_with('\n')) text.remove_suffix(1);
  if (text.ends_with('\r')) text.remove_suffix(1);
  bool printable = true;
  for (char c : text) printable = printable && c >= 0x20 && c <= 0x7e;
  if (printable) secret = std::string(text);
  if (secret.size() < kMinSecretBytes) {
    return BadKey(path, "an HS256 secret needs 32 bytes or more");
  }
  return JwtKey{JwtAlgorithm::kHs256, std::move(secret)};
}

Status GenerateEs256KeyPair(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return BadKey(dir, std::strerror(errno));
  KeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) return Status(ErrorCode::kInternal, "OpenSSL could not generate a P-256 key");
  if (Status s = WriteNewFile(dir + "/jwt-private.pem", PrivatePem(key.get()), 0600); !s.ok()) {
    return s;
  }
  return WriteNewFile(dir + "/jwt-public.pem", PublicPem(key.get()), 0644);
}

}  // namespace ecomm::auth
