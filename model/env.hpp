#pragma once
// A scenario compiled for stepping: dimensions, each actor's static facts and program.

#include <array>
#include <string>
#include <vector>

#include "model/program.hpp"
#include "model/scenario.hpp"
#include "model/state.hpp"
#include "model/variant.hpp"

namespace dirtyrace::model {

struct ActorEnv {
  ActorKind kind;
  std::string name;
  int mapping = 0;
  int first_page = 0, last_page = 0;  // pages the actor walks (msync PTEs, munmap, reclaim, ...)
  int wb_first = 0, wb_last = 0;      // pages its writeback loop and wait cover
  bool sync_all = false;              // wbc->sync_mode == WB_SYNC_ALL
  bool trylock_buffers = false;       // ->writepage uses trylock_buffer (WB_SYNC_NONE, nonblocking)
  bool skips_clean_mapping = false;   // 6.x filemap_fdatawrite_wbc: nothing tagged, nothing to do
  bool records_call = false;          // msync/fsync: remembers the versions at the call (ghost)
  int file = -1;                      // msync/fsync: the open file it calls on (State::f_wb_err)
  std::vector<int> targets;           // writer: blocks stored to, cycled
  int stores = 0;                     // writer: stores in all
  /// Writer: stores_before[k][g] = stores to block g among its first k stores.
  std::vector<std::array<std::uint8_t, kMaxBlocks>> stores_before;
  Program program;
};

struct Env {
  const Variant* variant = nullptr;
  int pages = 1, blocks_per_page = 1, mappings = 1;
  int actors = 0;  // scenario actors; slot `actors` is the final fsync of durable_at_end
  bool stable_writes = false;
  int io_errors = 0;            // block writes the device may still fail at the start
  int files = 0;                // open files of the msync and fsync actors
  bool holes = false;           // some block starts as a hole (--holes, ext4)
  std::vector<ActorEnv> actor;  // actors + 1 entries
  std::array<std::uint8_t, kMaxBlocks> max_version{};  // stores to each block in all

  int blocks() const { return pages * blocks_per_page; }
  int block(int p, int b) const { return p * blocks_per_page + b; }
  std::uint8_t page_mask(int first, int last) const {
    return static_cast<std::uint8_t>(((1u << (last + 1)) - 1) & ~((1u << first) - 1));
  }
  const ActorEnv& of(int self) const { return actor[static_cast<std::size_t>(self)]; }
};

}  // namespace dirtyrace::model
