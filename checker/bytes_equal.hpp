#pragma once
// Comparing the few bytes of a packed state or half inline: a memcmp call costs more than the
// comparison at these lengths.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace dirtyrace::checker {

inline std::uint64_t load_u64(const std::byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// Whether the `n` bytes at `a` and `b` are equal.
inline bool bytes_equal(const std::byte* a, const std::byte* b, std::size_t n) {
  if (n < 4) return std::memcmp(a, b, n) == 0;
  if (n < 8) {
    // Two 4-byte words, the second ending with the bytes.
    std::uint32_t x[2], y[2];
    std::memcpy(&x[0], a, 4);
    std::memcpy(&x[1], a + n - 4, 4);
    std::memcpy(&y[0], b, 4);
    std::memcpy(&y[1], b + n - 4, 4);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
  }
  // Word by word, the last word ending with the bytes (overlapping the one before).
  std::uint64_t diff = load_u64(a + n - 8) ^ load_u64(b + n - 8);
  for (std::size_t i = 0; i + 8 < n; i += 8) diff |= load_u64(a + i) ^ load_u64(b + i);
  return diff == 0;
}

}  // namespace dirtyrace::checker
