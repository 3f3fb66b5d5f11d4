#pragma once

#include <cstdio>
#include <string>

#include "support/engine_fixture.h"

namespace ecomm::testing {

// A user "u" with 10 000 and two products: p at 250, q at 40, ten of each.
struct Shop : EngineFixture {
  Shop() {
    AddUser("u", 10'000);
    AddProduct("p", 250, 10);
    AddProduct("q", 40, 10);
  }
};

// "p000", "p001", ...: ids whose byte order is their numeric order.
inline std::string NumberedId(const char* prefix, int i) {
  char id[16];
  std::snprintf(id, sizeof id, "%s%03d", prefix, i);
  return id;
}

}  // namespace ecomm::testing
