#pragma once

#include <string>

// A throwaway public-key infrastructure made at test time with OpenSSL's C API (EC
// P-256 keys, one day of validity), in a temporary directory removed at destruction.
namespace ecomm::testing {

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // The CA clients trust, and the server certificate it signed for 127.0.0.1 and
  // localhost (with its key).
  std::string ca_cert() const { return dir_ + "/ca.pem"; }
  std::string server_cert() const { return dir_ + "/server.pem"; }
  std::string server_key() const { return dir_ + "/server.key"; }
  // A second CA, which signed nothing the server holds (a client trusting only it must
  // refuse the server), and its key (which matches no server certificate).
  std::string other_ca_cert() const { return dir_ + "/other-ca.pem"; }
  std::string other_ca_key() const { return dir_ + "/other-ca.key"; }
  // A certificate from the trusted CA for another host name only, with its key.
  std::string elsewhere_cert() const { return dir_ + "/elsewhere.pem"; }
  std::string elsewhere_key() const { return dir_ + "/elsewhere.key"; }
  // A file that is not PEM at all.
  std::string garbage() const { return dir_ + "/garbage.pem"; }
  // A path where there is no file.
  std::string missing() const { return dir_ + "/missing.pem"; }

 private:
  std::string dir_;
};

}  // namespace ecomm::testing
