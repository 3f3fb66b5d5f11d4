#pragma once

#include <string>
#include <string_view>

#include "ecomm/result.h"
#include "ecomm/wal/file.h"

namespace ecomm::wal {

// A small file written whole and replaced whole: an 8-byte magic (which stands for its
// format's version), the body, then XXH3-64 of both. Written to `<name>.tmp`,
// fdatasync'ed, renamed over `name`, the directory synced: a reader finds the old file
// or the new one, never a mix. Readers' cursors and a replica's replication position
// are such files (wal/FORMAT.md).
Status WriteCheckedFile(FileSystem* fs, const std::string& dir, const std::string& name,
                        std::string_view magic, std::string_view body);
// The body of the file at `path`; kCorruption naming the file when its size, magic or
// checksum is wrong; the file system's error when it cannot be read.
Status ReadCheckedFile(FileSystem* fs, const std::string& path, std::string_view magic,
                       std::string* body);

}  // namespace ecomm::wal
