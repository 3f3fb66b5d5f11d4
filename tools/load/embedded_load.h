#pragma once

#include <memory>

#include "embedded_shop.h"
#include "load_options.h"
#include "run_stats.h"
#include "workload.h"

namespace ecomm::load {

// Drives the mix against the engine in this process: one thread per --connections,
// each a virtual user calling the engine and waiting for durability as a server
// thread would. Closed loop, or open loop with each thread sending on its own fixed
// schedule of rate/connections and measuring from the intended send time.
std::unique_ptr<RunStats> RunEmbedded(const LoadOptions& options, const Population& population,
                                      Ledger* ledger, EmbeddedShop* shop);

}  // namespace ecomm::load
