// A replica's side of the API (SPEC "Replication and failover"): writes refused on a
// follower, reads that wait for an LSN to count, and the operator's views.
#include <charconv>

#include "api.h"
#include "api_helpers.h"
#include "problem.h"

namespace ecomm::server {

namespace {

using replication::Epoch;

// What a follower serves itself: reads, and its own promotion.
bool ServedByFollower(const Route& route) {
  return route.method == "GET" || route.pattern == "/admin/promote";
}

Result<Lsn> ParseLsn(const std::string& text, std::string_view what) {
  Lsn lsn = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), lsn);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status(ErrorCode::kInvalidRequest,
                  std::string(what) + " must be an LSN (a whole number)");
  }
  return lsn;
}

// A 421 names the primary, when this replica knows it.
void NamePrimary(const replication::Replicator& replica, Response* refused) {
  std::string primary = replica.State().primary_url;
  if (!primary.empty()) refused->headers.emplace_back("Ecomm-Primary", primary);
}

}  // namespace

void Api::HandleOnReplica(const Route& route, Request request, Reply reply) {
  replication::Replicator& replica = *options_.replica;
  if (!ServedByFollower(route)) {
    if (replica.role() == replication::Role::kPrimary) {
      // Deposed before its record counted, a mutation is answered 421: not applied.
      return Run(route, request, [&replica, reply = std::move(reply)](Response response) {
        if (response.status == 421) NamePrimary(replica, &response);
        reply(std::move(response));
      });
    }
    Response refused = Problem(
        Status(ErrorCode::kNotPrimary, "this replica is a follower: send writes to the primary"));
    NamePrimary(replica, &refused);
    return reply(std::move(refused));
  }
  if (!request.min_lsn) return Run(route, request, reply);
  Result<Lsn> min_lsn = ParseLsn(*request.min_lsn, "Ecomm-Min-Lsn");
  if (!min_lsn.ok()) return reply(Problem(min_lsn.status()));
  replica.OnCounted(*min_lsn, options_.max_read_wait,
                    [&route, request = std::move(request), reply = std::move(reply),
                     lsn = *min_lsn](bool counted) mutable {
                      if (counted) return Run(route, request, reply);
                      Response behind = Problem(Status(
                          ErrorCode::kReplicaBehind,
                          "LSN " + std::to_string(lsn) + " has not counted on this replica yet"));
                      behind.headers.emplace_back("Retry-After", "1");
                      reply(std::move(behind));
                    });
}

void Api::Replication(Request&, Reply reply) {
  replication::ReplicationState state;
  if (options_.replica != nullptr) {
    state = options_.replica->State();
  } else {
    // The single-machine product: it takes every write, and all it has counts.
    state.role = replication::Role::kPrimary;
    state.applied_lsn = db_.LogStats().durable_lsn;
  }
  JsonWriter w;
  w.StartObject();
  w.Field("role", replication::RoleName(state.role));
  w.Field("epoch", static_cast<int64_t>(state.epoch));
  w.Field("appliedLsn", static_cast<int64_t>(state.applied_lsn));
  w.Key("primaryUrl");
  if (state.primary_url.empty()) {
    w.Null();
  } else {
    w.String(state.primary_url);
  }
  w.Field("lagRecords", state.lag_messages);
  w.Field("lagMs", state.lag_ms);
  w.Field("replication", options_.replica != nullptr ? "kafka" : "off");
  w.Key("stopped");
  if (state.stopped.empty()) {
    w.Null();
  } else {
    w.String(state.stopped);
  }
  w.EndObject();
  reply(Response(200, "application/json", w.Take()));
}

void Api::Digest(Request&, Reply reply) {
  Database::DigestAt digest = db_.Digest();
  JsonWriter w;
  w.StartObject();
  w.Field("lsn", static_cast<int64_t>(digest.lsn));
  Epoch epoch = options_.replica != nullptr ? options_.replica->State().epoch : 0;
  w.Field("epoch", static_cast<int64_t>(epoch));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest.digest));
  w.Field("digest", std::string(hex));
  w.EndObject();
  reply(Response(200, "application/json", w.Take()));
}

void Api::PeerSnapshot(Request& request, Reply reply) {
  if (options_.replica == nullptr) {
    return reply(Problem(Status(ErrorCode::kNotFound,
                                "snapshots for peers come from replicas (--replication kafka)")));
  }
  // ?after=LSN: the caller found the snapshot at that LSN too old for the topic.
  Lsn after = 0;
  if (auto it = request.query.find("after"); it != request.query.end()) {
    Result<Lsn> lsn = ParseLsn(it->second, "after");
    if (!lsn.ok()) return reply(Problem(lsn.status()));
    after = *lsn;
  }
  Result<Database::AnnexedSnapshot> newest = db_.NewestAnnexedSnapshot(after);
  if (!newest.ok()) {
    Response later = Problem(Status(ErrorCode::kUnavailable, newest.status().message()));
    later.headers.emplace_back("Retry-After", "1");
    return reply(std::move(later));
  }
  Response response(200, "application/octet-stream", "");
  response.body_file = newest->path;
  response.headers.emplace_back("Ecomm-Lsn", std::to_string(newest->lsn));
  reply(std::move(response));
}

void Api::Promote(Request&, Reply reply) {
  if (options_.replica == nullptr) {
    return reply(Problem(
        Status(ErrorCode::kNotPromoted, "this server is not a replica (--replication off)")));
  }
  options_.replica->Promote([reply = std::move(reply)](Result<replication::Promoted> promoted) {
    if (!promoted.ok()) return reply(Problem(promoted.status()));
    JsonWriter w;
    w.StartObject();
    w.Field("role", "primary");
    w.Field("epoch", static_cast<int64_t>(promoted->epoch));
    w.Field("lsn", static_cast<int64_t>(promoted->lsn));
    w.EndObject();
    reply(Response(200, "application/json", w.Take()));
  });
}

}  // namespace ecomm::server
