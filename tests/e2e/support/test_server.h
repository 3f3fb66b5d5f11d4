#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "e2e/support/server_process.h"

namespace ecomm::testing {

// A started ecomm-server and a client for it: the setup of nearly every end-to-end
// test. The demo data (users alice, bob, carol; products p-*) is loaded unless the
// flags say otherwise.
class TestServer {
 public:
  explicit TestServer(std::vector<std::string> flags = {"--demo-data"});

  httplib::Client& client() { return *client_; }
  // Another client, for a thread of its own (httplib clients are not shared).
  std::unique_ptr<httplib::Client> NewClient() const { return process_.Client(); }
  int port() const { return process_.port(); }
  // fn(client, i) for i in 0..n-1 on n threads released together, each with a client
  // of its own made beforehand, so that their requests overlap.
  void RunWithClients(int n, const std::function<void(httplib::Client&, int)>& fn) const;
  ServerProcess& process() { return process_; }

  // SIGTERM, wait, start again on the same data directory: REQUIREs exit status 0.
  void Restart();
  // SIGKILL, then start again on the same data directory.
  void CrashAndRestart();
  // The two halves of CrashAndRestart, for a kill from another thread during load:
  // Kill touches only the process, so it may run while other clients are sending.
  void Kill() { process_.Kill(); }
  void StartAgain();

 private:
  ServerProcess process_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace ecomm::testing
