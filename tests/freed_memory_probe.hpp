// Test-only replacement of the global operator new/delete (freed_memory_probe.cpp): while armed,
// every block freed through operator delete is scanned for needles before it goes back to malloc,
// and the largest allocation is recorded. New blocks are zero-filled, so a hit is a real copy. Link
// it into one test executable only.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace freed_memory_probe {

inline constexpr std::size_t kMaxNeedles = 64;

// Starts scanning for needles (kept by the caller until disarm); resets the counters.
void arm(const std::vector<std::string>& needles);
// Stops scanning; returns how many freed blocks held a needle.
std::size_t disarm();
// The largest allocation since the last arm.
std::size_t largestAllocation();

}  // namespace freed_memory_probe
