#pragma once

#include <pthread.h>

#include <cassert>

namespace ecomm {

// A shared/exclusive lock (StateGate): every call holds it shared while it uses the
// state; a snapshot holds it exclusively for the instant it fixes its LSN, so no
// mutation is half-way at that LSN. Writer-preferring, so a stream of calls cannot
// starve the snapshot (glibc's default rwlock prefers readers). Not recursive: a call
// that holds it must not enter the engine again.
class CommitGate {
 public:
  CommitGate() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int rc = pthread_rwlock_init(&lock_, &attr);
    assert(rc == 0);
    (void)rc;
    pthread_rwlockattr_destroy(&attr);
  }
  ~CommitGate() { pthread_rwlock_destroy(&lock_); }
  CommitGate(const CommitGate&) = delete;
  CommitGate& operator=(const CommitGate&) = delete;

  // Names follow the SharedMutex requirements, so std::shared_lock works.
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }
  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace ecomm
