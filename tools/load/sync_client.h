#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <string>

#include "replica_set.h"
#include "workload.h"

namespace ecomm::load {

// One attempt's answer, with what choosing a replica needs.
struct SyncAnswer {
  Attempt::Kind kind = Attempt::Kind::kRefused;
  ShopReply reply;      // status 0 unless answered
  std::string primary;  // the Ecomm-Primary header, "" when absent
  uint64_t lsn = 0;     // the Ecomm-Lsn header, 0 when absent
  // Sent on a connection kept alive from an earlier call: when it failed without an
  // answer, the server may have closed it meanwhile and never seen the request.
  bool reused = false;
};

// One blocking keep-alive HTTP/1.1 connection to one server, for setting up the
// population and for the audit (not for load).
class SyncClient {
 public:
  SyncClient(ReplicaUrl url, std::string authorization);

  // Reconnects once when the connection was closed. `idempotency_key` makes that retry
  // safe for a mutation.
  ShopReply Call(boost::beast::http::verb verb, const std::string& target,
                 const std::string& body = "", const std::string& idempotency_key = "");
  // One attempt, on the kept connection or a new one.
  SyncAnswer Send(boost::beast::http::verb verb, const std::string& target, const std::string& body,
                  const std::string& idempotency_key);

 private:
  ReplicaUrl url_;
  std::string authorization_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  bool connected_ = false;
};

}  // namespace ecomm::load
