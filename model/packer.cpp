#include "model/packer.hpp"

#include <array>
#include <bit>
#include <cstring>

namespace dirtyrace::model {

namespace {
constexpr std::size_t kMaxWords = (sizeof(State) + 7) / 8;
}

unsigned bits_for(unsigned max) { return static_cast<unsigned>(std::bit_width(max)); }

void Packer::add(std::size_t offset, unsigned bits) {
  if (bits == 0) return;
  if (bits_used_ / 64 != (bits_used_ + bits - 1) / 64) bits_used_ = (bits_used_ / 64 + 1) * 64;
  fields_.push_back({static_cast<std::uint16_t>(offset), static_cast<std::uint8_t>(bits_used_ / 64),
                     static_cast<std::uint8_t>(bits_used_ % 64),
                     static_cast<std::uint8_t>((1u << bits) - 1)});
  bits_used_ += bits;
}

void Packer::pack(const State& s, std::byte* out) const {
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

void Packer::unpack(const std::byte* in, State& s) const {
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

bool Packer::round_trips(const State& s) const {
  std::array<std::byte, sizeof(State)> buf{};
  pack(s, buf.data());
  State back;
  unpack(buf.data(), back);
  // The last slot (the final fsync of durable_at_end) is never packed; compare the rest.
  State a = s;
  a.actor[kMaxActors] = Actor{};
  back.actor[kMaxActors] = Actor{};
  return a == back;
}

}  // namespace dirtyrace::model
