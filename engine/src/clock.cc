#include "ecomm/clock.h"

#include <chrono>

namespace ecomm {

TimeMs SystemClock::NowMs() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace ecomm
