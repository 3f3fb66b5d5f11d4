#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "replica_set.h"

// The end of a run against several replicas (SPEC "Replication and failover"): which one
// is primary now (the data audit reads from it), and whether every replica that can be
// reached holds the same state: the same /admin/digest at the same LSN.
namespace ecomm::load {

// One replica as the audit found it.
struct ReplicaState {
  std::string url;
  bool reachable = false;
  std::string error;       // what kept it from being read, when something did
  std::string role;        // "primary" or "follower", from GET /admin/replication
  bool replicated = true;  // false: it says "replication":"off" (a single-machine server)
  int64_t epoch = 0;
  uint64_t applied_lsn = 0;
  std::string stopped;  // a replica that stopped following says why
  bool has_digest = false;
  uint64_t digest_lsn = 0;
  std::string digest;  // hex, as /admin/digest gives it
};

struct ReplicaAudit {
  std::vector<ReplicaState> replicas;  // in --url order
  std::optional<size_t> primary;       // the one the data audit reads from
  bool digests_compared = false;       // at least two replicas' digests at one LSN
  // What is wrong: no primary, two primaries of one epoch, a replica that did not
  // catch up in time or stopped, digests that differ. A replica that cannot be reached
  // is not by itself (it may have been killed on purpose): it is listed as such.
  std::vector<std::string> violations;

  std::vector<std::string> unreachable() const;
};

// GET /admin/replication (with `authorization`) on each replica. The primary is the one
// answering role "primary", of the highest epoch if several do (a deposed one may not
// know yet).
ReplicaAudit FindPrimary(const ReplicaSet& replicas, const std::string& authorization);

// Reads the primary's /admin/digest, then each other reachable replica's until it is at
// the primary's LSN (at most `wait` in all), and compares them. Nothing to compare for
// a primary with replication off, or with no other replica reachable.
void CompareDigests(const ReplicaSet& replicas, const std::string& authorization,
                    std::chrono::milliseconds wait, ReplicaAudit* audit);

}  // namespace ecomm::load
