#pragma once
// Byte ranges of actors and what they touch (MODEL.md section 5). A writer's memcpy covers bytes
// [off, off+len) of the file; msync and munmap take a byte range of a mapping, which covers the
// whole file from offset 0. The exploration needs only the footprint: the blocks a memcpy
// stores to, or the pages msync/munmap act on, or that the call fails or does nothing.

#include <compare>
#include <cstdint>
#include <string>

namespace dirtyrace::model {

/// An offset or a length: a number of bytes, or the name of a variable the constraints bound.
struct ByteTerm {
  std::int64_t value = 0;
  std::string symbol;  // empty: the term is `value`
  bool symbolic() const { return !symbol.empty(); }
  /// "4096" or "w".
  std::string text() const { return symbolic() ? symbol : std::to_string(value); }
  bool operator==(const ByteTerm&) const = default;
};

/// Bytes [off, off+len).
struct ByteRange {
  ByteTerm off, len;
  bool symbolic() const { return off.symbolic() || len.symbolic(); }
  bool operator==(const ByteRange&) const = default;
};

/// Offsets and lengths stay below this (a terabyte), so that sums of them fit in 64 bits.
inline constexpr std::int64_t kMaxByteValue = std::int64_t{1} << 40;

/// Page and block sizes in bytes, and the file's length in pages.
struct Geometry {
  std::int64_t page_size = 4096;
  std::int64_t block_size = 4096;
  int pages = 1;
  int blocks_per_page() const { return static_cast<int>(page_size / block_size); }
  int blocks() const { return pages * blocks_per_page(); }
  std::int64_t file_size() const { return page_size * pages; }
};

/// Which kernel rules turn a range into a footprint.
enum class RangeRule : std::uint8_t {
  memcpy,  // a store to every block of the range, in address order, once each
  msync,   // sys_msync (mm/msync.c): -EINVAL for an unaligned start; len 0 does nothing
  munmap,  // do_munmap (mm/mmap.c): -EINVAL for an unaligned start or a length of 0
};

/// What a call with a range does.
enum class RangeOutcome : std::uint8_t {
  touches,  // acts on blocks (memcpy) or pages (msync, munmap) first..last
  nothing,  // touches nothing: len 0, or (beyond_file) a range past the end of the file
  einval,   // returns -EINVAL at its first check and changes nothing
};
std::string_view to_string(RangeOutcome o);

/// An actor's footprint. `first` and `last` are blocks (p * B + b) for memcpy and pages for
/// msync and munmap; both are 0 unless the outcome is `touches`, so that equal footprints compare
/// equal.
struct Footprint {
  RangeOutcome outcome = RangeOutcome::nothing;
  int first = 0;
  int last = 0;
  auto operator<=>(const Footprint&) const = default;
};

/// The footprint of a call with bytes [off, off+len). With `beyond_file`, the part of the range
/// past the end of the file is cut off, as the kernel does: a memcpy dies of SIGSEGV at the first
/// byte past the mapping (after its stores below it), msync syncs the mapped part and returns
/// -ENOMEM, munmap unmaps the mapped part. Without it, the range must lie inside the file.
Footprint footprint(RangeRule rule, std::int64_t off, std::int64_t len, const Geometry& g);

/// How many footprints a call of `rule` can have in a file of this geometry.
std::uint64_t footprint_count(RangeRule rule, const Geometry& g);

/// "blocks b0.1-b1.0 (pages 0-1)", "pages 0-1", "nothing", "-EINVAL".
std::string describe_footprint(RangeRule rule, const Footprint& f, const Geometry& g);

/// Whether `n` is a power of two (1, 2, 4, ...).
bool is_power_of_two(std::int64_t n);

}  // namespace dirtyrace::model
