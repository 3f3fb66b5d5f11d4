#pragma once

// One line on stderr per event an operator would want: never one per record or request.
namespace ecomm::stats {

__attribute__((format(printf, 1, 2))) void Log(const char* format, ...);

}  // namespace ecomm::stats
