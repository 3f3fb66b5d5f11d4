#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "authenticator.h"
#include "ecomm/database.h"
#include "ecomm/engine.h"
#include "ecomm/replication/replicator.h"
#include "http_types.h"
#include "metrics.h"
#include "router.h"

// The REST API of SPEC.md as a thin adapter: route, decode, call the engine, encode,
// map errors. No business rule lives here. A mutation answers only once its commit
// ticket is durable, from the WAL writer's callback, so no thread waits on a sync.
namespace ecomm::server {

struct ApiOptions {
  AuthOptions auth;
  bool test_clock = false;  // enables POST /admin/clock
  // --replication kafka: the replica this server is (null: the single-machine product).
  replication::Replicator* replica = nullptr;
  std::chrono::milliseconds max_read_wait{2000};  // --max-read-wait, for Ecomm-Min-Lsn
};

class Api {
 public:
  Api(Database& db, ApiOptions options);

  // Answers `request` through `reply`, now or from another thread.
  void Handle(Request request, Reply reply);
  const Router& router() const { return router_; }
  // Lets the HTTP layer add its own families to GET /metrics. Call before serving.
  void AddMetrics(std::function<void(std::string*)> append) { more_metrics_ = std::move(append); }

 private:
  void AddRoutes();
  // Runs the route's handler; an exception (a bug) becomes a 500 problem.
  static void Run(const Route& route, Request& request, const Reply& reply);

  // Answers a mutation's result once its ticket is durable.
  template <class T, class Encode>
  void Commit(Result<Committed<T>> result, Reply reply, Encode encode);
  // The Idempotency-Key header with the request's fingerprint (method, path, body).
  std::optional<IdempotencyKey> KeyOf(const Request& request) const;

  // Handlers, one group per resource (api_*.cc).
  void Charge(Request& r, Reply reply);
  void GetBalance(Request& r, Reply reply);
  void BalanceHistory(Request& r, Reply reply);
  void ListProducts(Request& r, Reply reply);
  void GetProduct(Request& r, Reply reply);
  void TopProducts(Request& r, Reply reply);
  void CreateProduct(Request& r, Reply reply);
  void Restock(Request& r, Reply reply);
  void PlaceOrder(Request& r, Reply reply);
  void GetOrder(Request& r, Reply reply);
  void ListOrders(Request& r, Reply reply);
  void CancelOrder(Request& r, Reply reply);
  void CartAdd(Request& r, Reply reply);
  void CartRemove(Request& r, Reply reply);
  void GetCart(Request& r, Reply reply);
  void CreateUser(Request& r, Reply reply);
  void GetUser(Request& r, Reply reply);
  void CreateCoupon(Request& r, Reply reply);
  void GetCoupon(Request& r, Reply reply);
  void IssueCoupon(Request& r, Reply reply);
  void ListUserCoupons(Request& r, Reply reply);
  void AdvanceClock(Request& r, Reply reply);
  void Health(Request& r, Reply reply);
  void Metrics(Request& r, Reply reply);
  void OpenApi(Request& r, Reply reply);
  // GET /docs (the page) and GET /docs/{file} (what it loads): a reference of this API
  // rendered in the browser from /openapi.json.
  void Docs(Request& r, Reply reply);
  // GET /admin/replication, GET /admin/digest, POST /admin/promote (api_replication.cc).
  void Replication(Request& r, Reply reply);
  void Digest(Request& r, Reply reply);
  void PeerSnapshot(Request& r, Reply reply);
  void Promote(Request& r, Reply reply);
  // A replica's gate before a handler: a write on a follower is 421 NOT_PRIMARY; a read
  // with Ecomm-Min-Lsn runs once that LSN has counted here (api_replication.cc).
  void HandleOnReplica(const Route& route, Request request, Reply reply);

  Database& db_;
  Engine& engine_;
  ApiOptions options_;
  Router router_;
  Authenticator auth_;
  std::unique_ptr<RequestMetrics> metrics_;
  std::function<void(std::string*)> more_metrics_;
};

}  // namespace ecomm::server
