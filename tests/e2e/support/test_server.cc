#include "e2e/support/test_server.h"

#include <doctest/doctest.h>

#include "e2e/support/http_helpers.h"

namespace ecomm::testing {

TestServer::TestServer(std::vector<std::string> flags) : process_(std::move(flags)) {
  process_.Start();
  client_ = process_.Client();
}

void TestServer::RunWithClients(int n, const std::function<void(httplib::Client&, int)>& fn) const {
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < n; ++i) clients.push_back(NewClient());
  RunConcurrently(n, [&](int i) { fn(*clients[i], i); });
}

void TestServer::Restart() {
  // The old client's keep-alive connection points at the dead process and its port.
  client_.reset();
  int status = process_.Stop();
  INFO("server log: ", process_.Log());
  REQUIRE(status == 0);
  process_.Start();
  client_ = process_.Client();
}

void TestServer::CrashAndRestart() {
  Kill();
  StartAgain();
}

void TestServer::StartAgain() {
  client_.reset();
  process_.Start();
  client_ = process_.Client();
}

}  // namespace ecomm::testing
