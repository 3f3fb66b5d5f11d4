#include "digest_audit.h"

#include <algorithm>
#include <thread>

#include "ecomm/untrusted_json.h"
#include "sync_client.h"

namespace ecomm::load {

namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

constexpr auto kPoll = std::chrono::milliseconds(50);

std::string Describe(const ShopReply& reply) {
  return reply.status == 0 ? "no connection"
                           : std::to_string(reply.status) + " " + reply.body.substr(0, 200);
}

// The object a 200 answer holds, or why there is none.
Result<rapidjson::Document> JsonObject(const ShopReply& reply) {
  if (reply.status != 200) return Status(ErrorCode::kUnavailable, Describe(reply));
  Result<rapidjson::Document> d = ParseUntrustedJson(reply.body);
  if (!d.ok()) return d.status();
  if (!d->IsObject()) return Status(ErrorCode::kInvalidRequest, "not a JSON object");
  return d;
}

std::string Text(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t Number(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : -1;
}

// GET /admin/replication into `state`; false when it could not be read.
bool ReadReplication(SyncClient& client, ReplicaState* state) {
  ShopReply reply = client.Call(http::verb::get, "/admin/replication");
  state->reachable = reply.status != 0;
  Result<rapidjson::Document> d = JsonObject(reply);
  if (!d.ok()) {
    state->error = "GET /admin/replication: " + d.status().message();
    return false;
  }
  state->error.clear();
  state->role = Text(*d, "role");
  state->replicated = Text(*d, "replication") != "off";
  state->epoch = Number(*d, "epoch");
  state->applied_lsn = static_cast<uint64_t>(std::max<int64_t>(0, Number(*d, "appliedLsn")));
  state->stopped = Text(*d, "stopped");
  return true;
}

// GET /admin/digest into `state`; false when it could not be read.
bool ReadDigest(SyncClient& client, ReplicaState* state) {
  ShopReply reply = client.Call(http::verb::get, "/admin/digest");
  state->reachable = reply.status != 0;
  Result<rapidjson::Document> d = JsonObject(reply);
  if (!d.ok() || Number(*d, "lsn") < 0 || Text(*d, "digest").empty()) {
    state->error = "GET /admin/digest: " + (d.ok() ? "no lsn and digest" : d.status().message());
    return false;
  }
  state->error.clear();
  state->has_digest = true;
  state->digest_lsn = static_cast<uint64_t>(Number(*d, "lsn"));
  state->digest = Text(*d, "digest");
  return true;
}

}  // namespace

std::vector<std::string> ReplicaAudit::unreachable() const {
  std::vector<std::string> urls;
  for (const ReplicaState& r : replicas) {
    if (!r.reachable) urls.push_back(r.url);
  }
  return urls;
}

ReplicaAudit FindPrimary(const ReplicaSet& replicas, const std::string& authorization) {
  ReplicaAudit audit;
  for (size_t i = 0; i < replicas.size(); ++i) {
    ReplicaState state;
    state.url = replicas.at(i).text();
    SyncClient client(replicas.at(i), authorization);
    bool read = ReadReplication(client, &state);
    if (read && state.role == "primary") {
      if (!audit.primary || state.epoch > audit.replicas[*audit.primary].epoch) {
        audit.primary = i;
      } else if (state.epoch == audit.replicas[*audit.primary].epoch) {
        audit.violations.push_back("replicas " + audit.replicas[*audit.primary].url + " and " +
                                   state.url + " are both primary in epoch " +
                                   std::to_string(state.epoch));
      }
    } else if (!read && state.reachable) {
      // It answers, but not as a replica: nothing says what state it holds.
      audit.violations.push_back("replica " + state.url + ": " + state.error);
    }
    audit.replicas.push_back(std::move(state));
  }
  if (!audit.primary) {
    audit.violations.push_back("no replica answers as primary at the end of the run");
  }
  return audit;
}

void CompareDigests(const ReplicaSet& replicas, const std::string& authorization,
                    std::chrono::milliseconds wait, ReplicaAudit* audit) {
  if (!audit->primary) return;
  ReplicaState& primary = audit->replicas[*audit->primary];
  if (!primary.replicated) return;  // a single-machine server: no replicas to agree
  SyncClient primary_client(replicas.at(*audit->primary), authorization);
  if (!ReadDigest(primary_client, &primary)) {
    audit->violations.push_back("primary " + primary.url + ": " + primary.error);
    return;
  }
  auto deadline = Clock::now() + wait;
  for (size_t i = 0; i < audit->replicas.size(); ++i) {
    ReplicaState& r = audit->replicas[i];
    if (i == *audit->primary || !r.reachable) continue;
    SyncClient client(replicas.at(i), authorization);
    // No writes after the run: the primary's LSN stays, and a live follower reaches it.
    bool read = false;
    while ((read = ReadDigest(client, &r)) && r.digest_lsn != primary.digest_lsn &&
           Clock::now() < deadline) {
      std::this_thread::sleep_for(kPoll);
    }
    if (!r.reachable) continue;  // gone meanwhile: reported as unreachable
    if (!read) {
      audit->violations.push_back("replica " + r.url + ": " + r.error);
      continue;
    }
    ReadReplication(client, &r);  // its appliedLsn now, and why it stopped if it did
    if (r.digest_lsn != primary.digest_lsn) {
      audit->violations.push_back(
          "replica " + r.url + " is at LSN " + std::to_string(r.digest_lsn) + ", primary " +
          primary.url + " at " + std::to_string(primary.digest_lsn) + " after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) + " s" +
          (r.stopped.empty() ? "" : " (stopped: " + r.stopped + ")"));
      continue;
    }
    audit->digests_compared = true;
    if (r.digest != primary.digest) {
      audit->violations.push_back("replicas " + primary.url + " and " + r.url + " differ at LSN " +
                                  std::to_string(r.digest_lsn) + ": digest " + primary.digest +
                                  " vs " + r.digest);
    }
  }
}

}  // namespace ecomm::load
