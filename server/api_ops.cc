// POST /admin/clock, GET /healthz, GET /metrics, GET /openapi.json
#include <chrono>

#include "api_helpers.h"
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
  wal::Status log = db_.wal().error();
  JsonWriter w;
  w.StartObject();
  w.Field("status", log.ok() ? "ok" : "read-only");
  w.Field("writable", log.ok());
  if (!log.ok()) w.Field("detail", log.ToString());
  w.Field("lsn", static_cast<int64_t>(db_.wal().Stats().durable_lsn));
  w.EndObject();
  reply(Json(log.ok() ? 200 : 503, w.Take()));
}

void Api::Metrics(Request&, Reply reply) {
  std::string out;
  metrics_->AppendPrometheus(&out);
  auto gauge = [&](const char* name, const char* help, const std::string& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
           " " + value + "\n";
  };
  wal::WalStats wal = db_.wal().Stats();
  EngineCounts counts = engine_.Counts();
  SnapshotStats snapshot = db_.LastSnapshot();
  gauge("ecomm_users", "Users.", std::to_string(counts.users));
  gauge("ecomm_products", "Products.", std::to_string(counts.products));
  gauge("ecomm_orders", "Orders, every status.", std::to_string(counts.orders));
  gauge("ecomm_wal_durable_lsn", "Highest durable LSN.", std::to_string(wal.durable_lsn));
  gauge("ecomm_wal_records_total", "Records appended since start.", std::to_string(wal.records));
  gauge("ecomm_wal_batches_total", "Group-commit batches written.", std::to_string(wal.batches));
  gauge("ecomm_wal_syncs_total", "fdatasync calls.", std::to_string(wal.syncs));
  gauge("ecomm_wal_bytes_total", "Bytes written to the log.", std::to_string(wal.bytes));
  gauge("ecomm_wal_writable", "1 while the log accepts writes.",
        db_.wal().error().ok() ? "1" : "0");
  gauge("ecomm_wal_fsync_p99_seconds", "fdatasync latency, 99th percentile.",
        std::to_string(static_cast<double>(db_.wal().SyncLatencyMicros().Percentile(99)) / 1e6));
  gauge("ecomm_wal_batch_records_p50", "Records per group-commit batch, median.",
        std::to_string(db_.wal().BatchRecords().Percentile(50)));
  gauge("ecomm_snapshot_lsn", "LSN of the last snapshot.", std::to_string(snapshot.lsn));
  gauge("ecomm_snapshot_age_seconds", "Seconds since the last snapshot (of this process).",
        std::to_string(snapshot.taken_at_ms == 0
                           ? -1.0
                           : static_cast<double>(engine_.Now() - snapshot.taken_at_ms) / 1e3));
  reply(Response{200, "text/plain; version=0.0.4", std::move(out)});
}

void Api::OpenApi(Request&, Reply reply) { reply(Json(200, std::string(OpenApiDocument()))); }

}  // namespace ecomm::server
