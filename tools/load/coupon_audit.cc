#include "coupon_audit.h"

#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "audit.h"
#include "ecomm/untrusted_json.h"
#include "json_fields.h"

namespace ecomm::load {

namespace {

// A user coupon of the campaign, as the server lists it.
struct Held {
  std::string user;
  std::string status;
  std::string order_id;  // when USED
};

// What an order's check starts from: the USED coupon that names it, and the coupon
// the client sent it with (when the client placed it).
struct OrderToCheck {
  std::string named_by;
  std::optional<std::string> sent_with;
};

// A 200 answer's JSON; nothing (and a violation about `what`) otherwise.
std::optional<rapidjson::Document> Answer(const ShopReply& reply, const std::string& what,
                                          const std::function<void(std::string)>& violation) {
  if (reply.status == 200) {
    if (Result<rapidjson::Document> d = ParseUntrustedJson(reply.body); d.ok()) {
      return std::move(d).value();
    }
  }
  violation(what + ": " + Describe(reply));
  return std::nullopt;
}

// The order's items total (price x quantity), or nothing when an item is malformed or
// the total leaves 0..2^53-1 (an order's limit).
std::optional<int64_t> ItemsTotal(const rapidjson::Value& order) {
  auto items = order.FindMember("items");
  if (items == order.MemberEnd() || !items->value.IsArray()) return std::nullopt;
  int64_t total = 0;
  for (const rapidjson::Value& item : items->value.GetArray()) {
    std::optional<int64_t> price = IntMember(item, "price"), quantity = IntMember(item, "quantity");
    int64_t line = 0;
    if (!price || !quantity || *price < 0 || *quantity < 0 ||
        __builtin_mul_overflow(*price, *quantity, &line) ||
        __builtin_add_overflow(total, line, &total)) {
      return std::nullopt;
    }
  }
  if (total > limits::kMaxJsonInteger) return std::nullopt;
  return total;
}

// The campaign as created: the discount rule the orders are checked against is the
// run's own, so a server that stored another one shows here once.
void CheckCampaign(const Campaign& campaign, const rapidjson::Value& coupon,
                   const std::function<void(std::string)>& violation) {
  const Discount& d = campaign.discount;
  std::optional<int64_t> max = IntMember(coupon, "maxDiscount");
  if (IntMember(coupon, "totalQuantity") != campaign.total_quantity ||
      TextMember(coupon, "discountType") != Name(d.type) ||
      IntMember(coupon, "discountValue") != d.value || max != d.max) {
    violation("coupon " + campaign.id + ": not the campaign the run created (" +
              std::string(Name(d.type)) + " " + d.Text() + " of " +
              std::to_string(campaign.total_quantity) + ")");
  }
}

// One order a USED coupon names or the client sent with a coupon.
void CheckOrder(const Campaign& campaign, const std::string& id, const OrderToCheck& check,
                const rapidjson::Value& order, const std::unordered_map<std::string, Held>& held,
                const std::function<void(std::string)>& violation) {
  std::string status(TextMember(order, "orderStatus"));
  std::string coupon(TextMember(order, "userCouponId"));
  const std::string at = "order " + id + ": ";
  if (!check.named_by.empty() && (status != "SUCCESS" || coupon != check.named_by)) {
    violation(at + "coupon " + check.named_by + " is USED by it, but it is " + status +
              " with coupon '" + coupon + "'");
  }
  if (check.sent_with && coupon != *check.sent_with) {
    violation(at + "sent with coupon '" + *check.sent_with + "', it has '" + coupon + "'");
  }
  if (coupon.empty()) return;
  std::optional<int64_t> total = ItemsTotal(order), discount = IntMember(order, "discount"),
                         paid = IntMember(order, "totalPrice");
  if (!total || !discount || !paid) {
    violation(at + "no items total, discount or totalPrice to check");
  } else if (*discount != campaign.discount.Of(*total) || *paid != *total - *discount) {
    violation(at + "items total " + std::to_string(*total) + ", discount " +
              std::to_string(*discount) + ", totalPrice " + std::to_string(*paid) + "; the " +
              campaign.discount.Text() + " rule gives a discount of " +
              std::to_string(campaign.discount.Of(*total)));
  }
  if (status != "SUCCESS") return;
  auto it = held.find(coupon);
  if (it == held.end() || it->second.status != "USED" || it->second.order_id != id) {
    violation(at + "SUCCESS with coupon " + coupon + ", which is " +
              (it == held.end() ? std::string("held by none of the run's users")
                                : it->second.status + " by order '" + it->second.order_id + "'"));
  }
}

// Every user's coupons of the campaign, by userCouponId, each user's checked against the
// one the client saw issued to it; `audit->issued` counts them.
std::unordered_map<std::string, Held> ReadHoldings(
    const ShopClientFactory& clients, const Population& population, const Ledger& ledger,
    CouponAudit* audit, const std::function<void(std::string)>& violation) {
  const std::string& campaign = population.campaign()->id;
  std::mutex mu;
  std::unordered_map<std::string, Held> held;
  std::vector<std::string> acknowledged = ledger.user_coupons();
  ForEachParallel(clients, acknowledged.size(), [&](ShopClient& c, size_t i) {
    const std::string& user = population.user_id(static_cast<int>(i));
    std::optional<rapidjson::Document> list = Answer(
        c.ListUserCoupons(user), "user " + user + ": GET /users/" + user + "/coupons", violation);
    if (!list) return;
    if (!list->IsArray()) return violation("user " + user + ": its coupons are not a list");
    std::vector<std::pair<std::string, Held>> mine;
    for (const rapidjson::Value& entry : list->GetArray()) {
      if (TextMember(entry, "couponId") != campaign) continue;
      mine.emplace_back(
          std::string(TextMember(entry, "userCouponId")),
          Held{std::string(TextMember(entry, "userId")), std::string(TextMember(entry, "status")),
               std::string(TextMember(entry, "orderId"))});
    }
    if (mine.size() > 1) {
      violation("user " + user + ": holds " + std::to_string(mine.size()) + " coupons of " +
                campaign + ", at most one per user");
    }
    if (!acknowledged[i].empty() && (mine.empty() || mine[0].first != acknowledged[i])) {
      violation("user " + user + ": issued coupon " + acknowledged[i] +
                " is not among its coupons");
    }
    for (const auto& [id, h] : mine) {
      if (h.user != user) {
        violation("coupon " + id + ": listed for " + user + ", held by " + h.user);
      }
      if (h.status == "USED" && h.order_id.empty()) {
        violation("coupon " + id + ": USED by no order");
      }
    }
    std::lock_guard lock(mu);
    audit->issued += mine.size();
    for (auto& [id, h] : mine) held.insert_or_assign(id, std::move(h));
  });
  return held;
}

// The orders the USED coupons name (`audit->used` counts those coupons), and those the
// client sent with a coupon.
std::map<std::string, OrderToCheck> OrdersToCheck(
    const std::unordered_map<std::string, Held>& held, const Ledger& ledger, CouponAudit* audit,
    const std::function<void(std::string)>& violation) {
  std::map<std::string, OrderToCheck> orders;
  for (const auto& [id, h] : held) {
    if (h.status != "USED" || h.order_id.empty()) continue;
    audit->used++;
    std::string& named_by = orders[h.order_id].named_by;
    if (!named_by.empty()) {
      violation("order " + h.order_id + ": USED by two coupons, " + named_by + " and " + id);
    }
    named_by = id;
  }
  for (const Ledger::Order& o : ledger.orders()) {
    if (auto it = orders.find(o.id); it != orders.end()) {
      it->second.sent_with = o.user_coupon_id;
    } else if (!o.user_coupon_id.empty()) {
      orders[o.id].sent_with = o.user_coupon_id;
    }
  }
  return orders;
}

}  // namespace

CouponAudit AuditCoupons(const ShopClientFactory& clients, const Population& population,
                         const Ledger& ledger, const std::function<void(std::string)>& violation) {
  const Campaign& campaign = *population.campaign();
  CouponAudit audit;
  audit.total = campaign.total_quantity;
  audit.acknowledged = ledger.issued();
  audit.unanswered = ledger.unknown_outcomes(Op::kCouponIssue);

  const std::string what = "coupon " + campaign.id;
  std::optional<rapidjson::Document> coupon =
      Answer(clients()->GetCoupon(campaign.id), what + ": GET /coupons/" + campaign.id, violation);
  std::optional<int64_t> remaining;
  if (coupon) {
    CheckCampaign(campaign, *coupon, violation);
    remaining = IntMember(*coupon, "remainingQuantity");
    if (!remaining) violation(what + ": no remainingQuantity");
  }
  std::unordered_map<std::string, Held> held =
      ReadHoldings(clients, population, ledger, &audit, violation);

  const uint64_t total = static_cast<uint64_t>(campaign.total_quantity);
  if (audit.issued > total) {
    violation(what + ": " + std::to_string(audit.issued) + " issued, more than its " +
              std::to_string(total));
  }
  if (remaining) {
    audit.remaining = *remaining;
    if (*remaining != campaign.total_quantity - static_cast<int64_t>(audit.issued)) {
      violation(what + ": remainingQuantity " + std::to_string(*remaining) + ", but " +
                std::to_string(audit.issued) + " of " + std::to_string(total) + " issued");
    }
  }
  // Every 200 was an issue; an issue whose answer never came may have happened or not.
  if (audit.issued < audit.acknowledged || audit.issued > audit.acknowledged + audit.unanswered) {
    violation(what + ": " + std::to_string(audit.issued) + " issued, " +
              std::to_string(audit.acknowledged) + " acknowledged and " +
              std::to_string(audit.unanswered) + " unanswered");
  }

  std::map<std::string, OrderToCheck> orders = OrdersToCheck(held, ledger, &audit, violation);
  std::vector<std::pair<std::string, OrderToCheck>> list(orders.begin(), orders.end());
  ForEachParallel(clients, list.size(), [&](ShopClient& c, size_t i) {
    const auto& [id, check] = list[i];
    std::optional<rapidjson::Document> order =
        Answer(c.GetOrder(id), "order " + id + ": GET /orders/" + id, violation);
    if (order) CheckOrder(campaign, id, check, *order, held, violation);
  });
  audit.orders = list.size();
  return audit;
}

}  // namespace ecomm::load
