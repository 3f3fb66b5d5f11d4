#include "embedded_shop.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "json_body.h"

namespace ecomm::load {

namespace {

ShopReply Refused(const Status& status) {
  return ShopReply{HttpStatus(status.code()),
                   JsonBody([&](JsonWriter& w) { w.Field("code", CodeName(status.code())); })};
}

// The answer to a mutation once its record is durable; `body` renders its value.
template <class T, class Render>
ShopReply Durable(const Engine& engine, const Result<Committed<T>>& result, int status,
                  Render body) {
  if (!result.ok()) return Refused(result.status());
  if (Status s = engine.WaitDurable(result->ticket); !s.ok()) return Refused(s);
  return ShopReply{status, body(result->value)};
}

// The order's members the ledger and the audit read; a FAILED one's problem code too,
// as the server's 409 carries it.
std::string OrderBody(const OrderView& order) {
  return JsonBody([&](JsonWriter& w) {
    if (order.failure() != ErrorCode::kOk) w.Field("code", CodeName(order.failure()));
    w.Field("orderId", order.order_id.ToString());
    w.Field("orderStatus", Name(order.status));
    w.Field("totalPrice", order.total_price);
    w.Field("discount", order.discount);
    std::optional<std::string> coupon;
    if (order.user_coupon_id) coupon = order.user_coupon_id->ToString();
    FieldOrNull(w, "userCouponId", coupon);
    // What the audit recomputes a discount from.
    w.Key("items");
    w.StartArray();
    for (const OrderItemView& item : order.items) {
      w.StartObject();
      w.Field("quantity", item.quantity);
      w.Field("price", item.price);
      w.EndObject();
    }
    w.EndArray();
  });
}

ShopReply OrderAnswer(const Engine& engine, const Result<Committed<OrderView>>& result) {
  ShopReply reply = Durable(engine, result, 200, OrderBody);
  // A FAILED order is committed, and answered as the server does: 409 with its id.
  if (reply.status == 200 && result->value.failure() != ErrorCode::kOk) {
    reply.status = HttpStatus(result->value.failure());
  }
  return reply;
}

void WriteUserCoupon(JsonWriter& w, const UserCouponView& coupon) {
  w.Field("userCouponId", coupon.user_coupon_id.ToString());
  w.Field("couponId", coupon.coupon_id);
  w.Field("userId", coupon.user_id);
  w.Field("status", Name(coupon.status));
  if (coupon.order_id) w.Field("orderId", coupon.order_id->ToString());
}

std::string UserCouponBody(const UserCouponView& coupon) {
  return JsonBody([&](JsonWriter& w) { WriteUserCoupon(w, coupon); });
}

auto Empty = [](const auto&) { return std::string("{}"); };

class EmbeddedShopClient final : public ShopClient {
 public:
  explicit EmbeddedShopClient(Engine& engine) : engine_(engine) {}

  ShopReply CreateProduct(const std::string& id, const std::string& name, int64_t price,
                          int64_t stock) override {
    return Durable(engine_, engine_.CreateProduct(NewProduct{id, name, price, stock}), 201, Empty);
  }
  ShopReply CreateUser(const std::string& id, const std::string& name,
                       const std::string& email) override {
    return Durable(engine_, engine_.CreateUser(NewUser{id, name, email}), 201, Empty);
  }
  ShopReply Charge(const std::string& user, int64_t amount, const std::string&) override {
    return Durable(engine_, engine_.Charge(user, amount), 200, Empty);
  }
  ShopReply GetBalance(const std::string& user) override {
    auto balance = engine_.GetBalance(user);
    if (!balance.ok()) return Refused(balance.status());
    return ShopReply{
        200, JsonBody([&](JsonWriter& w) { w.Field("currentBalance", balance->current_balance); })};
  }
  ShopReply GetProduct(const std::string& id) override {
    auto product = engine_.GetProduct(id);
    if (!product.ok()) return Refused(product.status());
    return ShopReply{200, JsonBody([&](JsonWriter& w) { w.Field("stock", product->stock); })};
  }
  ShopReply GetOrder(const std::string& id) override {
    auto order = engine_.GetOrder(id);
    if (!order.ok()) return Refused(order.status());
    return ShopReply{200, OrderBody(*order)};
  }
  ShopReply CreateCoupon(const Campaign& campaign) override {
    const Discount& d = campaign.discount;
    NewCoupon coupon;
    coupon.coupon_id = campaign.id;
    coupon.name = "Load campaign " + campaign.id;
    coupon.discount_type = d.type;
    coupon.discount_value = d.value;
    coupon.total_quantity = campaign.total_quantity;
    coupon.max_discount = d.max;
    return Durable(engine_, engine_.CreateCoupon(coupon), 201, Empty);
  }
  ShopReply GetCoupon(const std::string& id) override {
    auto coupon = engine_.GetCoupon(id);
    if (!coupon.ok()) return Refused(coupon.status());
    return ShopReply{200, JsonBody([&](JsonWriter& w) {
                       w.Field("totalQuantity", coupon->total_quantity);
                       w.Field("remainingQuantity", coupon->remaining_quantity);
                       w.Field("discountType", Name(coupon->discount_type));
                       w.Field("discountValue", coupon->discount_value);
                       FieldOrNull(w, "maxDiscount", coupon->max_discount);
                     })};
  }
  ShopReply ListUserCoupons(const std::string& user) override {
    auto coupons = engine_.ListUserCoupons(user);
    if (!coupons.ok()) return Refused(coupons.status());
    JsonWriter w;
    w.StartArray();
    for (const UserCouponView& coupon : *coupons) {
      w.StartObject();
      WriteUserCoupon(w, coupon);
      w.EndObject();
    }
    w.EndArray();
    return ShopReply{200, w.Take()};
  }

 private:
  Engine& engine_;
};

}  // namespace

std::unique_ptr<EmbeddedShop> EmbeddedShop::Open(const std::string& data_dir, std::string* error) {
  std::string dir = data_dir;
  bool temporary = dir.empty();
  if (temporary) {
    std::string pattern = (std::filesystem::temp_directory_path() / "ecomm-load-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      *error = "cannot create a temporary data directory";
      return nullptr;
    }
    dir = pattern;
  }
  DatabaseOptions options;
  options.data_dir = dir;
  auto db = Database::Open(options);
  if (!db.ok()) {
    *error = "cannot open the engine on " + dir + ": " + db.status().message();
    return nullptr;
  }
  return std::unique_ptr<EmbeddedShop>(new EmbeddedShop(std::move(db).value(), dir, temporary));
}

EmbeddedShop::EmbeddedShop(std::unique_ptr<Database> db, std::string data_dir, bool temporary)
    : db_(std::move(db)), data_dir_(std::move(data_dir)), temporary_(temporary) {}

EmbeddedShop::~EmbeddedShop() {
  if (Status s = db_->Close(); !s.ok()) {
    std::fprintf(stderr, "ecomm-load: closing the engine: %s\n", s.message().c_str());
  }
  db_.reset();
  std::error_code ignored;
  if (temporary_) std::filesystem::remove_all(data_dir_, ignored);
}

ShopClientFactory EmbeddedShop::Clients() {
  return [this] { return std::make_unique<EmbeddedShopClient>(db_->engine()); };
}

ShopReply EmbeddedShop::Execute(const Population& p, const ShopRequest& r) {
  Engine& engine = db_->engine();
  const std::string user = r.user >= 0 ? p.user_id(r.user) : std::string();
  auto read = [](const auto& result) {
    return result.ok() ? ShopReply{200, "{}"} : Refused(result.status());
  };
  auto lines = [&p](const std::vector<Line>& from) {
    std::vector<OrderLine> out;
    for (const Line& l : from) out.push_back(OrderLine{p.product_id(l.product), l.quantity});
    return out;
  };
  std::optional<std::string> coupon;
  if (!r.user_coupon_id.empty()) coupon = r.user_coupon_id;
  switch (r.op) {
    case Op::kBrowse:
      return r.variant ? read(engine.ListProducts(20, std::nullopt))
                       : read(engine.GetProduct(p.product_id(r.product)));
    case Op::kTop:
      return read(engine.TopSellers());
    case Op::kHistory:
      return r.variant ? read(engine.ListOrders(user, 20, std::nullopt))
                       : read(engine.ListBalanceHistory(user, 20, std::nullopt));
    case Op::kCartAdd:
      return Durable(engine, engine.AddToCart(user, p.product_id(r.product), r.amount), 200, Empty);
    case Op::kCartRemove:
      return Durable(engine, engine.RemoveFromCart(user, p.product_id(r.product)), 200, Empty);
    case Op::kCharge:
      return Durable(engine, engine.Charge(user, r.amount), 200, Empty);
    case Op::kOrder:
      return OrderAnswer(engine,
                         engine.PlaceOrder(OrderRequest{user, lines(r.lines), false, coupon}));
    case Op::kOrderCart:
      return OrderAnswer(engine, engine.PlaceOrder(OrderRequest{user, std::nullopt, true, coupon}));
    case Op::kCancel:
      return Durable(engine, engine.CancelOrder(r.order_id), 200, OrderBody);
    case Op::kRestock:
      return Durable(engine, engine.Restock(p.product_id(r.product), r.amount), 200, Empty);
    case Op::kCouponIssue:
      return Durable(engine, engine.IssueCoupon(p.campaign()->id, user), 200, UserCouponBody);
  }
  return ShopReply{};
}

}  // namespace ecomm::load
