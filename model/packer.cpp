#include "model/packer.hpp"

#include <bit>
#include <cstring>

namespace dirtyrace::model {

unsigned bits_for(unsigned max) { return static_cast<unsigned>(std::bit_width(max)); }

void Packer::add(std::size_t offset, unsigned bits) {
  if (bits == 0) return;
  fields_.push_back({static_cast<std::uint16_t>(offset), static_cast<std::uint8_t>(bits)});
  total_bits_ += bits;
}

void Packer::pack(const State& s, std::byte* out) const {
  const auto* src = reinterpret_cast<const std::uint8_t*>(&s);
  std::uint64_t acc = 0;
  unsigned fill = 0;
  for (const Field f : fields_) {
    acc |= std::uint64_t{src[f.offset]} << fill;
    fill += f.bits;
    while (fill >= 8) {
      *out++ = static_cast<std::byte>(acc);
      acc >>= 8;
      fill -= 8;
    }
  }
  if (fill) *out = static_cast<std::byte>(acc);
}

void Packer::unpack(const std::byte* in, State& s) const {
  s = State{};
  auto* dst = reinterpret_cast<std::uint8_t*>(&s);
  std::uint64_t acc = 0;
  unsigned fill = 0;
  for (const Field f : fields_) {
    while (fill < f.bits) {
      acc |= std::uint64_t{std::to_integer<std::uint8_t>(*in++)} << fill;
      fill += 8;
    }
    dst[f.offset] = static_cast<std::uint8_t>(acc & ((1u << f.bits) - 1));
    acc >>= f.bits;
    fill -= f.bits;
  }
}

bool Packer::round_trips(const State& s) const {
  std::vector<std::byte> buf(bytes() + 1);
  pack(s, buf.data());
  State back;
  unpack(buf.data(), back);
  // Slot kMaxActors (the final fsync) is never packed; compare the rest.
  State a = s;
  a.actor[kMaxActors] = Actor{};
  back.actor[kMaxActors] = Actor{};
  return a == back;
}

}  // namespace dirtyrace::model
