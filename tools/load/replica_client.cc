#include "replica_client.h"

#include <thread>

namespace ecomm::load {

ReplicaClient::ReplicaClient(ReplicaSet* replicas, std::chrono::milliseconds failover_wait,
                             std::string authorization)
    : replicas_(replicas),
      route_(*replicas, failover_wait),
      authorization_(std::move(authorization)),
      clients_(replicas->size()) {}

SyncClient& ReplicaClient::At(size_t replica) {
  if (clients_[replica] == nullptr) {
    clients_[replica] = std::make_unique<SyncClient>(replicas_->at(replica), authorization_);
  }
  return *clients_[replica];
}

ShopReply ReplicaClient::Call(boost::beast::http::verb verb, const std::string& target,
                              Repeat repeat, const std::string& body,
                              const std::string& idempotency_key) {
  if (!replicas_->failover()) return At(0).Call(verb, target, body, idempotency_key);
  route_.Begin(Route::Clock::now());
  while (true) {
    SyncClient& client = At(route_.replica());
    SyncAnswer answer = client.Send(verb, target, body, idempotency_key);
    // A kept-alive connection the server closed meanwhile: it never saw the request.
    if (answer.kind == Attempt::Kind::kLost && answer.reused) {
      answer = client.Send(verb, target, body, idempotency_key);
    }
    replicas_->NoteLsn(answer.lsn);
    std::string code = answer.reply.status >= 400 ? ProblemCode(answer.reply.body) : "";
    Step step = route_.After(Attempt{answer.kind, answer.reply.status, code, answer.primary},
                             repeat, Route::Clock::now());
    if (!step.retry) return std::move(answer.reply);
    std::this_thread::sleep_for(step.pause);
  }
}

}  // namespace ecomm::load
