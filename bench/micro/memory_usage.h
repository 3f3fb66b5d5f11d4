#pragma once

#include <malloc.h>
#include <unistd.h>

#include <cstddef>
#include <fstream>

namespace ecomm {

// Two measures of this process's memory: bytes handed out by malloc (mallinfo2:
// exact, blind to fragmentation and to pages malloc keeps) and resident memory
// (/proc/self/statm: what the machine pays).
struct Usage {
  size_t heap = 0;
  size_t resident = 0;
};

inline Usage Measure() {
  Usage usage;
  struct mallinfo2 info = mallinfo2();
  usage.heap = info.uordblks + info.hblkhd;  // in-use arena chunks plus mmapped blocks
  std::ifstream statm("/proc/self/statm");
  size_t total_pages = 0;
  size_t resident_pages = 0;
  statm >> total_pages >> resident_pages;
  usage.resident = resident_pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return usage;
}

}  // namespace ecomm
