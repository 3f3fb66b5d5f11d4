#pragma once

#include <mutex>
#include <string>
#include <utility>

namespace ecomm::stats {

// The answers of GET /top and GET /healthz, written by the consumer thread after each
// batch and read by the HTTP thread: the window itself is never shared, so it needs
// no lock, and a reader never sees half a batch.
class StatsBoard {
 public:
  struct Answers {
    std::string top = "[]";
    std::string health;
  };

  void Publish(Answers answers) {
    std::lock_guard lock(mu_);
    answers_ = std::move(answers);
  }
  Answers Read() const {
    std::lock_guard lock(mu_);
    return answers_;
  }

 private:
  mutable std::mutex mu_;
  Answers answers_;
};

}  // namespace ecomm::stats
