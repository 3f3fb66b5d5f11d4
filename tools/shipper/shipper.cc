#include "shipper.h"

#include <cstdio>
#include <thread>
#include <utility>

#include "ecomm/bytes.h"
#include "ecomm/record.h"
#include "ecomm/wal/data_dir.h"
#include "ecomm/wal/snapshot_file.h"
#include "order_events.h"

namespace ecomm::shipper {

namespace {

constexpr char kCursorName[] = "shipper";
// A replica's cut changes the log under the tailer: read again, a few times in a row.
constexpr int kMaxRereads = 3;
// Records read ahead of delivery at most: bounds memory while Kafka is down (the log,
// not the shipper, holds the backlog) and stays under librdkafka's queue limit.
constexpr int kMaxInFlight = 50'000;
constexpr size_t kReadBatch = 1'000;
constexpr int kMaxFreshStarts = 10;
constexpr auto kFirstRestartPause = std::chrono::seconds(1);
constexpr auto kMaxRestartPause = std::chrono::seconds(60);

}  // namespace

Shipper::Shipper(ShipperOptions options, ShipperStats* stats)
    : options_(std::move(options)),
      stats_(stats),
      cursor_dir_(wal::DataDir(options_.data_dir).cursors) {}

Shipper::~Shipper() = default;

void Shipper::Log(const std::string& line) const {
  std::fprintf(stderr, "ecomm-shipper: %s\n", line.c_str());
  std::fflush(stderr);
}

Status Shipper::Open(bool fresh) {
  wal::FileSystem* fs = wal::FileSystem::Posix();
  std::string wal_dir = wal::DataDir(options_.data_dir).wal;
  Lsn cursor = 0;
  if (!fresh) {
    Status read = wal::ReadCursor(fs, wal::JoinPath(cursor_dir_, kCursorName), &cursor);
    fresh = read.code() == ErrorCode::kFileNotFound;
    if (!read.ok() && !fresh) return read;
  }

  auto replica =
      Replica::Load(fs, options_.data_dir, [this](const std::string& line) { Log(line); });
  if (!replica.ok()) return replica.status();
  replica_ = std::move(replica).value();

  if (fresh) {
    // Ship from where the retained log begins, and pin it there at once: the server
    // keeps every segment at or after the smallest cursor.
    std::optional<Lsn> oldest;
    if (Status s = wal::OldestLsn(fs, wal_dir, &oldest); !s.ok()) return s;
    cursor = oldest ? *oldest - 1 : replica_.applied_lsn();
    if (Status s = fs->CreateDir(cursor_dir_); !s.ok()) return s;
    if (Status s = wal::WriteCursor(fs, cursor_dir_, kCursorName, cursor); !s.ok()) {
      return s;
    }
    Log("no cursor yet: shipping from LSN " + std::to_string(cursor + 1) +
        ", the oldest record the log still holds");
    fresh_cursor_ = cursor;
  }
  start_after_ = cursor;
  saved_cursor_ = cursor;
  // Read from whichever is older: the records up to the snapshot still need events,
  // those up to the cursor still need applying to the replica.
  read_lsn_ = std::min(start_after_, replica_.applied_lsn());
  tailer_ = std::make_unique<wal::WalTailer>(fs, wal_dir, read_lsn_);
  stats_->cursor_lsn = saved_cursor_;
  Log("snapshot LSN " + std::to_string(replica_.applied_lsn()) + ", cursor LSN " +
      std::to_string(saved_cursor_) + "; shipping to " + options_.brokers + " topic " +
      options_.topic);
  return Status::Ok();
}

Status Shipper::ConfigureKafka() {
  // A log that must not lose or reorder a record: idempotent (no duplicates from its
  // own retries, per-partition order kept), acks=all, lz4.
  const kafka::Setting settings[] = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      // 0: never time a record out. Kafka being down delays shipping; it never
      // drops a record, and the cursor never passes one that was not delivered.
      {"message.timeout.ms", "0"},
      {"linger.ms", "5"},
      {"queue.buffering.max.messages", "100000"},
      {"reconnect.backoff.max.ms", "2000"},
  };
  auto config = kafka::KafkaConfig::Build(options_.brokers, options_.kafka_config, settings);
  if (!config.ok()) {
    return Status(ErrorCode::kInvalidRequest, "kafka: " + config.status().message());
  }
  kafka_config_.emplace(std::move(config).value());
  return Status::Ok();
}

Status Shipper::StartProducer() {
  auto producer = kafka::Producer::Create(
      kafka_config_->Copy(), options_.topic,
      [this](const kafka::Delivery& delivery) { Delivered(delivery.tag, delivery.error); },
      [this](bool reachable, const std::string& why) {
        stats_->kafka_reachable = reachable;
        Log(std::string(reachable ? "Kafka reachable again: " : "Kafka unreachable: ") + why);
      });
  if (!producer.ok()) {
    return Status(ErrorCode::kInvalidRequest, "kafka: " + producer.status().message());
  }
  producer_ = std::move(producer).value();
  stats_->kafka_reachable = true;  // a new producer reports only going down, then up
  return Status::Ok();
}

Result<std::optional<Lsn>> Shipper::CountedBound() const {
  Lsn bound = 0;
  Status s = wal::ReadCursor(wal::FileSystem::Posix(),
                             wal::JoinPath(cursor_dir_, wal::kReplicationCursor), &bound);
  if (s.code() == ErrorCode::kFileNotFound) return std::optional<Lsn>();
  if (!s.ok()) return s;
  return std::optional<Lsn>(bound);
}

Status Shipper::Ship(const wal::TailedRecord& record) {
  auto type = static_cast<RecordType>(record.type);
  std::span<const uint8_t> payload = AsBytes(record.payload);
  bool wanted = record.lsn > start_after_ &&
                (type == RecordType::kPlaceOrder || type == RecordType::kCancelOrder);
  if (record.lsn <= replica_.applied_lsn() && !wanted) {
    read_lsn_ = record.lsn;
    return Status::Ok();
  }
  auto decoded = DecodeRecord(type, payload);
  if (!decoded.ok()) return decoded.status();
  if (record.lsn > replica_.applied_lsn()) {
    if (Status s = replica_.Apply(*decoded, record.lsn); !s.ok()) {
      return Status(ErrorCode::kInternal,
                    "record " + std::to_string(record.lsn) + " does not apply: " + s.message());
    }
  }
  read_lsn_ = record.lsn;
  if (!wanted) return Status::Ok();
  auto event = MakeOrderEvent(*decoded, record.lsn, replica_.engine());
  if (!event.ok()) return event.status();
  if (!event->has_value()) return Status::Ok();
  pending_.emplace(record.lsn, (*event)->occurred_at);
  std::string lsn_text = std::to_string(record.lsn);
  const kafka::Header headers[] = {{"lsn", lsn_text}};
  while (!producer_->Produce(record.lsn, std::nullopt, (*event)->key, (*event)->value, headers)) {
    producer_->Poll(10);
  }
  return Status::Ok();
}

void Shipper::Delivered(Lsn lsn, rd_kafka_resp_err_t error) {
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    pending_.erase(lsn);
    ++stats_->events;
    restart_pause_ = kFirstRestartPause;
    return;
  }
  // With no message timeout librdkafka retries what can succeed; what it gives up on
  // will not succeed by waiting. The record is never skipped: the producer is replaced
  // and shipping starts again from the last LSN delivered in order.
  ++stats_->delivery_errors;
  if (!restart_) {
    Log("delivery of LSN " + std::to_string(lsn) + " failed: " + rd_kafka_err2str(error));
  }
  restart_ = true;
}

Lsn Shipper::Shipped() const {
  Lsn shipped = pending_.empty() ? read_lsn_ : pending_.begin()->first - 1;
  return std::max(shipped, saved_cursor_);
}

Status Shipper::SaveCursor(bool force) {
  Lsn shipped = Shipped();
  auto now = std::chrono::steady_clock::now();
  if (shipped <= saved_cursor_ || (!force && now - saved_at_ < options_.cursor_interval)) {
    return Status::Ok();
  }
  if (Status s = wal::WriteCursor(wal::FileSystem::Posix(), cursor_dir_, kCursorName, shipped);
      !s.ok()) {
    return s;
  }
  saved_cursor_ = shipped;
  saved_at_ = now;
  stats_->cursor_lsn = shipped;
  return Status::Ok();
}

Status Shipper::Run(const std::atomic<bool>& stop, std::chrono::milliseconds grace) {
  // First, so that a properties file librdkafka refuses stops the shipper at once.
  if (Status s = ConfigureKafka(); !s.ok()) return s;
  if (Status s = Open(/*fresh=*/false); !s.ok()) return s;
  if (Status s = StartProducer(); !s.ok()) return s;
  int fresh_starts = 0;
  std::vector<wal::TailedRecord> batch;
  while (!stop) {
    if (restart_ || producer_->fatal()) {
      if (Status s = SaveCursor(/*force=*/true); !s.ok()) return s;
      producer_.reset();  // drops what was queued: it is shipped again from the cursor
      pending_.clear();
      held_.clear();
      start_after_ = saved_cursor_;
      read_lsn_ = saved_cursor_;
      tailer_ = std::make_unique<wal::WalTailer>(
          wal::FileSystem::Posix(), wal::DataDir(options_.data_dir).wal, saved_cursor_);
      restart_ = false;
      // A refusal that persists (an unauthorised topic, a record too large for the
      // broker) is retried ever more slowly, never skipped.
      Log("shipping again from LSN " + std::to_string(saved_cursor_ + 1) + " in " +
          std::to_string(restart_pause_.count()) + " s");
      for (auto waited = std::chrono::milliseconds(0); waited < restart_pause_ && !stop;
           waited += std::chrono::milliseconds(100)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      restart_pause_ = std::min(restart_pause_ * 2, kMaxRestartPause);
      if (Status s = StartProducer(); !s.ok()) return s;
      continue;
    }
    batch.clear();
    if (producer_->Outstanding() < kMaxInFlight && held_.size() < kReadBatch) {
      Status s = tailer_->Next(kReadBatch, &batch);
      if (!s.ok() && follows_replica_ && rereads_ < kMaxRereads) {
        ++rereads_;
        Log("the replica's log changed past its counted records (" + s.ToString() +
            "): reading again after LSN " + std::to_string(read_lsn_));
        held_.clear();
        tailer_ = std::make_unique<wal::WalTailer>(wal::FileSystem::Posix(),
                                                   wal::DataDir(options_.data_dir).wal, read_lsn_);
        continue;
      }
      // A snapshot that began before this shipper's first cursor existed may delete the
      // segments it was about to read. It has delivered nothing yet, so it starts over
      // from the oldest record left; the cursor it wrote stops later deletions.
      if (s.code() == ErrorCode::kFileNotFound && fresh_cursor_ &&
          saved_cursor_ == *fresh_cursor_ && ++fresh_starts <= kMaxFreshStarts) {
        Log("the server deleted old segments as this shipper started (" + s.ToString() +
            "): starting again");
        producer_.reset();
        pending_.clear();
        held_.clear();
        if (Status again = Open(/*fresh=*/true); !again.ok()) return again;
        if (Status again = StartProducer(); !again.ok()) return again;
        continue;
      }
      if (!s.ok()) {
        return Status(ErrorCode::kInternal,
                      "cannot ship past LSN " + std::to_string(read_lsn_) + ": " + s.ToString());
      }
    }
    // Only what is durable in the log is shipped: a record lost in a power cut would
    // have its LSN reused, and the cursor would skip the record that gets it.
    if (Status s = tailer_->SyncReturned(); !s.ok()) {
      return Status(ErrorCode::kInternal, "cannot sync the log: " + s.ToString());
    }
    for (wal::TailedRecord& record : batch) held_.push_back(std::move(record));
    Result<std::optional<Lsn>> bound = CountedBound();
    if (!bound.ok()) return bound.status();
    follows_replica_ = follows_replica_ || bound->has_value();
    while (!held_.empty() && (!*bound || held_.front().lsn <= **bound)) {
      if (Status s = Ship(held_.front()); !s.ok()) return s;
      held_.pop_front();
      rereads_ = 0;
    }
    producer_->Poll(0);
    if (Status s = SaveCursor(/*force=*/false); !s.ok()) return s;
    stats_->read_lsn = read_lsn_;
    stats_->oldest_pending_ms = pending_.empty() ? 0 : pending_.begin()->second;
    if (batch.empty()) {
      if (producer_->Outstanding() >= kMaxInFlight) {
        producer_->Poll(50);
      } else {
        tailer_->WaitForData(std::chrono::milliseconds(50));
      }
    }
  }
  producer_->Flush(static_cast<int>(grace.count()));
  producer_->Poll(0);
  Status saved = SaveCursor(/*force=*/true);
  Log("stopped: cursor at LSN " + std::to_string(saved_cursor_) + ", " +
      std::to_string(pending_.size()) + " events left to ship on the next start");
  return saved;
}

}  // namespace ecomm::shipper
