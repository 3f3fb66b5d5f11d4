#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ecomm/invariant.h"
#include "ecomm/result.h"
#include "ecomm/wal/snapshot_file.h"
#include "engine_state.h"

// The payloads of snapshot chunks (wal/FORMAT.md): one per product, one per coupon
// campaign, one per account with its balance history, cart, orders and coupons (split over
// continuation chunks past a bound, so no history is too long for a chunk), one per idempotency
// entry, and a meta chunk. Top sellers are not stored: they are rebuilt from the orders.
namespace ecomm {

enum class ChunkKind : uint8_t {
  kMeta = 1,
  kProduct = 2,
  kAccount = 3,
  kIdempotency = 4,
  kAccountMore = 5,  // the next piece of the account payload the chunks before began
  kAnnex = 6,        // the embedder's bytes, not state (a replica's topic place)
  kCoupon = 7,       // a coupon campaign's definition; its issued count is the users'
};
// 2: coupons (campaign chunks; an account's coupons; an order's discount and coupon).
inline constexpr uint8_t kSnapshotPayloadVersion = 2;

std::string EncodeMetaChunk(TimeMs clock_offset_ms);
std::string EncodeProductChunk(const Product& product);  // product.mu held
std::string EncodeCouponChunk(const Coupon& coupon);     // no lock: the definition is fixed
// Account chunks: account_chunk_encoder.h. Calls add(kind, piece) for an account's
// payload in pieces of at most max_chunk_bytes: kAccount, then kAccountMore ones.
template <class Add>
auto AddAccountChunks(std::string_view payload, size_t max_chunk_bytes, Add&& add)
    -> decltype(add(ChunkKind::kAccount, payload)) {
  ECOMM_INVARIANT(max_chunk_bytes > 0, "a chunk holds at least one byte");
  ChunkKind kind = ChunkKind::kAccount;
  do {
    std::string_view piece = payload.substr(0, max_chunk_bytes);
    payload.remove_prefix(piece.size());
    if (auto s = add(kind, piece); !s.ok()) return s;
    kind = ChunkKind::kAccountMore;
  } while (!payload.empty());
  return {};
}
std::string EncodeIdempotencyChunk(std::string_view key, std::string_view fingerprint,
                                   const IdempotentOutcome& outcome);
std::string EncodeAnnexChunk(std::string_view annex);
// The annex chunk's bytes among `chunks`, or nothing; kInternal when it does not decode
// or there are two.
Result<std::optional<std::string>> FindAnnex(std::span<const wal::SnapshotChunk> chunks);

// Loads a verified snapshot into an empty engine state. kInternal when a chunk does
// not decode or does not fit (a product id an order names is missing, say). `annex`
// gets the annex chunk's bytes, or nothing when there is none.
Status LoadSnapshotChunks(EngineState& state, std::span<const wal::SnapshotChunk> chunks,
                          std::optional<std::string>* annex);

}  // namespace ecomm
