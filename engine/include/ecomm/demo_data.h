#pragma once

#include "ecomm/engine.h"
#include "ecomm/result.h"

namespace ecomm::demo {

// Loads a small catalogue and three users with balances into an empty engine, so a
// newcomer has something to order, and returns once all of it is durable. Fixed ids
// (alice, bob, carol; p-keyboard, ...) make the README's examples copy-pasteable.
Status LoadDemoData(Engine& engine);

}  // namespace ecomm::demo
