// POST /admin/clock, GET /healthz, GET /metrics, GET /openapi.json, GET /docs
#include <chrono>

#include "api_helpers.h"
#include "docs_files.h"
#include "openapi_document.h"

namespace ecomm::server {

void Api::AdvanceClock(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(seconds, IntField(*body, "advanceSeconds"));
  Commit(engine_.AdvanceClock(*seconds), std::move(reply), [](TimeMs now) {
    JsonWriter w;
    w.StartObject();
    w.Field("now", FormatTime(now));
    w.EndObject();
    return Json(200, w.Take());
  });
}

void Api::Health(Request&, Reply reply) {
  LogHealth health = db_.Health();
  bool writable = health.state == LogState::kWritable;
  JsonWriter w;
  w.StartObject();
  w.Field("status", LogStateName(health.state));
  w.Field("writable", writable);
  w.Field("readable", health.state != LogState::kReloading);
  if (!writable) w.Field("detail", health.detail);
  w.Field("lsn", static_cast<int64_t>(db_.LogStats().durable_lsn));
  if (options_.replica != nullptr) {
    replication::ReplicationState state = options_.replica->State();
    w.Key("replication");
    w.StartObject();
    w.Field("role", replication::RoleName(state.role));
    w.Field("epoch", static_cast<int64_t>(state.epoch));
    w.Field("appliedLsn", static_cast<int64_t>(state.applied_lsn));
    w.Field("lagRecords", state.lag_messages);
    w.Field("lagMs", state.lag_ms);
    w.Field("following", state.stopped.empty());
    w.EndObject();
  }
  w.EndObject();
  reply(Json(writable ? 200 : 503, w.Take()));
}

void Api::Metrics(Request&, Reply reply) {
  std::string out;
  metrics_->AppendPrometheus(&out);
  auto single = [&](const char* type, const char* name, const char* help,
                    const std::string& value) {
    AppendFamily(&out, name, type, help);
    out += std::string(name) + " " + value + "\n";
  };
  auto gauge = [&](const char* name, const char* help, const std::string& value) {
    single("gauge", name, help, value);
  };
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    single("counter", name, help, std::to_string(value));
  };
  wal::WalStats wal = db_.LogStats();
  EngineCounts counts = engine_.Counts();
  SnapshotStats snapshot = db_.LastSnapshot();
  gauge("ecomm_users", "Users.", std::to_string(counts.users));
  gauge("ecomm_products", "Products.", std::to_string(counts.products));
  gauge("ecomm_orders", "Orders, every status.", std::to_string(counts.orders));
  gauge("ecomm_coupons", "Coupon campaigns.", std::to_string(counts.coupons));
  gauge("ecomm_top_seller_minutes", "Minutes with sales held for /products/top (72 h at most).",
        std::to_string(counts.top_seller_minutes));
  gauge("ecomm_idempotency_keys", "Idempotency-Keys held (expired ones go as time moves).",
        std::to_string(counts.idempotency_keys));
  gauge("ecomm_wal_durable_lsn", "Highest durable LSN.", std::to_string(wal.durable_lsn));
  if (options_.replica != nullptr) {
    replication::ReplicationState state = options_.replica->State();
    gauge("ecomm_replication_primary", "1 on the primary, 0 on a follower.",
          state.role == replication::Role::kPrimary ? "1" : "0");
    gauge("ecomm_replication_epoch", "The log topic's current epoch as this replica counted it.",
          std::to_string(state.epoch));
    gauge("ecomm_replication_applied_lsn", "The last LSN counted and applied here.",
          std::to_string(state.applied_lsn));
    gauge("ecomm_replication_lag_messages", "Messages of the log topic not yet read.",
          std::to_string(state.lag_messages));
    gauge("ecomm_replication_lag_ms", "Milliseconds since this replica had read the whole topic.",
          std::to_string(state.lag_ms));
    gauge("ecomm_replication_following", "0 once this replica stopped following (see the log).",
          state.stopped.empty() ? "1" : "0");
    AppendFamily(&out, "ecomm_replication_counted_seconds", "histogram",
                 "As primary: from a record's append to its read back as counted.");
    AppendHistogram(&out, "ecomm_replication_counted_seconds", "",
                    options_.replica->CountedLatencyMicros(), 1e-6);
    AppendFamily(&out, "ecomm_replication_produce_seconds", "histogram",
                 "As primary: from a message's produce to the broker's acknowledgement.");
    AppendHistogram(&out, "ecomm_replication_produce_seconds", "",
                    options_.replica->ProduceLatencyMicros(), 1e-6);
  }
  counter("ecomm_wal_records_total", "Records appended since start.", wal.records);
  counter("ecomm_wal_batches_total", "Group-commit batches written.", wal.batches);
  counter("ecomm_wal_syncs_total", "fdatasync calls.", wal.syncs);
  counter("ecomm_wal_bytes_total", "Bytes written to the log.", wal.bytes);
  LogHealth health = db_.Health();
  gauge("ecomm_wal_writable", "1 while the log accepts writes.",
        health.state == LogState::kWritable ? "1" : "0");
  AppendFamily(&out, "ecomm_log_state", "gauge",
               "1 for the state the log is in (/healthz): ok, reloading or read-only.");
  for (LogState state : {LogState::kWritable, LogState::kReloading, LogState::kReadOnly}) {
    out += "ecomm_log_state{state=\"" + std::string(LogStateName(state)) + "\"} " +
           (state == health.state ? "1\n" : "0\n");
  }
  gauge("ecomm_wal_unreadable_cursors",
        "Cursor files that cannot be read: the log their readers may need is kept whole.",
        std::to_string(db_.UnreadableCursors().size()));
  counter("ecomm_wal_failures_total", "Write or sync failures of the log (each refused writes).",
          wal.failures);
  counter("ecomm_log_reloads_total", "Drop-backs to the durable state after a log failure.",
          health.reloads);
  counter("ecomm_log_resumes_total", "Returns to writable after a log failure.", health.resumes);
  AppendFamily(&out, "ecomm_wal_fsync_seconds", "histogram", "fdatasync latency.");
  AppendHistogram(&out, "ecomm_wal_fsync_seconds", "", db_.LogSyncLatencyMicros(), 1e-6);
  AppendFamily(&out, "ecomm_wal_batch_records", "histogram", "Records per group-commit batch.");
  AppendHistogram(&out, "ecomm_wal_batch_records", "", db_.LogBatchRecords(), 1);
  gauge("ecomm_snapshot_lsn", "LSN of the last snapshot.", std::to_string(snapshot.lsn));
  gauge("ecomm_snapshot_age_seconds", "Seconds since the last snapshot (of this process).",
        std::to_string(snapshot.taken_at_ms == 0
                           ? -1.0
                           : static_cast<double>(engine_.Now() - snapshot.taken_at_ms) / 1e3));
  auth_.AppendPrometheus(&out);
  if (more_metrics_) more_metrics_(&out);
  reply(Response{200, "text/plain; version=0.0.4", std::move(out)});
}

void Api::OpenApi(Request&, Reply reply) { reply(Json(200, std::string(OpenApiDocument()))); }

void Api::Docs(Request& r, Reply reply) {
  std::string_view name = r.path_params.empty() ? std::string_view() : r.path_params[0];
  std::optional<DocsFile> file = FindDocsFile(name);
  if (!file) {
    return reply(
        Problem(Status(ErrorCode::kNotFound, "no file " + std::string(name) + " in /docs")));
  }
  reply(Response{200, std::string(file->content_type), std::string(file->content)});
}

}  // namespace ecomm::server
