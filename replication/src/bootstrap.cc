#include "ecomm/replication/bootstrap.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/database.h"
#include "ecomm/replication/log_message.h"
#include "ecomm/replication/position_file.h"
#include "ecomm/wal/checked_file.h"
#include "ecomm/wal/data_dir.h"
#include "ecomm/wal/snapshot_file.h"
#include "ecomm/wal/wal_reader.h"
#include "ecomm/wal/wal_tailer.h"
#include "kafka/kafka_config.h"
#include "kafka/partition_reader.h"

namespace ecomm::replication {

namespace {

using namespace std::chrono_literals;

constexpr int kKafkaTimeoutMs = 10'000;
constexpr char kFetchedName[] = "bootstrap.tmp";  // a stale .tmp is removed at open
constexpr char kUnfinishedName[] = "bootstrapping";
constexpr std::string_view kUnfinishedMagic = "ECOMMBS1";

// Whether the data directory holds a snapshot or a log record. One that cannot be read
// counts as state: it is never replaced unasked.
bool HasLocalState(wal::FileSystem* fs, const wal::DataDir& dirs) {
  std::vector<wal::SnapshotInfo> snapshots;
  if (!wal::ListSnapshots(fs, dirs.snapshots, &snapshots).ok() || !snapshots.empty()) return true;
  std::vector<wal::SegmentInfo> segments;
  if (!wal::ListSegments(fs, dirs.wal, &segments).ok()) return true;
  if (segments.empty()) return false;
  wal::WalTailer tailer(fs, dirs.wal, 0);
  std::vector<wal::TailedRecord> records;
  return !tailer.Next(1, &records).ok() || !records.empty();
}

// The epoch records of the topic's offsets [from, to), in topic order.
Result<std::vector<EpochRecord>> EpochRecordsIn(kafka::PartitionReader& reader,
                                                const std::string& topic, int64_t from,
                                                int64_t to) {
  if (Status s = reader.Start(from); !s.ok()) return s;
  std::vector<EpochRecord> found;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kKafkaTimeoutMs);
  while (reader.next_offset() < to) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(ErrorCode::kUnavailable, "reading " + topic + " timed out");
    }
    Result<kafka::ReadBatch> batch = reader.Poll(100);
    if (!batch.ok()) {
      if (batch.code() == ErrorCode::kUnavailable) continue;
      return batch.status();
    }
    for (const kafka::ReadMessage& message : batch->messages) {
      if (message.offset >= to) break;
      auto records = DecodeMessage(AsBytes(message.value));
      if (!records.ok() || records->size() != 1 || !records->front().is_epoch()) continue;
      if (Result<EpochRecord> epoch = ReadEpochRecord(records->front()); epoch.ok()) {
        found.push_back(std::move(epoch).value());
      }
    }
  }
  return found;
}

// A replica the topic names: the promoter of the highest epoch in the newest stretch of
// the topic that holds an epoch record, looked for backwards in growing stretches (a
// topic may hold far more than can be read at a start).
Result<std::string> PrimaryFromTopic(kafka::PartitionReader& reader, const std::string& topic,
                                     kafka::WatermarkOffsets marks) {
  for (int64_t window = 1024, to = marks.high; to > marks.low; window *= 8) {
    int64_t from = std::max(marks.low, to - window);
    Result<std::vector<EpochRecord>> epochs = EpochRecordsIn(reader, topic, from, to);
    if (!epochs.ok()) return epochs.status();
    if (!epochs->empty()) {
      return std::max_element(
                 epochs->begin(), epochs->end(),
                 [](const EpochRecord& a, const EpochRecord& b) { return a.epoch < b.epoch; })
          ->primary_url;
    }
    to = from;
  }
  return Status(ErrorCode::kInvalidArgument,
                "the log topic " + topic + " (offsets " + std::to_string(marks.low) + ".." +
                    std::to_string(marks.high) +
                    ") holds no epoch record naming a replica: give --bootstrap-from URL");
}

// An empty replica can follow a topic from its first offset only if its first epoch
// starts from nothing: one whose promoter had a log (its base LSN) needs its snapshot.
Result<Lsn> FirstEpochBase(kafka::PartitionReader& reader, const std::string& topic,
                           kafka::WatermarkOffsets marks) {
  if (marks.low != 0 || marks.high == 0) return Lsn{0};
  Result<std::vector<EpochRecord>> first = EpochRecordsIn(reader, topic, 0, 1);
  if (!first.ok()) return first.status();
  return first->empty() ? Lsn{0} : first->front().base_lsn;
}

// Fetches `url`'s snapshot into the snapshots directory as kFetchedName, synced.
Status Fetch(const BootstrapOptions& options, wal::FileSystem* fs, const wal::DataDir& dirs,
             const std::string& url, Lsn after) {
  for (const std::string& dir : {options.data_dir, dirs.snapshots}) {
    if (Status s = fs->CreateDir(dir); !s.ok()) return s;
  }
  std::unique_ptr<wal::WritableFile> file;
  if (Status s = fs->NewWritableFile(wal::JoinPath(dirs.snapshots, kFetchedName), &file); !s.ok()) {
    return s;
  }
  Status written;
  Status fetched = options.fetch(url, after, [&](std::string_view piece) {
    if (options.stop_requested && options.stop_requested()) return false;
    written = file->Append(AsBytes(piece));
    return written.ok();
  });
  if (!written.ok()) return written;
  if (!fetched.ok()) return fetched;
  if (Status s = file->Sync(); !s.ok()) return s;
  return file->Close();
}

// Removes every file of `dir` that `remove` picks, then syncs the directory.
Status RemoveFiles(wal::FileSystem* fs, const std::string& dir,
                   const std::function<bool(const std::string&)>& remove) {
  std::vector<std::string> names;
  if (Status s = fs->ListDir(dir, &names); !s.ok()) {
    return s.code() == ErrorCode::kFileNotFound ? Status::Ok() : s;
  }
  bool removed = false;
  for (const std::string& name : names) {
    if (!remove(name)) continue;
    if (Status s = fs->Remove(wal::JoinPath(dir, name)); !s.ok()) return s;
    removed = true;
  }
  return removed ? fs->SyncDir(dir) : Status::Ok();
}

// Replaces the local state by the fetched snapshot at `lsn`. A marker says it is under
// way until the fetched file has its name: a crash at any step before leaves a
// directory that BootstrapIfNeeded replaces again, whatever was removed by then.
Status Install(wal::FileSystem* fs, const wal::DataDir& dirs, Lsn lsn) {
  if (Status s = fs->CreateDir(dirs.replication); !s.ok()) return s;
  if (Status s = wal::WriteCheckedFile(fs, dirs.replication, kUnfinishedName, kUnfinishedMagic, "");
      !s.ok()) {
    return s;
  }
  auto keep = [](std::string_view kept) {
    return [kept](const std::string& name) { return name != kept; };
  };
  for (const auto& [dir, remove] :
       std::vector<std::pair<std::string, std::function<bool(const std::string&)>>>{
           {dirs.replication, keep(kUnfinishedName)},
           {dirs.cursors, [](const std::string& name) { return name == wal::kReplicationCursor; }},
           {dirs.snapshots, keep(kFetchedName)},
           {dirs.wal, [](const std::string&) { return true; }}}) {
    if (Status s = RemoveFiles(fs, dir, remove); !s.ok()) return s;
  }
  if (Status s = fs->Rename(wal::JoinPath(dirs.snapshots, kFetchedName),
                            wal::JoinPath(dirs.snapshots, wal::SnapshotFileName(lsn)));
      !s.ok()) {
    return s;
  }
  if (Status s = fs->SyncDir(dirs.snapshots); !s.ok()) return s;
  if (Status s = fs->Remove(wal::JoinPath(dirs.replication, kUnfinishedName)); !s.ok()) return s;
  return fs->SyncDir(dirs.replication);
}

bool Unfinished(wal::FileSystem* fs, const wal::DataDir& dirs) {
  std::string body;
  return wal::ReadCheckedFile(fs, wal::JoinPath(dirs.replication, kUnfinishedName),
                              kUnfinishedMagic, &body)
             .code() != ErrorCode::kFileNotFound;
}

}  // namespace

Status BootstrapIfNeeded(const BootstrapOptions& options) {
  wal::FileSystem* fs = options.fs ? options.fs : wal::FileSystem::Posix();
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  const wal::DataDir dirs(options.data_dir);
  Result<kafka::KafkaConfig> config =
      kafka::KafkaConfig::Build(options.brokers, options.kafka_config);
  if (!config.ok()) return config.status();
  kafka::PartitionReaderOptions reader_options;
  reader_options.topic = options.log_topic;
  auto reader = kafka::PartitionReader::Create(config->Copy(), reader_options);
  if (!reader.ok()) return reader.status();
  Result<kafka::WatermarkOffsets> marks = (*reader)->Watermarks(kKafkaTimeoutMs);
  if (!marks.ok()) return marks.status();

  Result<TopicPlace> kept = ReadPlace(fs, options.data_dir);
  std::string why;
  if (Unfinished(fs, dirs)) {
    why = "a bootstrap did not finish";
  } else if (kept.ok() && kept->next_offset < marks->low) {
    why = "its place (offset " + std::to_string(kept->next_offset) +
          ") is no longer in the topic (oldest offset " + std::to_string(marks->low) + ")";
  } else if (!kept.ok() && !HasLocalState(fs, dirs)) {
    Result<Lsn> base = FirstEpochBase(**reader, options.log_topic, *marks);
    if (!base.ok()) return base.status();
    if (marks->low > 0) {
      why = "its data directory is empty, and the topic no longer starts at offset 0";
    } else if (*base > 0) {
      why =
          "its data directory is empty, and the topic's first epoch continues its "
          "promoter's log after LSN " +
          std::to_string(*base);
    } else if (!options.bootstrap_from.empty()) {
      why = "its data directory is empty";
    } else {
      return Status::Ok();  // a new cluster's topic: followed from its first offset
    }
  } else {
    return Status::Ok();
  }
  std::string url = options.bootstrap_from;
  if (url.empty()) {
    Result<std::string> primary = PrimaryFromTopic(**reader, options.log_topic, *marks);
    if (primary.ok()) {
      url = std::move(primary).value();
    } else if (primary.code() == ErrorCode::kInvalidArgument && kept.ok() &&
               !kept->position.primary_url.empty()) {
      url = kept->position.primary_url;  // the primary it knew: any replica serves one
    } else {
      return primary.status();
    }
  }
  if (url == options.self_url) {
    return Status(ErrorCode::kInvalidArgument,
                  "this replica must bootstrap (" + why +
                      "), and the only peer it knows of is itself: give --bootstrap-from URL");
  }
  log("bootstrapping from " + url + "'s snapshot: " + why);

  const auto deadline = std::chrono::steady_clock::now() + options.patience;
  Lsn after = 0;  // a snapshot too old for the topic: ask for a newer one
  while (true) {
    Status s = Fetch(options, fs, dirs, url, after);
    std::optional<SnapshotFileAnnex> got;
    if (s.ok()) {
      Result<SnapshotFileAnnex> read =
          ReadSnapshotAnnex(fs, wal::JoinPath(dirs.snapshots, kFetchedName));
      s = read.ok() ? Status::Ok() : Status(ErrorCode::kUnavailable, read.status().message());
      if (read.ok()) got = std::move(read).value();
    }
    if (got && !got->annex) {
      return Status(ErrorCode::kInvalidArgument,
                    url + "'s snapshot carries no replication place: is it a replica of " +
                        options.log_topic + "?");
    }
    if (got) {
      Result<TopicPlace> place = DecodePlace(*got->annex, "in " + url + "'s snapshot");
      if (!place.ok()) return place.status();
      if (place->position.last_lsn != got->lsn || place->next_offset > marks->high) {
        return Status::Corruption(
            url + "'s snapshot at LSN " + std::to_string(got->lsn) + " stores a place (LSN " +
            std::to_string(place->position.last_lsn) + ", offset " +
            std::to_string(place->next_offset) + ") that does not fit it or " + options.log_topic);
      }
      if (place->next_offset >= marks->low) {
        if (Status installed = Install(fs, dirs, got->lsn); !installed.ok()) return installed;
        log("bootstrapped: snapshot at LSN " + std::to_string(got->lsn) + " (epoch " +
            std::to_string(place->position.epoch) + "), reading on from offset " +
            std::to_string(place->next_offset));
        return Status::Ok();
      }
      after = got->lsn;
      s = Status(ErrorCode::kUnavailable,
                 "its snapshot (LSN " + std::to_string(got->lsn) + ") reads on from offset " +
                     std::to_string(place->next_offset) + ", before the topic's oldest " +
                     std::to_string(marks->low));
    }
    if (s.code() != ErrorCode::kUnavailable) return s;
    if (options.stop_requested && options.stop_requested()) {
      return Status(ErrorCode::kUnavailable, "asked to stop");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(ErrorCode::kUnavailable, "no snapshot from " + url + ": " + s.message());
    }
    log("no snapshot from " + url + " yet (" + s.message() + "); asking again");
    std::this_thread::sleep_for(1s);
    if (Result<kafka::WatermarkOffsets> now = (*reader)->Watermarks(kKafkaTimeoutMs); now.ok()) {
      marks = now;
    }
  }
}

}  // namespace ecomm::replication
