#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

// The boundary between the engine and its log. The engine appends one encoded
// record per mutation while it still holds the locks of that mutation, so LSN order
// is conflict order; it answers its caller only once the LSN is durable.
namespace ecomm::wal {

using Lsn = uint64_t;

class Journal {
 public:
  virtual ~Journal() = default;

  // Assigns the next LSN (contiguous from 1) to the record and queues it. Returns
  // nothing when the journal refuses writes (it has failed and is read-only); the
  // caller must then not apply the mutation.
  virtual std::optional<Lsn> Append(uint8_t type, std::span<const uint8_t> payload) = 0;

  // Blocks until `lsn` is durable. False when it never will be (I/O failure).
  virtual bool WaitDurable(Lsn lsn) = 0;

  // Calls `done(durable)` once the fate of `lsn` is known, on an unspecified thread
  // (possibly this one, before returning).
  virtual void OnDurable(Lsn lsn, std::function<void(bool durable)> done) = 0;
};

}  // namespace ecomm::wal
