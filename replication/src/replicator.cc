#include "ecomm/replication/replicator.h"

#include <span>
#include <utility>
#include <vector>

#include "ecomm/replication/position_file.h"
#include "kafka/kafka_config.h"
#include "kafka/partition_reader.h"
#include "kafka/topic_metadata.h"

namespace ecomm::replication {

namespace {

using namespace std::chrono_literals;

constexpr int kMetadataTimeoutMs = 10'000;
// One Poll waits this long for messages at most: the granularity of read waits.
constexpr int kPollMs = 20;
constexpr auto kWatermarkEvery = 500ms;
constexpr auto kKeepPlaceEvery = 200ms;

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
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
  }
  Lsn local_last = db.LogStats().appended_lsn;
  if (from.position.last_lsn > local_last) {
    return Status(ErrorCode::kCorruption,
                  "the replication place (LSN " + std::to_string(from.position.last_lsn) +
                      ") is past the local log's last record (" + std::to_string(local_last) +
                      "): the log lost records it had made durable");
  }
  kafka::PartitionReaderOptions reader_options;
  reader_options.topic = options.log_topic;
  reader_options.fetch_wait_max_ms = options.fetch_wait_ms;
  Result<std::unique_ptr<kafka::PartitionReader>> reader =
      kafka::PartitionReader::Create(config->Copy(), reader_options);
  if (!reader.ok()) return reader.status();
  if (Status s = (*reader)->Start(from.next_offset); !s.ok()) return s;
  return std::unique_ptr<Replicator>(new Replicator(db, std::move(options), std::move(from),
                                                    local_last, std::move(reader).value()));
}

Replicator::Replicator(Database& db, ReplicatorOptions options, TopicPlace from, Lsn local_last,
                       std::unique_ptr<kafka::PartitionReader> reader)
    : db_(db),
      options_(std::move(options)),
      fs_(options_.fs ? options_.fs : wal::FileSystem::Posix()),
      local_last_(local_last),
      reader_(std::move(reader)),
      follower_(from.position, from.next_offset,
                [this](const TopicRecord& r) {
                  if (r.lsn <= local_last_) return Status::Ok();
                  return db_.ApplyCounted(static_cast<RecordType>(r.type), Bytes(r.payload), r.lsn);
                }),
      caught_up_at_(Clock::now()),
      kept_(std::move(from)) {
  Log("replica follows " + options_.log_topic + " from offset " +
      std::to_string(kept_.next_offset) + " (counted LSN " +
      std::to_string(kept_.position.last_lsn) + ", epoch " + std::to_string(kept_.position.epoch) +
      ", local log to LSN " + std::to_string(local_last_) + ")");
  reader_thread_ = std::thread([this] { ReadLoop(); });
}

Replicator::~Replicator() {
  stopping_ = true;
  reader_thread_.join();
  KeepPlace();
  std::multimap<Lsn, Waiter> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
  }
  for (auto& [lsn, waiter] : left) waiter.done(false);
}

void Replicator::ReadLoop() {
  Clock::time_point next_watermark = Clock::now();
  Clock::time_point next_keep = Clock::now() + kKeepPlaceEvery;
  while (!stopping_) {
    Clock::time_point now = Clock::now();
    if (now >= next_keep) {
      KeepPlace();
      next_keep = now + kKeepPlaceEvery;
    }
    if (now >= next_watermark) {
      if (auto marks = reader_->Watermarks(kPollMs * 10); marks.ok()) {
        std::lock_guard lock(mu_);
        high_watermark_ = marks->high;
      }
      next_watermark = now + kWatermarkEvery;
    }
    DecideWaiters();
    if (!State().stopped.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    Result<kafka::ReadBatch> batch = reader_->Poll(kPollMs);
    if (!batch.ok()) {
      if (batch.code() == ErrorCode::kNotFound) {
        Stop(Status(ErrorCode::kNotFound,
                    batch.status().message() + ": this replica must bootstrap again"));
      } else {
        Log("reading " + options_.log_topic + ": " + batch.status().message());
        std::this_thread::sleep_for(100ms);
      }
      continue;
    }
    for (const kafka::ReadMessage& message : batch->messages) {
      Status s = follower_.Consume(message.offset, Bytes(message.value));
      if (s.code() == ErrorCode::kUnavailable) {
        Log("the local log cannot take records now (" + s.message() + "); reading again");
        std::this_thread::sleep_for(100ms);
        if (Status restart = reader_->Start(follower_.next_offset()); !restart.ok()) Stop(restart);
        break;
      }
      if (!s.ok()) {
        Stop(s);
        break;
      }
    }
    std::lock_guard lock(mu_);
    if (batch->at_end) {
      caught_up_ = true;
      caught_up_at_ = Clock::now();
    } else if (!batch->messages.empty()) {
      caught_up_ = false;
    }
  }
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
}

void Replicator::Stop(const Status& why) {
  Log("replica stops following " + options_.log_topic + ": " + why.message());
  {
    std::lock_guard lock(mu_);
    stopped_ = why.message();
  }
  DecideWaiters();
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
