#pragma once

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "replica_set.h"
#include "sync_client.h"
#include "workload.h"

namespace ecomm::load {

// Blocking calls to the shop --url names, for the set-up and the audit: with one URL,
// SyncClient's (one reconnect); with several replicas, each call follows the primary
// by a Route (a follower's 421, a refused connection), until its answer settles it or
// `failover_wait` passes. Not thread-safe: one per thread.
class ReplicaClient {
 public:
  ReplicaClient(ReplicaSet* replicas, std::chrono::milliseconds failover_wait,
                std::string authorization);

  ShopReply Call(boost::beast::http::verb verb, const std::string& target, Repeat repeat,
                 const std::string& body = "", const std::string& idempotency_key = "");

 private:
  SyncClient& At(size_t replica);

  ReplicaSet* replicas_;
  Route route_;
  std::string authorization_;
  std::vector<std::unique_ptr<SyncClient>> clients_;  // per replica, made when first used
};

}  // namespace ecomm::load
