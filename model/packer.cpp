#include "model/packer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define DIRTYRACE_HAVE_BMI2 1
#endif

namespace dirtyrace::model {

namespace {
constexpr std::size_t kMaxWords = (sizeof(State) + 7) / 8;
static_assert(sizeof(State) >= 8);

#ifdef DIRTYRACE_HAVE_BMI2
// pext and pdep are the fast path; elsewhere the field-by-field loops do the same. AMD before
// Zen 3 has them, but microcoded at up to hundreds of cycles each: slower than the loops.
const bool kUseRuns = [] {
  __builtin_cpu_init();  // this may run before libgcc's own initializer
  return __builtin_cpu_supports("bmi2") && !__builtin_cpu_is("amdfam15h") &&
         !__builtin_cpu_is("amdfam17h");
}();

std::uint64_t load_u64(const std::byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void store_u64(std::byte* p, std::uint64_t v) {
  std::memcpy(p, &v, sizeof v);
}
#endif
}  // namespace

unsigned bits_for(unsigned max) {
  return static_cast<unsigned>(std::bit_width(max));
}

void Packer::add(std::size_t offset, unsigned bits) {
  if (bits == 0) return;
  if (bits_used_ / 64 != (bits_used_ + bits - 1) / 64) bits_used_ = (bits_used_ / 64 + 1) * 64;
  fields_.push_back({static_cast<std::uint16_t>(offset), static_cast<std::uint8_t>(bits_used_ / 64),
                     static_cast<std::uint8_t>(bits_used_ % 64),
                     static_cast<std::uint8_t>((1u << bits) - 1)});
  bits_used_ += bits;
  add_to_runs(fields_.back());
}

void Packer::add_to_runs(const Field& f) {
  // The field joins the last run if it goes right after it in the same word (fields come in
  // word order) and lies in its window above its bytes: pext and pdep keep bits in order.
  if (!runs_.empty()) {
    Run& r = runs_.back();
    const std::size_t above = r.window + (std::bit_width(r.mask) + 7) / 8;  // first free byte
    if (r.word == f.word && f.offset >= above && f.offset < r.window + std::size_t{8}) {
      r.mask |= std::uint64_t{f.mask} << (f.offset - r.window) * 8;
      return;
    }
  }
  // A new run's window starts at its first field, or ends with State near its end.
  const auto window =
      static_cast<std::uint16_t>(std::min<std::size_t>(f.offset, sizeof(State) - 8));
  runs_.push_back({window, f.word, f.shift, std::uint64_t{f.mask} << (f.offset - window) * 8});
}

void Packer::pack(const State& s, std::byte* out) const {
#ifdef DIRTYRACE_HAVE_BMI2
  if (kUseRuns) return pack_runs(s, out);
#endif
  pack_fields(s, out);
}

void Packer::unpack(const std::byte* in, State& s) const {
#ifdef DIRTYRACE_HAVE_BMI2
  if (kUseRuns) return unpack_runs(in, s);
#endif
  unpack_fields(in, s);
}

void Packer::pack_fields(const State& s, std::byte* out) const {
  // Fields come in word order; keeping the current word in a register avoids a
  // read-modify-write through memory per field.
  const auto* src = reinterpret_cast<const std::uint8_t*>(&s);
  std::array<std::uint64_t, kMaxWords> words;
  std::uint64_t acc = 0;
  std::size_t word = 0;
  for (const Field& f : fields_) {
    if (f.word != word) {
      words[word] = acc;
      acc = 0;
      word = f.word;
    }
    acc |= std::uint64_t{src[f.offset]} << f.shift;
  }
  words[word] = acc;
  // Little-endian byte order: the packed bytes are the words' low bytes first.
  std::memcpy(out, words.data(), bytes());
}

void Packer::unpack_fields(const std::byte* in, State& s) const {
  std::array<std::uint64_t, kMaxWords> words{};
  std::memcpy(words.data(), in, bytes());
  std::memset(static_cast<void*>(&s), 0, sizeof s);
  auto* dst = reinterpret_cast<std::uint8_t*>(&s);
  std::uint64_t current = words[0];
  std::size_t word = 0;
  for (const Field& f : fields_) {
    if (f.word != word) {
      word = f.word;
      current = words[word];
    }
    dst[f.offset] = static_cast<std::uint8_t>(current >> f.shift & f.mask);
  }
}

#ifdef DIRTYRACE_HAVE_BMI2
// Runs read and write State 8 bytes at a time, and unpack ORs each run into State after
// clearing it, so runs whose windows overlap need no care. The packed form is bytes() long, not
// always whole words: its last word is read and written as the 8 bytes that end the form,
// overlapping the word before, so that no access goes past the form and none takes a memcpy
// call of variable length; only forms shorter than 8 bytes go a byte at a time.

__attribute__((target("bmi2"))) void Packer::pack_runs(const State& s, std::byte* out) const {
  const auto* src = reinterpret_cast<const std::byte*>(&s);
  const std::size_t n = bytes();
  if (n == 0) return;
  const std::size_t words = (n + 7) / 8;
  const Run* r = runs_.data();
  const Run* const end = r + runs_.size();
  std::uint64_t prev = 0, word = 0;
  // Every word holds at least one field, so runs, in word order, cover each one in turn.
  for (std::size_t w = 0; w < words; ++w) {
    prev = word;
    word = 0;
    for (; r != end && r->word == w; ++r) {
      word |= _pext_u64(load_u64(src + r->window), r->mask) << r->shift;
    }
    if (w + 1 < words) store_u64(out + 8 * w, word);
  }
  const std::size_t tail = n - 8 * (words - 1);  // bytes of the last word, 1 to 8
  if (tail == 8) {
    store_u64(out + n - 8, word);
  } else if (n > 8) {
    store_u64(out + n - 8, word << (64 - 8 * tail) | prev >> 8 * tail);
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(word >> 8 * i);
  }
}

__attribute__((target("bmi2"))) void Packer::unpack_runs(const std::byte* in, State& s) const {
  const std::size_t n = bytes();
  const std::size_t words = (n + 7) / 8;
  std::array<std::uint64_t, kMaxWords> w;
  for (std::size_t i = 0; i + 1 < words; ++i) w[i] = load_u64(in + 8 * i);
  if (words > 0) {
    const std::size_t tail = n - 8 * (words - 1);
    std::uint64_t last = 0;
    if (n >= 8) {
      last = load_u64(in + n - 8) >> (64 - 8 * tail);
    } else {
      for (std::size_t i = 0; i < n; ++i) last |= std::to_integer<std::uint64_t>(in[i]) << 8 * i;
    }
    w[words - 1] = last;
  }
  std::memset(static_cast<void*>(&s), 0, sizeof s);
  auto* dst = reinterpret_cast<std::byte*>(&s);
  for (const Run& r : runs_) {
    store_u64(dst + r.window, load_u64(dst + r.window) | _pdep_u64(w[r.word] >> r.shift, r.mask));
  }
}
#endif

bool Packer::round_trips(const State& s) const {
  std::array<std::byte, sizeof(State)> buf{};
  pack(s, buf.data());
  State back;
  unpack(buf.data(), back);
  // The last slot (the final fsync of durable_at_end) is never packed; compare the rest.
  back.actor[kMaxActors] = s.actor[kMaxActors];
  return same_bytes(s, back);
}

}  // namespace dirtyrace::model
