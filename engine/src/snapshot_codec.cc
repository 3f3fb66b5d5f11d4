#include "snapshot_codec.h"

#include <memory>
#include <vector>

#include "byte_codec.h"
#include "ecomm/bytes.h"

namespace ecomm {

namespace {

Status Bad(std::string_view what) {
  return Status(ErrorCode::kInternal, "corrupt snapshot: " + std::string(what));
}

class Loader {
 public:
  explicit Loader(EngineState& state) : state_(state) {}

  Status Meta(Reader& r) {
    TimeMs offset = r.I64();
    if (!r.AtEnd()) return Bad("meta chunk");
    state_.clock_offset_ms.store(offset);
    return Status::Ok();
  }

  Status LoadProduct(Reader& r) {
    std::string_view id = r.Str();
    std::string_view name = r.Str();
    Money price = r.I64();
    Quantity stock = r.I64();
    TimeMs created = r.I64();
    TimeMs updated = r.I64();
    if (!r.AtEnd()) return Bad("product chunk");
    Catalog::LockedStripe stripe = state_.catalog.LockStripe(id);
    if (stripe.map->contains(id)) return Bad("duplicate product " + std::string(id));
    Product* p = state_.catalog.Insert(*stripe.map,
                                       std::make_unique<Product>(id, name, price, stock, created));
    p->updated_at.store(updated);
    return Status::Ok();
  }

  Status LoadCoupon(Reader& r) {
    CreateCouponRecord def;
    def.coupon_id = r.Str();
    def.name = r.Str();
    def.discount_type = r.Enum(DiscountType::kPercent);
    def.discount_value = r.I64();
    def.total_quantity = r.I64();
    def.min_order_amount = r.I64();
    def.max_discount = r.I64();
    def.valid_from = r.I64();
    def.valid_until = r.I64();
    def.at = r.I64();
    if (!r.AtEnd()) return Bad("coupon chunk");
    CouponTable::LockedStripe stripe = state_.coupons.LockStripe(def.coupon_id);
    if (stripe.map->contains(def.coupon_id)) {
      return Bad("duplicate coupon " + std::string(def.coupon_id));
    }
    auto coupon = std::make_unique<Coupon>(def, state_.capture.epoch());
    stripe.map->emplace(coupon->coupon_id, std::move(coupon));
    return Status::Ok();
  }

  // After every account: each campaign's issued count is what its users hold.
  Status CheckIssued() const {
    Status s;
    state_.coupons.ForEach([&](const Coupon& c) {
      if (s.ok() && c.issued.load() > c.total_quantity) {
        s = Bad("more coupons of " + c.coupon_id + " held than it has");
      }
    });
    return s;
  }

  Status LoadAccount(Reader& r) {
    std::string_view id = r.Str();
    std::string_view name = r.Str();
    std::string_view email = r.Str();
    auto account = std::make_unique<Account>(id, name, email, r.I64());
    account->balance = r.I64();
    account->balance_updated_at = r.I64();
    for (uint32_t n = r.U32(); r.ok() && n > 0; --n) {
      BalanceEntry e{};
      e.transaction_id = r.Id();
      e.order_id = r.Id();
      e.amount = r.I64();
      e.balance_before = r.I64();
      e.balance_after = r.I64();
      e.created_at = r.I64();
      e.type = r.Enum(TransactionType::kRefund);
      account->history.push_back(e);
    }
    for (uint32_t n = r.U8(); r.ok() && n > 0; --n) {
      Product* product = state_.catalog.Find(r.Str());
      Quantity quantity = r.I64();
      if (product == nullptr) r.Fail();
      account->cart.push_back(CartLine{product, quantity});
    }
    std::vector<std::unique_ptr<Order>> orders;
    for (uint32_t n = r.U32(); r.ok() && n > 0; --n) orders.push_back(LoadOrder(r, account.get()));
    for (uint32_t n = r.U32(); r.ok() && n > 0; --n) LoadUserCoupon(r, *account);
    if (!r.AtEnd()) return Bad("account chunk of " + std::string(id));

    Account* raw = account.get();
    Status inserted = state_.accounts.WithStripe(id, [&](auto& stripe) {
      if (stripe.contains(id)) return Bad("duplicate user " + std::string(id));
      stripe.emplace(raw->user_id, std::move(account));
      return Status::Ok();
    });
    if (!inserted.ok()) return inserted;
    for (auto& order : orders) {
      Order* o = order.get();
      raw->orders.push_back(o);
      if (o->status == OrderStatus::kSuccess) {
        state_.top_sellers.Add(state_.Now(), o->order_date, o->items);
      }
      bool fresh = state_.orders.WithStripe(o->order_id, [&](auto& map) {
        return map.emplace(o->order_id, std::move(order)).second;
      });
      if (!fresh) return Bad("duplicate order " + o->order_id.ToString());
      state_.order_count.fetch_add(1, std::memory_order_relaxed);
    }
    return Status::Ok();
  }

  Status LoadIdempotency(Reader& r) {
    std::string_view key = r.Str();
    std::string_view fingerprint = r.Str();
    IdempotentOutcome out;
    out.kind = r.Enum(IdempotentOutcome::Kind::kIssueCoupon);
    out.lsn = static_cast<Lsn>(r.I64());
    out.at = r.I64();
    out.user_id = r.Str();
    out.balance_after = r.I64();
    out.subject_id = r.Id();
    out.history_size = r.U32();
    if (!r.AtEnd()) return Bad("idempotency chunk");
    state_.idempotency.Complete(IdempotencyTag{key, fingerprint}, std::move(out));
    return Status::Ok();
  }

 private:
  // Counts the coupon as issued at once: a chunk that fails later fails the whole load.
  void LoadUserCoupon(Reader& r, Account& account) {
    UserCoupon coupon;
    coupon.user_coupon_id = r.Id();
    Coupon* campaign = state_.coupons.Find(r.Str());
    coupon.issued_at = r.I64();
    coupon.expires_at = r.I64();
    coupon.used_at = r.I64();
    coupon.order_id = r.Id();
    if (campaign == nullptr || coupon.user_coupon_id.IsNil() ||
        account.FindCoupon(coupon.user_coupon_id) != nullptr ||
        (account.coupons && account.coupons->Holds(campaign->coupon_id))) {
      r.Fail();
      return;
    }
    coupon.coupon = campaign;
    account.Wallet().Add(coupon);
    campaign->issued.fetch_add(1, std::memory_order_relaxed);
  }

  std::unique_ptr<Order> LoadOrder(Reader& r, Account* owner) {
    Uuid id = r.Id();
    Money total = r.I64();
    Money discount = r.I64();
    Uuid coupon = r.Id();
    TimeMs date = r.I64();
    TimeMs updated = r.I64();
    OrderStatus status = r.Enum(OrderStatus::kCancelled);
    std::vector<OrderItem> items;
    for (uint32_t n = r.U8(); r.ok() && n > 0; --n) {
      Product* product = state_.catalog.Find(r.Str());
      Quantity quantity = r.I64();
      Money price = r.I64();
      if (product == nullptr) r.Fail();
      items.push_back(OrderItem{product, quantity, price});
    }
    auto order = std::make_unique<Order>(id, owner, total, discount, coupon, date, std::move(items),
                                         state_.capture.epoch());
    order->status = status;
    order->updated_at = updated;
    for (uint32_t n = r.U8(); r.ok() && n > 0; --n) {
      OrderHistoryEntry h{};
      h.status = r.Enum(OrderStatus::kCancelled);
      h.reason = r.Enum(StatusReason::kCancelledByUser);
      h.changed_by = r.Enum(ChangedBy::kUser);
      h.changed_at = r.I64();
      order->history.push_back(h);
    }
    if (order->history.empty()) r.Fail();
    return order;
  }

  EngineState& state_;
};

template <class Fn>
std::string Encode(Fn&& fields) {
  std::string out;
  Writer w(&out);
  w.U8(kSnapshotPayloadVersion);
  fields(w);
  return out;
}

}  // namespace

std::string EncodeMetaChunk(TimeMs clock_offset_ms) {
  return Encode([&](Writer& w) { w.I64(clock_offset_ms); });
}

std::string EncodeProductChunk(const Product& p) {
  return Encode([&](Writer& w) {
    w.Str(p.product_id);
    w.Str(p.name);
    w.I64(p.price);
    w.I64(p.stock.load());
    w.I64(p.created_at);
    w.I64(p.updated_at.load());
  });
}

std::string EncodeCouponChunk(const Coupon& c) {
  return Encode([&](Writer& w) {
    w.Str(c.coupon_id);
    w.Str(c.name);
    w.U8(static_cast<uint8_t>(c.discount_type));
    w.I64(c.discount_value);
    w.I64(c.total_quantity);
    w.I64(c.min_order_amount);
    w.I64(c.max_discount);
    w.I64(c.valid_from);
    w.I64(c.valid_until);
    w.I64(c.created_at);
  });
}

std::string EncodeIdempotencyChunk(std::string_view key, std::string_view fingerprint,
                                   const IdempotentOutcome& out) {
  return Encode([&](Writer& w) {
    w.Str(key);
    w.Str(fingerprint);
    w.U8(static_cast<uint8_t>(out.kind));
    w.I64(static_cast<int64_t>(out.lsn));
    w.I64(out.at);
    w.Str(out.user_id);
    w.I64(out.balance_after);
    w.Id(out.subject_id);
    w.U32(out.history_size);
  });
}

std::string EncodeAnnexChunk(std::string_view annex) {
  return Encode([&](Writer& w) { w.Str(annex); });
}

Result<std::optional<std::string>> FindAnnex(std::span<const wal::SnapshotChunk> chunks) {
  std::optional<std::string> annex;
  for (const wal::SnapshotChunk& chunk : chunks) {
    if (chunk.kind != static_cast<uint8_t>(ChunkKind::kAnnex)) continue;
    if (annex) return Bad("a second annex chunk");
    Reader r(chunk.payload);
    if (r.U8() != kSnapshotPayloadVersion) return Bad("unknown payload version");
    annex = std::string(r.Str());
    if (!r.AtEnd()) return Bad("annex chunk");
  }
  return annex;
}

Status LoadSnapshotChunks(EngineState& state, std::span<const wal::SnapshotChunk> chunks,
                          std::optional<std::string>* annex) {
  Loader loader(state);
  Result<std::optional<std::string>> found = FindAnnex(chunks);
  if (!found.ok()) return found.status();
  *annex = std::move(found).value();
  auto kind_of = [&](size_t i) { return static_cast<ChunkKind>(chunks[i].kind); };
  std::string joined;  // an account payload split over continuation chunks
  // Products and campaigns first: accounts' carts, orders and coupons refer to them.
  for (ChunkKind pass : {ChunkKind::kMeta, ChunkKind::kProduct, ChunkKind::kCoupon,
                         ChunkKind::kAccount, ChunkKind::kIdempotency}) {
    if (pass == ChunkKind::kIdempotency) {
      if (Status s = loader.CheckIssued(); !s.ok()) return s;
    }
    for (size_t i = 0; i < chunks.size(); ++i) {
      const wal::SnapshotChunk& chunk = chunks[i];
      if (chunk.kind < 1 || chunk.kind > 7) return Bad("unknown chunk kind");
      if (kind_of(i) == ChunkKind::kAccountMore &&
          (i == 0 ||
           (kind_of(i - 1) != ChunkKind::kAccount && kind_of(i - 1) != ChunkKind::kAccountMore))) {
        return Bad("an account continuation chunk follows no account chunk");
      }
      if (kind_of(i) != pass) continue;
      std::span<const uint8_t> payload = chunk.payload;
      if (i + 1 < chunks.size() && kind_of(i + 1) == ChunkKind::kAccountMore) {
        joined.assign(payload.begin(), payload.end());
        for (; i + 1 < chunks.size() && kind_of(i + 1) == ChunkKind::kAccountMore; ++i) {
          joined.append(chunks[i + 1].payload.begin(), chunks[i + 1].payload.end());
        }
        payload = AsBytes(joined);
      }
      Reader r(payload);
      if (r.U8() != kSnapshotPayloadVersion) return Bad("unknown payload version");
      Status s;
      switch (pass) {
        case ChunkKind::kMeta:
          s = loader.Meta(r);
          break;
        case ChunkKind::kProduct:
          s = loader.LoadProduct(r);
          break;
        case ChunkKind::kCoupon:
          s = loader.LoadCoupon(r);
          break;
        case ChunkKind::kAccount:
          s = loader.LoadAccount(r);
          break;
        case ChunkKind::kIdempotency:
          s = loader.LoadIdempotency(r);
          break;
        case ChunkKind::kAnnex:        // FindAnnex's, not state; never a pass
        case ChunkKind::kAccountMore:  // joined to its account above; never a pass
          break;
      }
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace ecomm
