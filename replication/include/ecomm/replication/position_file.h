#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ecomm/replication/counting_rule.h"
#include "ecomm/result.h"
#include "ecomm/wal/file.h"

// Where a replica's reading of the log topic stands, kept beside its data directory
// (`<data-dir>/replication/position`, a checked file, wal/FORMAT.md): the counted
// position and the topic offset to read from next. It is written only once the local
// log holds every record up to position.last_lsn durably, so a restart that resumes
// there misses nothing.
namespace ecomm::replication {

// The file's body: also what a replica's snapshots store as their annex (the place a
// peer loading the snapshot reads on from). DecodePlace names `what` when it is bad.
std::string EncodePlace(const TopicPlace& place);
Result<TopicPlace> DecodePlace(std::string_view body, const std::string& what);

Status WritePlace(wal::FileSystem* fs, const std::string& data_dir, const TopicPlace& place);
// kFileNotFound when the replica has none yet; kCorruption when it does not verify.
Result<TopicPlace> ReadPlace(wal::FileSystem* fs, const std::string& data_dir);

}  // namespace ecomm::replication
