#include <doctest/doctest.h>

#include <array>

#include "model/packer.hpp"

using namespace dirtyrace::model;

TEST_CASE("fields pack into as few bits as they need and round-trip") {
  Packer p;
  State s{};
  const auto offset = [&](const std::uint8_t& field) {
    return static_cast<std::size_t>(&field - reinterpret_cast<const std::uint8_t*>(&s));
  };
  p.add(offset(s.page[0].dirty), 1);
  p.add(offset(s.block[0].mem), 3);
  p.add(offset(s.actor[0].pc), 0);  // nothing
  for (std::size_t i = 0; i < 16; ++i) p.add(offset(s.block[i].disk), 5);
  // 4 bits, 12 fields of 5 bits fill word 0 exactly; the other 4 go to word 1: 84 bits.
  CHECK(p.bytes() == 11);
  s.page[0].dirty = 1;
  s.block[0].mem = 6;
  for (int i = 0; i < 16; ++i)
    s.block[static_cast<std::size_t>(i)].disk = static_cast<std::uint8_t>(i + 15);
  std::array<std::byte, sizeof(State)> buf{};
  p.pack(s, buf.data());
  State back;
  p.unpack(buf.data(), back);
  CHECK(back == s);
  CHECK(p.round_trips(s));
  s.block[0].mem = 9;  // does not fit in 3 bits
  CHECK(!p.round_trips(s));
  s.block[0].mem = 6;
  s.nr_dirty = 1;  // a field the packer does not hold
  CHECK(!p.round_trips(s));
}

TEST_CASE("bits_for") {
  CHECK(bits_for(0) == 0);
  CHECK(bits_for(1) == 1);
  CHECK(bits_for(2) == 2);
  CHECK(bits_for(7) == 3);
  CHECK(bits_for(8) == 4);
}
