#pragma once

#include <cstdint>
#include <span>

namespace ecomm {

// Bytes from the kernel's CSPRNG (getrandom(2)): unpredictable even to someone who has
// seen every earlier output, unlike a fast PRNG whose output reveals its state. Drawn
// through a per-thread pool, so a 16-byte id costs a copy, not a system call. Aborts
// the process if the kernel cannot supply randomness.
void SecureRandom(std::span<uint8_t> out);

// A random value fixed for the life of the process: the seed of the hash tables keyed
// by client-chosen strings, so that no client can choose keys that collide.
uint64_t HashSeed();

}  // namespace ecomm
