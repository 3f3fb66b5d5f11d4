#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ecomm/result.h"
#include "ecomm/wal/snapshot_file.h"
#include "engine_state.h"

// The payloads of snapshot chunks (wal/FORMAT.md): one per product, one per account
// with its balance history, cart and orders, one per idempotency entry, and a meta
// chunk. Top sellers are not stored: they are rebuilt from the orders.
namespace ecomm {

enum class ChunkKind : uint8_t { kMeta = 1, kProduct = 2, kAccount = 3, kIdempotency = 4 };
inline constexpr uint8_t kSnapshotPayloadVersion = 1;

std::string EncodeMetaChunk(TimeMs clock_offset_ms);
std::string EncodeProductChunk(const Product& product);  // product.mu held
// Account chunks: account_chunk_encoder.h.
std::string EncodeIdempotencyChunk(std::string_view key, std::string_view fingerprint,
                                   const IdempotentOutcome& outcome);

// Loads a verified snapshot into an empty engine state. kInternal when a chunk does
// not decode or does not fit (a product id an order names is missing, say).
Status LoadSnapshotChunks(EngineState& state, std::span<const wal::SnapshotChunk> chunks);

}  // namespace ecomm
