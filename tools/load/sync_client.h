#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <string>

#include "workload.h"

namespace ecomm::load {

// One blocking keep-alive HTTP/1.1 connection, for setting up the population and for
// the audit (not for load). Reconnects once when the connection was closed.
class SyncClient {
 public:
  SyncClient(std::string host, uint16_t port, std::string authorization);

  // `idempotency_key` makes the retry after a lost connection safe for a mutation.
  ShopReply Call(boost::beast::http::verb verb, const std::string& target,
                 const std::string& body = "", const std::string& idempotency_key = "");

 private:
  bool Attempt(boost::beast::http::verb verb, const std::string& target, const std::string& body,
               const std::string& idempotency_key, ShopReply* reply);

  std::string host_;
  uint16_t port_;
  std::string authorization_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  bool connected_ = false;
};

}  // namespace ecomm::load
