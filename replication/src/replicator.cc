#include "ecomm/replication/replicator.h"

#include <xxhash.h>

#include <span>
#include <utility>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/replication/position_file.h"
#include "ecomm/wal/data_dir.h"
#include "ecomm/wal/snapshot_file.h"
#include "ecomm/wal/wal_tailer.h"
#include "kafka/kafka_config.h"
#include "kafka/partition_reader.h"
#include "kafka/topic_metadata.h"
#include "kafka_sink.h"
#include "lease.h"
#include "snapshot_places.h"

namespace ecomm::replication {

namespace {

using namespace std::chrono_literals;

constexpr int kMetadataTimeoutMs = 10'000;
// One Poll waits this long for messages at most: the granularity of read waits.
constexpr int kPollMs = 20;
constexpr auto kWatermarkEvery = 500ms;
constexpr auto kKeepPlaceEvery = 200ms;
// An epoch record not back by then is sent again (a lost produce must not leave the
// promotion undecided for ever; a duplicate counts for no one).
constexpr auto kResendEpochAfter = 1s;
// A primary's snapshot may be of records still on their way back from the topic.
constexpr auto kSnapshotPlaceWait = 1000ms;

uint64_t RecordHash(uint8_t type, std::string_view payload) {
  std::string bytes(1, static_cast<char>(type));
  bytes += payload;
  return XXH3_64bits(bytes.data(), bytes.size());
}

// RecordHash of each local record after `after` up to `last`, in LSN order.
Result<std::vector<uint64_t>> LocalRecordHashes(wal::FileSystem* fs, const std::string& data_dir,
                                                Lsn after, Lsn last) {
  wal::WalTailer tailer(fs, wal::DataDir(data_dir).wal, after);
  std::vector<uint64_t> hashes;
  std::vector<wal::TailedRecord> records;
  while (after + hashes.size() < last) {
    records.clear();
    if (Status s = tailer.Next(1024, &records); !s.ok()) return s;
    if (records.empty()) return Status(ErrorCode::kCorruption, "the local log ends early");
    for (const wal::TailedRecord& r : records) {
      if (r.lsn > last) break;
      hashes.push_back(RecordHash(r.type, r.payload));
    }
  }
  return hashes;
}

TimeMs WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string_view RoleName(Role role) { return role == Role::kPrimary ? "primary" : "follower"; }

Result<std::unique_ptr<Replicator>> Replicator::Start(Database& db, ReplicatorOptions options) {
  wal::FileSystem* fs = options.fs ? options.fs : wal::FileSystem::Posix();
  Result<kafka::KafkaConfig> config =
      kafka::KafkaConfig::Build(options.brokers, options.kafka_config);
  if (!config.ok()) return config.status();
  Result<int32_t> partitions =
      kafka::PartitionCount(*config, options.log_topic, kMetadataTimeoutMs);
  if (!partitions.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  "log topic " + options.log_topic + ": " + partitions.status().message());
  }
  if (*partitions != 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "log topic " + options.log_topic + " has " + std::to_string(*partitions) +
                      " partitions; the replicated log needs exactly one (its order is the "
                      "log's order)");
  }
  TopicPlace from;
  Result<TopicPlace> kept = ReadPlace(fs, options.data_dir);
  if (kept.ok()) {
    from = std::move(kept).value();
  } else if (kept.code() != ErrorCode::kFileNotFound) {
    return kept.status();
  } else if (const std::optional<std::string>& annex = db.recovery().snapshot_annex) {
    // No place kept yet (a bootstrap): the loaded snapshot's says where to read on.
    Result<TopicPlace> place = DecodePlace(*annex, "in the snapshot's annex");
    if (!place.ok()) return place.status();
    from = std::move(place).value();
    // Kept at once: should the topic move past it before a record comes, a restart
    // must find it to know it has to bootstrap again.
    if (Status s = WritePlace(fs, options.data_dir, from); !s.ok()) return s;
    kept = from;
  }
  Lsn local_last = db.LogStats().appended_lsn;
  if (from.position.last_lsn > local_last) {
    return Status(ErrorCode::kCorruption,
                  "the replication place (LSN " + std::to_string(from.position.last_lsn) +
                      ") is past the local log's last record (" + std::to_string(local_last) +
                      "): the log lost records it had made durable");
  }
  // The local records the kept place does not vouch for: checked against the topic's
  // as they come (a crashed primary's log may hold records that never counted).
  std::vector<uint64_t> local_records;
  if (local_last > from.position.last_lsn) {
    Result<std::vector<uint64_t>> read =
        LocalRecordHashes(fs, options.data_dir, from.position.last_lsn, local_last);
    std::string unread = "cannot read local records " + std::to_string(from.position.last_lsn + 1) +
                         ".." + std::to_string(local_last) + " to check them against the topic";
    if (read.ok()) {
      local_records = std::move(read).value();
    } else if (kept.ok()) {
      // The topic holds them if they counted: it is read again from the kept place.
      if (options.log) options.log(unread + " (" + read.status().message() + "); discarding them");
      if (Status s = db.CutBack(from.position.last_lsn); !s.ok()) return s;
      local_last = from.position.last_lsn;
    } else if (options.log) {
      options.log(unread + " (" + read.status().message() +
                  "); without a kept place they are taken as the topic's");
    }
  }
  kafka::PartitionReaderOptions reader_options;
  reader_options.topic = options.log_topic;
  reader_options.fetch_wait_max_ms = options.fetch_wait_ms;
  Result<std::unique_ptr<kafka::PartitionReader>> reader =
      kafka::PartitionReader::Create(config->Copy(), reader_options);
  if (!reader.ok()) return reader.status();
  if (Status s = (*reader)->Start(from.next_offset); !s.ok()) return s;
  std::unique_ptr<Lease> lease;
  if (options.failover_auto) {
    Lease::Options lease_options{options.lease_topic, options.failover_group,
                                 options.failover_timeout, options.advertise_url, options.log};
    Result<std::unique_ptr<Lease>> joined = Lease::Join(*config, std::move(lease_options));
    if (!joined.ok()) return joined.status();
    lease = std::move(joined).value();
  }
  auto kept_config = std::make_unique<kafka::KafkaConfig>(std::move(config).value());
  return std::unique_ptr<Replicator>(
      new Replicator(db, std::move(options), std::move(from), local_last, std::move(local_records),
                     std::move(reader).value(), std::move(kept_config), std::move(lease)));
}

Replicator::Replicator(Database& db, ReplicatorOptions options, TopicPlace from, Lsn local_last,
                       std::vector<uint64_t> local_records,
                       std::unique_ptr<kafka::PartitionReader> reader,
                       std::unique_ptr<kafka::KafkaConfig> config, std::unique_ptr<Lease> lease)
    : db_(db),
      options_(std::move(options)),
      fs_(options_.fs ? options_.fs : wal::FileSystem::Posix()),
      local_last_(local_last),
      local_records_(std::move(local_records)),
      local_records_from_(from.position.last_lsn + 1),
      reader_(std::move(reader)),
      follower_(from.position, from.next_offset,
                [this](const TopicRecord& r) { return ApplyRecord(r); }),
      caught_up_at_(Clock::now()),
      kept_(std::move(from)),
      places_(std::make_unique<SnapshotPlaces>()),
      lease_(std::move(lease)),
      config_(std::move(config)) {
  Log("replica follows " + options_.log_topic + " from offset " +
      std::to_string(kept_.next_offset) + " (counted LSN " +
      std::to_string(kept_.position.last_lsn) + ", epoch " + std::to_string(kept_.position.epoch) +
      ", local log to LSN " + std::to_string(local_last_) + ")");
  reloads_seen_ = db_.Health().reloads;
  KeepCursor();
  places_->Add(kept_.next_offset, kept_.next_offset, kept_.position);
  db_.SetSnapshotAnnex([this](Lsn lsn) -> std::optional<std::string> {
    std::optional<TopicPlace> place = places_->At(lsn, kSnapshotPlaceWait);
    if (!place) return std::nullopt;
    return EncodePlace(*place);
  });
  reader_thread_ = std::thread([this] { ReadLoop(); });
}

bool Replicator::LocalRecordIs(const TopicRecord& record) const {
  if (record.lsn < local_records_from_ || local_records_.empty()) return true;
  return local_records_[record.lsn - local_records_from_] ==
         RecordHash(record.type, record.payload);
}

Status Replicator::ApplyRecord(const TopicRecord& r) {
  if (r.lsn <= local_last_) {
    if (LocalRecordIs(r)) return Status::Ok();
  } else if (role() == Role::kPrimary && r.epoch == primary_epoch_.load()) {
    return Status::Ok();  // applied live by this replica as primary of the record's epoch
  }
  if (db_.LogStats().appended_lsn >= r.lsn) {
    // Cut on the reader thread, outside the follower's lock (the tickets the cut fails
    // are answered on this thread, and an answer asks State()); the message is read
    // again after it.
    cut_before_ = r.lsn;
    return Status(ErrorCode::kUnavailable, "the local log holds other records from LSN " +
                                               std::to_string(r.lsn) + " (epoch " +
                                               std::to_string(r.epoch) + " counted there)");
  }
  Status s = db_.ApplyCounted(static_cast<RecordType>(r.type), AsBytes(r.payload), r.lsn);
  if (s.code() == ErrorCode::kInternal && db_.Health().reloads != reloads_seen_) {
    return Status(ErrorCode::kUnavailable, "the local log dropped back meanwhile");
  }
  return s;
}

Status Replicator::CutLocalLog(Lsn last, const std::string& why) {
  Log("discarding local records " + std::to_string(last + 1) + ".." +
      std::to_string(db_.LogStats().appended_lsn) + ": " + why);
  const uint64_t reloads = db_.Health().reloads;
  Status s = db_.CutBack(last, [this] { return stopping_.load(); });
  if (s.ok()) {
    // This drop-back is this thread's own; another one meanwhile (a log failure) is not.
    uint64_t now = db_.Health().reloads;
    if (now == reloads + 1) reloads_seen_ = now;
  }
  if (!s.ok()) {
    Log("cannot cut the local log back to LSN " + std::to_string(last) + ": " + s.message());
    return s;
  }
  local_last_ = std::min(local_last_, last);
  return Status::Ok();
}

bool Replicator::LocalLogReady() {
  LogHealth health = db_.Health();
  if (health.reloads != reloads_seen_) {
    reloads_seen_ = health.reloads;
    rewind_needed_ = true;
    if (role() == Role::kPrimary) {
      // SPEC: a local log failure stops writes; the primary rebuilds from the counted
      // state and resumes only once a new epoch record of its own counts.
      RetirePrimary();
      repromote_ = true;
      Log("the local log failed under the primary of epoch " +
          std::to_string(primary_epoch_.load()) +
          "; it writes no more, reads the topic again and promotes itself again");
    }
  }
  if (!rewind_needed_) return true;
  if (health.state != LogState::kWritable) return false;
  rewind_needed_ = false;
  Rewind();
  if (repromote_) {
    repromote_ = false;
    AddPromotionWaiter([this](const Result<Promoted>& promoted) {
      if (!promoted.ok()) {
        Log("promoting itself again after the local log failure did not succeed (" +
            promoted.status().message() + "); promote a replica by hand");
      }
    });
  }
  return true;
}

void Replicator::Rewind() {
  Lsn local = db_.LogStats().appended_lsn;
  Lsn from = kept_.position.last_lsn;
  if (from > local) {
    return Stop(
        Status(ErrorCode::kCorruption, "the local log went back to LSN " + std::to_string(local) +
                                           ", before the kept place " + std::to_string(from)));
  }
  Result<std::vector<uint64_t>> hashes = LocalRecordHashes(fs_, options_.data_dir, from, local);
  if (!hashes.ok()) return Stop(hashes.status());
  local_last_ = local;
  local_records_ = std::move(hashes).value();
  local_records_from_ = from + 1;
  follower_.Rewind(kept_);
  places_->Add(kept_.next_offset, kept_.next_offset, kept_.position);
  if (Status s = reader_->Start(kept_.next_offset); !s.ok()) return Stop(s);
  Log("reading " + options_.log_topic + " again from offset " + std::to_string(kept_.next_offset) +
      " (counted LSN " + std::to_string(from) + "): the local log went back to LSN " +
      std::to_string(local));
}

void Replicator::TrimUncounted() {
  if (role() != Role::kFollower) return;
  CountedPosition position = follower_.position();
  if (position.epoch == 0 || db_.LogStats().appended_lsn <= position.last_lsn) return;
  (void)CutLocalLog(position.last_lsn, "they did not count by the topic's end");
}

void Replicator::StopReading() {
  if (stopping_.exchange(true)) return;
  places_->Close();
  reader_thread_.join();
  lease_.reset();  // leaves the group: another replica takes the lease at once
  KeepPlace();
  if (primary_) db_.UseJournal(nullptr);
}

Replicator::~Replicator() {
  StopReading();
  db_.SetSnapshotAnnex(nullptr);
  std::vector<std::function<void(Result<Promoted>)>> promoting;
  {
    std::lock_guard lock(mu_);
    if (promotion_) promoting.swap(promotion_->waiting);
  }
  for (auto& done : promoting) done(Status(ErrorCode::kUnavailable, "the server is stopping"));
  std::multimap<Lsn, Waiter> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
  }
  for (auto& [lsn, waiter] : left) waiter.done(false);
}

void Replicator::AskHighWatermark() {
  if (auto marks = reader_->Watermarks(kPollMs * 10); marks.ok()) {
    std::lock_guard lock(mu_);
    high_watermark_ = marks->high;
  }
}

void Replicator::ReadLoop() {
  AskHighWatermark();  // the lag before the first fetch tells
  Clock::time_point next_watermark = Clock::now() + kWatermarkEvery;
  Clock::time_point next_keep = Clock::now() + kKeepPlaceEvery;
  while (!stopping_) {
    Clock::time_point now = Clock::now();
    if (now >= next_keep) {
      KeepPlace();
      next_keep = now + kKeepPlaceEvery;
    }
    DecideWaiters();
    // While no fetch tells how far the topic has gone (not reading, or reading fails),
    // the lag asks the broker. Never while reading: its answer holds the reader up to
    // tens of milliseconds, and every record in flight with it.
    auto ask_when_due = [&] {
      if (now < next_watermark) return;
      AskHighWatermark();
      next_watermark = now + kWatermarkEvery;
    };
    if (!State().stopped.empty() || !LocalLogReady()) {
      ask_when_due();
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    Result<kafka::ReadBatch> batch = reader_->Poll(kPollMs);
    if (!batch.ok()) {
      ask_when_due();
      if (batch.code() == ErrorCode::kNotFound) {
        Stop(Status(ErrorCode::kNotFound,
                    batch.status().message() + ": this replica must bootstrap again"));
        if (options_.off_retention) options_.off_retention();
      } else {
        Log("reading " + options_.log_topic + ": " + batch.status().message());
        std::this_thread::sleep_for(100ms);
      }
      continue;
    }
    for (const kafka::ReadMessage& message : batch->messages) {
      Status s = Consume(message);
      if (s.code() == ErrorCode::kUnavailable && cut_before_) {
        Lsn lsn = *cut_before_;
        cut_before_.reset();
        if (!CutLocalLog(lsn - 1, "the topic counted another record at LSN " + std::to_string(lsn))
                 .ok()) {
          std::this_thread::sleep_for(100ms);
        }
        if (Status restart = reader_->Start(follower_.next_offset()); !restart.ok()) Stop(restart);
        break;
      }
      if (s.code() == ErrorCode::kUnavailable) {
        Log("the local log cannot take records now (" + s.message() + "); reading again");
        std::this_thread::sleep_for(100ms);
        rewind_needed_ = true;  // once it works, from the kept place: it may have gone back
        break;
      }
      if (!s.ok()) {
        Stop(s);
        break;
      }
    }
    if (batch->at_end && !rewind_needed_) TrimUncounted();
    {
      std::optional<int64_t> high = reader_->LastFetchedHigh();
      std::lock_guard lock(mu_);
      if (high) high_watermark_ = *high;
      if (batch->at_end) {
        caught_up_ = true;
        caught_up_at_ = Clock::now();
      } else if (!batch->messages.empty()) {
        caught_up_ = false;
      }
    }
    ProgressPromotion(batch->at_end);
    FollowLease(batch->at_end);
  }
}

void Replicator::FollowLease(bool at_end) {
  if (!lease_) return;
  const bool held = lease_->held();
  if (role() == Role::kPrimary && !held) {
    // SPEC: a primary that loses the lease stops accepting writes. Its records still
    // in flight count or not by the log; it reads again from its kept place, where its
    // own records are found the same.
    RetirePrimary();
    rewind_needed_ = true;
    Log("the primary of epoch " + std::to_string(primary_epoch_.load()) +
        " lost the failover lease: it writes no more");
    return;
  }
  if (!held || role() == Role::kPrimary || !at_end || Clock::now() < next_lease_promotion_) {
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (promotion_ || !stopped_.empty()) return;
  }
  next_lease_promotion_ = Clock::now() + 1s;
  AddPromotionWaiter([this](const Result<Promoted>& promoted) {
    if (!promoted.ok())
      Log("the lease holder did not promote itself: " + promoted.status().message());
  });
}

Status Replicator::Consume(const kafka::ReadMessage& message) {
  CountedPosition before = follower_.position();
  Status s = follower_.Consume(message.offset, AsBytes(message.value));
  CountedPosition position = follower_.position();
  // Every record counted here is in the state now: applied, found the same in the
  // local log, or this primary's own.
  if (position.last_lsn != before.last_lsn || position.epoch != before.epoch) {
    // A message not taken whole (a record refused, the log reloading) is read again.
    places_->Add(message.offset, s.ok() ? follower_.next_offset() : message.offset, position);
  }
  if (!s.ok()) return s;
  if (role() == Role::kPrimary && position.epoch > primary_epoch_.load()) StepDown();
  // After the follower: a mutation its primary answers 421 names the new primary.
  if (primary_) primary_->ReadBack(message.offset, AsBytes(message.value));
  ProgressPromotion(false);
  return Status::Ok();
}

void Replicator::Promote(std::function<void(Result<Promoted>)> done) {
  if (lease_) {
    return done(
        Status(ErrorCode::kNotPromoted,
               "failover is automatic (--failover auto): the lease holder promotes itself"));
  }
  if (role() == Role::kPrimary) {
    return done(Promoted{primary_epoch_.load(), follower_.position().last_lsn});
  }
  AddPromotionWaiter(std::move(done));
}

void Replicator::AddPromotionWaiter(std::function<void(Result<Promoted>)> done) {
  {
    std::lock_guard lock(mu_);
    if (stopped_.empty()) {
      if (!promotion_) promotion_ = Promotion{Uuid::Random(), 0, {}, {}, {}, {}};
      promotion_->deadline = Clock::now() + options_.replication_timeout;
      promotion_->waiting.push_back(std::move(done));
      return;
    }
  }
  done(Status(ErrorCode::kUnavailable, "this replica follows the topic no more"));
}

void Replicator::ProgressPromotion(bool at_end) {
  std::vector<std::function<void(Result<Promoted>)>> waiting;
  Result<Promoted> answer = Status(ErrorCode::kUnavailable, "");
  {
    std::unique_lock lock(mu_);
    if (!promotion_) return;
    CountedPosition position = follower_.position();
    if (promotion_->epoch == 0) {
      if (!at_end) return;  // SPEC: it reads the topic to its end first
      if (!sink_) {
        auto sink =
            KafkaSink::Create(*config_, options_.log_topic, options_.log, &produce_latency_us_);
        if (!sink.ok()) {
          answer = sink.status();
          waiting.swap(promotion_->waiting);
          promotion_.reset();
          lock.unlock();
          for (auto& done : waiting) done(answer);
          return;
        }
        sink_ = std::move(sink).value();
      }
      // Its log must end where the counted records do (the first epoch of a topic
      // counts on from the promoter's log): else its writes would not follow them. (A
      // longer one was cut back at the topic's end: TrimUncounted.)
      Lsn local = db_.LogStats().appended_lsn;
      if (position.epoch != 0 && local != position.last_lsn) {
        waiting.swap(promotion_->waiting);
        promotion_.reset();
        lock.unlock();
        for (auto& done : waiting) {
          done(Status(ErrorCode::kNotPromoted, "this replica's log ends at LSN " +
                                                   std::to_string(local) + ", not at the counted " +
                                                   std::to_string(position.last_lsn)));
        }
        return;
      }
      promotion_->epoch = position.epoch + 1;
      EpochRecord record{promotion_->epoch, local, promotion_->id, options_.advertise_url,
                         WallClockMs()};
      promotion_->message = EncodeMessage(std::vector{MakeEpochRecord(record)});
      promotion_->sent_at = Clock::now();
      sink_->Send(promotion_->message);
      Log("promoting: epoch record " + std::to_string(promotion_->epoch) + " sent after LSN " +
          std::to_string(local));
      return;
    }
    if (position.epoch >= promotion_->epoch) {
      bool mine = position.promotion_id == promotion_->id;
      waiting.swap(promotion_->waiting);
      promotion_.reset();
      lock.unlock();
      if (mine) {
        BecomePrimary(position);
        answer = role() == Role::kPrimary
                     ? Result<Promoted>(Promoted{position.epoch, position.last_lsn})
                     : Result<Promoted>(Status(ErrorCode::kInternal, State().stopped));
      } else {
        answer = Status(ErrorCode::kNotPromoted, "epoch " + std::to_string(position.epoch) +
                                                     " counted first (primary " +
                                                     position.primary_url + ")");
      }
      for (auto& done : waiting) done(answer);
      return;
    }
    if (Clock::now() - promotion_->sent_at >= kResendEpochAfter) {
      promotion_->sent_at = Clock::now();
      sink_->Send(promotion_->message);
    }
    if (Clock::now() < promotion_->deadline || promotion_->waiting.empty()) return;
    waiting.swap(promotion_->waiting);
  }
  // Still undecided: the record may count later; this replica keeps reading.
  for (auto& done : waiting) {
    done(Status(ErrorCode::kUnavailable,
                "the epoch record has not come back yet; this replica keeps reading and "
                "becomes primary should it count"));
  }
}

void Replicator::BecomePrimary(const CountedPosition& position) {
  Lsn local = db_.LogStats().appended_lsn;
  if (local != position.last_lsn) {
    Stop(Status(ErrorCode::kInternal, "promoted, but the local log ends at LSN " +
                                          std::to_string(local) + ", not at the counted " +
                                          std::to_string(position.last_lsn)));
    return;
  }
  PrimaryJournalOptions options;
  options.epoch = position.epoch;
  options.local_epoch = db_.LogStats().epoch;
  options.position = position;
  options.timeout = options_.replication_timeout;
  options.counted_latency_us = &counted_latency_us_;
  if (primary_) retired_.push_back(std::move(primary_));
  primary_ = std::make_unique<PrimaryJournal>(db_.local_journal(), sink_.get(), options);
  primary_epoch_ = position.epoch;
  db_.UseJournal(primary_.get());
  role_.store(Role::kPrimary, std::memory_order_release);
  Log("primary of epoch " + std::to_string(position.epoch) + " from LSN " +
      std::to_string(position.last_lsn));
}

void Replicator::RetirePrimary() {
  // The PrimaryJournal stays the engine's journal and refuses every write, so no
  // mutation that raced the role check is answered without counting.
  primary_->Retire();
  role_.store(Role::kFollower, std::memory_order_release);
}

void Replicator::StepDown() {
  // As in RetirePrimary, the deposed PrimaryJournal stays the engine's journal. Its
  // records that did not count are cut back once the new primary's first record comes
  // (ApplyRecord) or the topic's end is reached (TrimUncounted).
  role_.store(Role::kFollower, std::memory_order_release);
  CountedPosition position = follower_.position();
  Log("deposed by epoch " + std::to_string(position.epoch) + " (primary " + position.primary_url +
      "); the local log holds records to LSN " + std::to_string(db_.LogStats().appended_lsn) +
      ", counted to " + std::to_string(primary_->counted_lsn()));
}

void Replicator::KeepPlace() {
  TopicPlace place = follower_.place();
  if (place == kept_) return;
  // Only what the local log holds durably: a restart resumes after it.
  if (place.position.last_lsn > local_last_ &&
      db_.LogStats().durable_lsn < place.position.last_lsn) {
    return;
  }
  if (Status s = WritePlace(fs_, options_.data_dir, place); !s.ok()) {
    Log("cannot keep the replication place: " + s.message());
    return;
  }
  kept_ = std::move(place);
  KeepCursor();
}

void Replicator::KeepCursor() {
  // After the place, never before: a cursor behind the place keeps more log, one
  // ahead of it could let the records a restart checks go.
  if (Status s = wal::WriteCursor(fs_, wal::DataDir(options_.data_dir).cursors,
                                  wal::kReplicationCursor, kept_.position.last_lsn);
      !s.ok()) {
    Log("cannot keep the replication cursor: " + s.message());
  }
}

void Replicator::Stop(const Status& why) {
  Log("replica stops following " + options_.log_topic + ": " + why.message());
  if (role() == Role::kPrimary) {
    RetirePrimary();  // it would no longer learn of a newer epoch
  }
  std::vector<std::function<void(Result<Promoted>)>> promoting;
  {
    std::lock_guard lock(mu_);
    stopped_ = why.message();
    if (promotion_) promoting.swap(promotion_->waiting);
    promotion_.reset();
  }
  DecideWaiters();
  for (auto& done : promoting) done(Status(ErrorCode::kUnavailable, why.message()));
}

void Replicator::DecideWaiters() {
  Lsn counted = follower_.position().last_lsn;
  Clock::time_point now = Clock::now();
  std::vector<std::pair<std::function<void(bool)>, bool>> decided;
  {
    std::lock_guard lock(mu_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      bool ok = it->first <= counted;
      if (ok || !stopped_.empty() || it->second.deadline <= now) {
        decided.emplace_back(std::move(it->second.done), ok);
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [done, ok] : decided) done(ok);
}

void Replicator::OnCounted(Lsn lsn, std::chrono::milliseconds timeout,
                           std::function<void(bool)> done) {
  if (follower_.position().last_lsn >= lsn) return done(true);
  {
    std::lock_guard lock(mu_);
    if (stopped_.empty()) {
      waiters_.emplace(lsn, Waiter{Clock::now() + timeout, std::move(done)});
      return;
    }
  }
  done(false);
}

ReplicationState Replicator::State() const {
  TopicPlace place = follower_.place();
  ReplicationState state;
  state.role = role();
  state.epoch = place.position.epoch;
  state.applied_lsn = place.position.last_lsn;
  state.primary_url = place.position.primary_url;
  std::lock_guard lock(mu_);
  state.lag_messages = std::max<int64_t>(0, high_watermark_ - place.next_offset);
  state.lag_ms =
      caught_up_ && state.lag_messages == 0
          ? 0
          : std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - caught_up_at_)
                .count();
  state.stopped = stopped_;
  return state;
}

void Replicator::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

}  // namespace ecomm::replication
