// The checks msync and munmap make on their byte range before doing anything (README, "Symbolic
// offsets"). A call that fails them or finds nothing to do is one step that changes nothing, so
// that the trace shows it returning.
//
// msync: mm/msync.c sys_msync (SYSCALL_DEFINE3(msync) since 2.6.x): `if (start & ~PAGE_MASK)`
//   (offset_in_page(start) in 4.x+) returns -EINVAL; len is rounded up to a page and
//   `if (end == start)` returns 0. Past the last VMA, find_vma() gives NULL: -ENOMEM, after
//   syncing the mapped part.
// munmap: mm/mmap.c do_munmap (do_vmi_munmap in 6.x): -EINVAL when offset_in_page(start) or when
//   PAGE_ALIGN(len) == 0; a range with no VMA in it returns 0.

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"

namespace dirtyrace::model::kernel {
namespace {

Flow returns(Exec&) {
  return Flow::next();
}

}  // namespace

const Step kMsyncEinval{.name = "-EINVAL",
                        .function = "sys_msync",
                        .source = "mm/msync.c: if (offset_in_page(start)) goto out;",
                        .what = "the start is not page-aligned: return -EINVAL, syncing nothing",
                        .apply = returns,
                        .rest = true};

const Step kMsyncNothing{
    .name = "end == start",
    .function = "sys_msync",
    .source = "mm/msync.c",
    .what =
        "the range is empty (len 0), or lies past the mapping (-ENOMEM): return without "
        "syncing anything",
    .apply = returns,
    .rest = true};

const Step kMunmapEinval{
    .name = "-EINVAL",
    .function = "do_munmap",
    .source = "mm/mmap.c: offset_in_page(start) or PAGE_ALIGN(len) == 0",
    .what = "the start is not page-aligned or the length is 0: return -EINVAL, unmapping nothing",
    .apply = returns,
    .rest = true};

const Step kMunmapNothing{.name = "find_vma",
                          .function = "do_munmap",
                          .source = "mm/mmap.c",
                          .what = "no mapping in the range (it lies past the file): return 0",
                          .apply = returns,
                          .rest = true};

}  // namespace dirtyrace::model::kernel
