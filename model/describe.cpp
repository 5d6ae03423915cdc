// How states and transitions read in traces: kernel names, one variable per flag.

#include <stdexcept>
#include <string>

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "model/model.hpp"

namespace dirtyrace::model {

using namespace kernel;

std::string TransitionInfo::name() const {
  std::string out = std::string(step->function) + ": ";
  out += outcome.empty() ? step->name : outcome;
  if (block >= 0) out += " (block " + std::to_string(block) + ")";
  return out;
}

namespace {

/// What an actor at Program::spinning() does: no kernel step, the same loop forever.
const Step kSpinning{
    .name = "spin",
    .function = "(a loop that takes no step)",
    .source = "an edited routine",
    .what =
        "every step of the loop the actor is in is passed over, so it goes round forever "
        "without changing anything"};

}  // namespace

TransitionInfo Model::describe(Transition t) const {
  if (t.actor == Transition::kDevice) {
    if (t.block >= env_.blocks() || t.pc > Transition::kDeviceFailed) {
      throw std::out_of_range("no such device transition");
    }
    // ext4 completes its page writes in its own bio end_io, not through buffer heads.
    const bool ext4 = scenario_.fs == Filesystem::ext4;
    const Step* step = t.pc == 0   ? &kDeviceCapture
                       : t.pc == 1 ? (ext4 ? &kExt4EndBio : &kEndBufferAsyncWrite)
                       : t.pc == Transition::kDeviceFailed
                           ? (ext4 ? &kExt4EndBioError : &kEndBufferAsyncWriteError)
                           : &kEndBufferWriteSync;
    return {"disk", step, "device", {}, t.block};
  }
  if (t.actor >= env_.actors) throw std::out_of_range("no such actor");
  const Program& prog = env_.of(t.actor).program;
  if (t.pc == prog.spinning()) return {env_.of(t.actor).name, &kSpinning, "", "", -1};
  if (t.pc >= prog.size()) throw std::out_of_range("no such step");
  const FlatStep& f = prog[t.pc];
  const std::string_view outcome = f.step->choices() > 1 ? f.step->outcomes[t.choice] : "";
  return {env_.of(t.actor).name, f.step, f.routine, outcome, -1};
}

std::string Model::position(const State& s, int a) const {
  const std::uint8_t pc = s.actor[static_cast<std::size_t>(a)].pc;
  const Program& prog = env_.of(a).program;
  if (pc == prog.done()) return "done";
  if (pc == prog.spinning()) return "spinning (a loop that takes no step)";
  return std::string(prog[pc].step->function) + ": " + std::string(prog[pc].step->name);
}

namespace {

std::string flag(std::uint8_t v) {
  return v ? "1" : "0";
}

std::string pte_text(std::uint8_t pte) {
  if (!(pte & kPtePresent)) return "none";
  std::string out = pte & kPteWrite ? "rw" : "ro";
  if (pte & kPteDirty) out += ",dirty";
  return out;
}

std::string version(std::uint8_t v) {
  return "v" + std::to_string(v);
}

/// An errseq_t value: "0" before any error, else "#counter" and ",seen" once reported.
std::string errseq_text(std::uint8_t v) {
  if (v == 0) return "0";
  return "#" + std::to_string(v / 2) + ((v & 1) ? ",seen" : "");
}

}  // namespace

std::vector<Variable> Model::variables(const State& s) const {
  std::vector<Variable> out;
  const auto add = [&](std::string object, std::string attribute, std::string value) {
    out.push_back({std::move(object), std::move(attribute), std::move(value)});
  };
  for (int p = 0; p < env_.pages; ++p) {
    const Page& pg = page_of(s, p);
    const std::string obj = "p" + std::to_string(p);
    add(obj, "cached", flag(pg.cached));
    add(obj, "PG_locked", pg.locked_by ? env_.of(pg.locked_by - 1).name : "-");
    add(obj, "PG_dirty", flag(pg.dirty));
    add(obj, "PG_writeback", flag(pg.writeback));
    add(obj, "tag.DIRTY", flag(pg.tag_dirty));
    add(obj, "tag.WRITEBACK", flag(pg.tag_writeback));
    if (env_.variant->towrite) add(obj, "tag.TOWRITE", flag(pg.tag_towrite));
    if (env_.io_errors && env_.variant->write_errors != WriteErrors::errseq)
      add(obj, "PG_error", flag(pg.error));
  }
  for (int m = 0; m < env_.mappings; ++m) {
    for (int p = 0; p < env_.pages; ++p) {
      add("pte", "m" + std::to_string(m) + ".p" + std::to_string(p), pte_text(pte_of(s, m, p)));
    }
  }
  for (int m = 0; m < env_.mappings; ++m) {
    for (int p = 0; p < env_.pages; ++p) {
      add("rmap", "m" + std::to_string(m) + ".p" + std::to_string(p), flag(rmap_of(s, m, p)));
    }
    // A PTE lock is state only where zap_pte_range or change_pte_range holds one across steps.
    bool zaps = false;
    for (int a = 0; a < env_.actors; ++a) {
      zaps = zaps || env_.of(a).kind == ActorKind::munmap || env_.of(a).kind == ActorKind::mprotect;
    }
    const std::uint8_t holder = s.ptl[static_cast<std::size_t>(m)];
    if (zaps) add("ptl", "m" + std::to_string(m), holder ? env_.of(holder - 1).name : "-");
  }
  // The VMA's protection and mmap_sem are state only where mprotect changes them.
  bool protects = false;
  for (int a = 0; a < env_.actors; ++a)
    protects = protects || env_.of(a).kind == ActorKind::mprotect;
  for (int m = 0; protects && m < env_.mappings; ++m) {
    const std::string mm = "m" + std::to_string(m);
    for (int p = 0; p < env_.pages; ++p) {
      const bool ro = s.vma_ro[static_cast<std::size_t>(m)] & bit(p);
      add("vma", mm + ".p" + std::to_string(p), ro ? "ro" : "rw");
    }
    const std::uint8_t holder = s.mmap_sem[static_cast<std::size_t>(m)];
    add("mmap_sem", mm, holder ? env_.of(holder - 1).name : "-");
  }
  for (int a = 0; a < env_.actors; ++a) {
    if (env_.of(a).kind != ActorKind::writer) continue;
    for (int p = 0; p < env_.pages; ++p) {
      constexpr const char* kEntry[] = {"-", "RO", "W", "WD"};
      add("tlb", env_.of(a).name + ".p" + std::to_string(p), kEntry[tlb_of(s, a, p) & 3]);
    }
  }
  for (int p = 0; p < env_.pages; ++p) {
    for (int b = 0; b < env_.blocks_per_page; ++b) {
      const Block& blk = block_of(s, env_.block(p, b));
      const std::string obj = "b" + std::to_string(p) + "." + std::to_string(b);
      add(obj, "BH_dirty", flag(blk.dirty));
      add(obj, "BH_lock", flag(blk.locked));
      // ext4's delayed allocation: the extent tree and BH_Delay/BH_Mapped of the buffer.
      if (!scenario_.holes.empty()) {
        constexpr const char* kAlloc[] = {"mapped", "hole", "delayed"};
        add(obj, "alloc", kAlloc[blk.alloc]);
      }
      // An uncached page keeps, as a ghost, the version it held when it was dropped.
      const bool shown = page_of(s, p).cached || blk.mem != blk.disk;
      add(obj, "mem",
          !shown                 ? "-"
          : page_of(s, p).cached ? version(blk.mem)
                                 : version(blk.mem) + " (dropped)");
      add(obj, "io",
          blk.io == kIoIdle        ? "-"
          : blk.io == kIoSubmitted ? "submitted"
                                   : version(blk.io_version));
      add(obj, "disk", version(blk.disk));
      if (env_.io_errors) {
        add(obj, "lost_by",
            blk.ghost_lost ? "failed write #" + std::to_string(blk.ghost_lost) : "-");
      }
    }
  }
  // Write errors (--io-errors): where the kernel keeps them, and what each open file has seen.
  if (env_.io_errors) {
    add("errors", "failed_writes", std::to_string(s.ghost_io_failures));
    if (env_.variant->write_errors != WriteErrors::errseq) {
      add("mapping", "AS_EIO", flag(s.as_eio));
    } else {
      add("mapping", "wb_err", errseq_text(s.wb_err));
      for (int f = 0; f < env_.files; ++f) {
        add("file" + std::to_string(f), "f_wb_err",
            errseq_text(s.f_wb_err[static_cast<std::size_t>(f)]));
      }
    }
    for (int f = 0; f < env_.files; ++f) {
      add("file" + std::to_string(f), "reported",
          std::to_string(s.ghost_reported[static_cast<std::size_t>(f)]));
    }
  }
  add("nr_dirty", "nr_dirty", std::to_string(s.nr_dirty));
  if (s.ghost_nr_dirty_underflow) add("nr_dirty", "underflow", "1");
  if (s.ghost_bug != kBugNone) add("BUG", "BUG_ON", std::to_string(s.ghost_bug));
  if (s.ghost_unstable_store) add("stable", "unstable_store", "1");
  for (int a = 0; a < env_.actors; ++a) {
    const Actor& act = s.actor[static_cast<std::size_t>(a)];
    add(env_.of(a).name, "at", position(s, a));
    if (act.err) add(env_.of(a).name, "returns", "-EIO");
    if (act.refs != 0 && act.pc == env_.of(a).program.done()) {
      std::string pages;
      for (int p = 0; p < env_.pages; ++p) {
        if (act.refs & bit(p)) pages += (pages.empty() ? "p" : " p") + std::to_string(p);
      }
      add(env_.of(a).name, "holds", pages);
    }
  }
  return out;
}

}  // namespace dirtyrace::model
