#pragma once

#include <chrono>
#include <string>

namespace ecomm::wal {

// Waits for something to change in a directory of the real file system: a file created
// or renamed into it, or one of its files written (inotify). A reader of a log that
// another process appends to sleeps here instead of polling the disk. Without inotify
// (or while the directory does not exist) it sleeps for the whole timeout.
class DirWatch {
 public:
  explicit DirWatch(std::string dir);
  ~DirWatch();
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;

  // Returns once the directory may have changed since the last call (or since the
  // watch began), or after `timeout`. Spurious returns are possible.
  void Wait(std::chrono::milliseconds timeout);

 private:
  bool AddWatch();
  void Drain();

  std::string dir_;
  int fd_ = -1;     // the inotify instance; -1 when inotify is unavailable
  int watch_ = -1;  // the watch on dir_; -1 until it could be added
};

}  // namespace ecomm::wal
