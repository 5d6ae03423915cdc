#include "model/byte_range.hpp"

#include <algorithm>

namespace dirtyrace::model {

std::string_view to_string(RangeOutcome o) {
  switch (o) {
    case RangeOutcome::touches:
      return "touches";
    case RangeOutcome::nothing:
      return "nothing";
    case RangeOutcome::einval:
      return "einval";
  }
  return "?";
}

bool is_power_of_two(std::int64_t n) {
  return n > 0 && (n & (n - 1)) == 0;
}

Footprint footprint(RangeRule rule, std::int64_t off, std::int64_t len, const Geometry& g) {
  // mm/msync.c (2.6.18 to 6.x): `if (start & ~PAGE_MASK) goto out;` (offset_in_page() since
  // 4.x) with error = -EINVAL, then `len = (len + ~PAGE_MASK) & PAGE_MASK` and `if (end == start)
  // goto out` with error = 0. mm/mmap.c do_munmap (do_vmi_munmap in 6.x): -EINVAL when
  // offset_in_page(start), and -EINVAL when PAGE_ALIGN(len) == 0.
  if (rule != RangeRule::memcpy && off % g.page_size != 0) return {RangeOutcome::einval, 0, 0};
  if (rule == RangeRule::munmap && len == 0) return {RangeOutcome::einval, 0, 0};
  const std::int64_t end = std::min(off + len, g.file_size());
  if (end <= off) return {RangeOutcome::nothing, 0, 0};
  // msync and munmap round len up to a page; from an aligned start that ends in the same page.
  const std::int64_t unit = rule == RangeRule::memcpy ? g.block_size : g.page_size;
  return {RangeOutcome::touches, static_cast<int>(off / unit), static_cast<int>((end - 1) / unit)};
}

std::uint64_t footprint_count(RangeRule rule, const Geometry& g) {
  const auto n = static_cast<std::uint64_t>(rule == RangeRule::memcpy ? g.blocks() : g.pages);
  const std::uint64_t intervals = n * (n + 1) / 2;
  return intervals + (rule == RangeRule::memcpy ? 1 : 2);  // nothing; and einval for syscalls
}

std::string describe_footprint(RangeRule rule, const Footprint& f, const Geometry& g) {
  switch (f.outcome) {
    case RangeOutcome::einval:
      return "-EINVAL";
    case RangeOutcome::nothing:
      return "nothing";
    case RangeOutcome::touches:
      break;
  }
  const auto span = [](const std::string& what, const std::string& a, const std::string& b) {
    return what + " " + (a == b ? a : a + "-" + b);
  };
  if (rule != RangeRule::memcpy) {
    return span(f.first == f.last ? "page" : "pages", std::to_string(f.first),
                std::to_string(f.last));
  }
  const int B = g.blocks_per_page();
  const auto block = [B](int b) {
    return "b" + std::to_string(b / B) + "." + std::to_string(b % B);
  };
  return span(f.first == f.last ? "block" : "blocks", block(f.first), block(f.last)) + " (" +
         span(f.first / B == f.last / B ? "page" : "pages", std::to_string(f.first / B),
              std::to_string(f.last / B)) +
         ")";
}

}  // namespace dirtyrace::model
