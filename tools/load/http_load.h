#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "http_request.h"
#include "load_options.h"
#include "replica_set.h"
#include "run_stats.h"
#include "workload.h"

namespace ecomm::load {

// Drives the mix over HTTP/1.1 keep-alive connections, split over `threads` threads
// with an io_context each. Closed loop: each connection sends its next request when
// the last is answered, latency from send to answer. Open loop (`rate` > 0): arrivals
// on a fixed schedule (rate/threads per thread); an arrival goes to an idle connection
// or waits in a queue, and latency runs from its intended send time, so a slow server
// cannot hide its queueing (no coordinated omission). A mutation without an answer, or
// with a 503, is retried with its Idempotency-Key (up to 3 times), so the ledger knows
// its outcome. With several replicas each connection follows the primary by a Route
// (replica_set.h): a request is moved and retried until it settles or --failover-wait
// passes, and only its last answer counts.
class HttpLoad {
 public:
  HttpLoad(const LoadOptions& options, const Population& population, Ledger* ledger,
           ReplicaSet* replicas, Authorizer authorize);
  ~HttpLoad();

  // Runs for options.duration, printing a progress line each second if asked; then
  // lets in-flight requests finish (at most 10 s). Returns the merged stats.
  std::unique_ptr<RunStats> Run();

 private:
  class Worker;
  class Connection;

  const LoadOptions& options_;
  const Population& population_;
  Ledger* ledger_;
  ReplicaSet* replicas_;
  Authorizer authorize_;
  // Each replica's addresses, resolved once at the start; read by every worker thread.
  std::vector<boost::asio::ip::tcp::resolver::results_type> endpoints_;
  uint64_t seed_;
};

}  // namespace ecomm::load
