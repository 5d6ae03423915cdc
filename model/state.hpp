#pragma once
// The state of one file's page cache, its mappings, its buffers and the actors working on it
// (MODEL.md section 1). A plain value: every field is a small unsigned number so that the packer
// can store it in a few bits; fields a scenario does not use stay zero.

#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace dirtyrace::model {

inline constexpr int kMaxPages = 4;
inline constexpr int kMaxBlocksPerPage = 4;
inline constexpr int kMaxBlocks = kMaxPages * kMaxBlocksPerPage;
inline constexpr int kMaxMappings = 3;
inline constexpr int kMaxActors = 8;
/// Actor slots: the scenario's actors plus one for the final fsync of `durable_at_end`.
inline constexpr int kActorSlots = kMaxActors + 1;
/// Open files (struct file) that msync and fsync actors call through: one per process that
/// msyncs through its mapping, one per fsync unless fsyncs share one.
inline constexpr int kMaxFiles = kMaxActors;

/// One page of the file (struct page / folio) and its page-cache tags.
struct Page {
  std::uint8_t cached;         // in the page cache (mapping->i_pages)
  std::uint8_t locked_by;      // PG_locked: 0 when unlocked, else the holder's actor index + 1
  std::uint8_t dirty;          // PG_dirty
  std::uint8_t writeback;      // PG_writeback
  std::uint8_t tag_dirty;      // PAGECACHE_TAG_DIRTY
  std::uint8_t tag_writeback;  // PAGECACHE_TAG_WRITEBACK
  std::uint8_t tag_towrite;    // PAGECACHE_TAG_TOWRITE (2.6.35 and later)
  std::uint8_t error;  // PG_error: a write of the page failed (before 4.13: fsync reports it)
  bool operator==(const Page&) const = default;
};

/// Where a block's write I/O stands.
enum IoPhase : std::uint8_t {
  kIoIdle = 0,
  kIoSubmitted = 1,  // submit_bh done, the device has not read the buffer yet
  kIoCaptured = 2,   // the device holds `io_version` and will write it
};

/// Whether a block of the file has a block on disk (ext4 with delayed allocation, --holes).
enum BlockAlloc : std::uint8_t {
  kAllocMapped = 0,   // allocated: the buffer maps a disk block (every block of other filesystems)
  kAllocHole = 1,     // a hole: no disk block and no reservation
  kAllocDelayed = 2,  // BH_Delay: reserved by ext4_da_get_block_prep, allocated by writeback
};

/// One block (buffer_head) of a page, with the data versions in memory, in flight and on disk.
struct Block {
  std::uint8_t dirty;        // BH_Dirty
  std::uint8_t locked;       // BH_Lock, held from the pick for I/O to the I/O's completion
  std::uint8_t async_write;  // BH_Async_Write: the I/O is page writeback (ends PG_writeback)
  std::uint8_t io;           // IoPhase
  std::uint8_t io_version;   // version the device captured (kIoCaptured)
  std::uint8_t mem;          // version in the page; after the page is dropped, the one it held
  std::uint8_t disk;         // version on disk
  /// Which failed write (1 for the first, ...) last left the disk behind memory (ghost); 0 none.
  std::uint8_t ghost_lost;
  /// BlockAlloc. A hole's disk version is 0, the zeroes a read of it returns; the state is the
  /// extent tree's and the buffer's together, so it outlives the page in the cache.
  std::uint8_t alloc;
  bool operator==(const Block&) const = default;
};

/// PTE bits of one mapping for one page.
enum PteBits : std::uint8_t { kPtePresent = 1, kPteWrite = 2, kPteDirty = 4 };

/// A CPU's cached translation of one page of its process's mapping (research note 5.1). A
/// read-only entry behaves as no entry for a store (the store walks the PTE, or faults), so the
/// model never caches one: kTlbNone stands for both.
enum TlbEntry : std::uint8_t {
  kTlbNone = 0,
  kTlbReadOnly = 1,    // not produced (see above); kept so that the encoding is the kernel's four
  kTlbWrite = 2,       // writable, dirty bit clear: a store walks to set PTE.D (or faults)
  kTlbWriteDirty = 3,  // writable and dirty: a store writes memory and touches no PTE
};

/// Program counter and the kernel locals an actor carries between its steps.
struct Actor {
  std::uint8_t pc;          // index into the actor's program; the program's size means finished
  std::uint8_t page;        // page the current routine works on
  std::uint8_t cursor;      // mapping, buffer or block of a one-per-step loop
  std::uint8_t cleaned;     // page_mkclean found a dirty or writable PTE
  std::uint8_t index;       // next page index a tag lookup starts from (0: the range's start)
  std::uint8_t pagevec;     // pages of the last tag lookup still to visit (bit per page)
  std::uint8_t refs;        // pages this actor holds a reference on (bit per page)
  std::uint8_t picked;      // buffers of `page` marked for async write (bit per buffer)
  std::uint8_t stores;      // stores done (writer)
  std::uint8_t orig_pte;    // the PTE as the fault first read it (pte_same)
  std::uint8_t underway;    // __block_write_full_page: nr_underway != 0
  std::uint8_t wait_index;  // filemap_fdatawait: next page index of its lookup
  /// munmap: it returned while a PTE of its mapping and range was present; mprotect: it returned
  /// while a writable translation (PTE or TLB entry) of its mapping and range was left (ghost).
  std::uint8_t ghost_left_mapped;
  /// Reclaim's tlb_ubc (4.3+): bit m, the CPUs of mapping m's process need the deferred flush;
  /// kUbcWritable, a deferred PTE was dirty (tlb_ubc->writable).
  std::uint8_t ubc;
  /// msync/fsync: the version of each block in memory when the call was made (ghost).
  std::array<std::uint8_t, kMaxBlocks> ghost_called;
  std::uint8_t err;  // msync/fsync: the call will return -EIO (its `ret`/`err`)
  bool operator==(const Actor&) const = default;
};

inline constexpr std::uint8_t kUbcWritable = 1u << kMaxMappings;

/// Which kernel BUG_ON fired first (ghost); kBugNone while none has.
enum BugOn : std::uint8_t {
  kBugNone = 0,
  kBugWritebackTwice,    // set_page_writeback on a page already under writeback
  kBugCleanUnlocked,     // clear_page_dirty_for_io without the page lock
  kBugUnlockNotHeld,     // unlock_page of a page the actor does not hold
  kBugEndWritebackIdle,  // end_page_writeback on a page not under writeback
  kBugPageFreed,         // set_page_dirty on a page already freed from the cache (use after free)
};

struct State {
  std::array<Page, kMaxPages> page;
  std::array<Block, kMaxBlocks> block;  // block b of page p is block[p * B + b]
  std::array<std::array<std::uint8_t, kMaxPages>, kMaxMappings> pte;  // PteBits
  /// Rmap visibility: mapping m counts in page p's map count (page_add_file_rmap at the fault,
  /// page_remove_rmap at zap or unmap). A page is mapped once per mapping at most, so the map
  /// count is the number of mappings with this bit set; page_mapped() reads it.
  std::array<std::array<std::uint8_t, kMaxPages>, kMaxMappings> rmap;
  /// The PTE lock of mapping m when held across steps (zap_pte_range): holder's actor index + 1.
  /// Steps that take ptl inside one atomic step only wait for it to be free.
  std::array<std::uint8_t, kMaxMappings> ptl;
  /// Per CPU: a writer actor is a thread on its own CPU; tlb[a][p] is TlbEntry for page p of
  /// actor a's mapping. Writers with the same mapping are threads of one process.
  std::array<std::array<std::uint8_t, kMaxPages>, kMaxActors> tlb;
  /// mm->tlb_flush_batched of mapping m's process: reclaim left a deferred flush pending.
  std::array<std::uint8_t, kMaxMappings> tlb_batched;
  /// The VMA of mapping m: bit p set when page p lost VM_WRITE (mprotect(PROT_READ)).
  std::array<std::uint8_t, kMaxMappings> vma_ro;
  /// mmap_sem of mapping m's process, held for write (mprotect): holder's actor index + 1.
  std::array<std::uint8_t, kMaxMappings> mmap_sem;
  /// Write errors (--io-errors): before 4.13, AS_EIO in mapping->flags; from 4.13,
  /// mapping->wb_err (errseq_t), here 2 * counter + SEEN, where counter 0 means no error yet.
  std::uint8_t as_eio;
  std::uint8_t wb_err;
  /// file->f_wb_err of each open file: the wb_err it last saw (errseq_check_and_advance).
  std::array<std::uint8_t, kMaxFiles> f_wb_err;
  /// How many failed writes had happened when an msync or fsync of each file last returned
  /// -EIO (ghost): the failures reported to that file.
  std::array<std::uint8_t, kMaxFiles> ghost_reported;
  std::uint8_t ghost_io_failures;         // block writes the device failed so far
  std::uint8_t nr_dirty;                  // NR_FILE_DIRTY
  std::uint8_t ghost_nr_dirty_underflow;  // nr_dirty was decremented below zero
  std::uint8_t ghost_bug;                 // BugOn
  std::uint8_t ghost_unstable_store;      // a store reached a block under write I/O
  std::array<Actor, kActorSlots> actor;

  bool operator==(const State&) const = default;
};

static_assert(std::is_trivially_copyable_v<State>);
static_assert(std::has_unique_object_representations_v<State>);

/// Whether two states, or two of their parts, hold the same bytes: they have no padding, so this
/// is operator==, in one memcmp where the member-wise compare under the sanitizers takes a
/// checked load per field (the self-checks compare every successor).
template <class T>
bool same_bytes(const T& a, const T& b) {
  static_assert(std::has_unique_object_representations_v<T>);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace dirtyrace::model
