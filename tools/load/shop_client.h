#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "load_options.h"
#include "replica_set.h"
#include "workload.h"

namespace ecomm::load {

// The calls that set up a run's population and audit it afterwards, answered as the
// HTTP API answers them (status, JSON body), whether the shop is a server or the
// engine in this process. One per thread.
class ShopClient {
 public:
  virtual ~ShopClient() = default;
  virtual ShopReply CreateProduct(const std::string& id, const std::string& name, int64_t price,
                                  int64_t stock) = 0;
  virtual ShopReply CreateUser(const std::string& id, const std::string& name,
                               const std::string& email) = 0;
  virtual ShopReply Charge(const std::string& user, int64_t amount, const std::string& key) = 0;
  virtual ShopReply GetBalance(const std::string& user) = 0;  // {"currentBalance"}
  virtual ShopReply GetProduct(const std::string& id) = 0;    // {"stock"}
  // {"orderStatus","totalPrice","discount","userCouponId","items":[{"quantity","price"}]}
  virtual ShopReply GetOrder(const std::string& id) = 0;
  virtual ShopReply CreateCoupon(const Campaign& campaign) = 0;
  // {"totalQuantity","remainingQuantity","discountType","discountValue","maxDiscount"}
  virtual ShopReply GetCoupon(const std::string& id) = 0;
  // [{"userCouponId","couponId","userId","status","orderId"}]
  virtual ShopReply ListUserCoupons(const std::string& user) = 0;
};

using ShopClientFactory = std::function<std::unique_ptr<ShopClient>()>;

// Over HTTP, one keep-alive connection each (per replica), sending `authorization` (an
// admin credential: set-up and audit act for every user) unless it is empty. With
// several replicas each call follows the primary (ReplicaClient).
ShopClientFactory HttpShopClients(ReplicaSet* replicas, std::chrono::milliseconds failover_wait,
                                  std::string authorization);

}  // namespace ecomm::load
