// The bug zoo: every catalogued bug is found with its property, and its fixed variant verifies.

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "analyses/zoo.hpp"

using namespace dirtyrace;

TEST_CASE("every bug of the zoo is found, in its pinned length, and its fix verifies") {
  const std::map<std::string, std::size_t> lengths = {
      {"d08b3851", 8},  {"7658cc28", 9},  {"79352894", 22},
      {"b827e496", 22}, {"1cf35d47", 36}, {"5df397dec7c4", 23},
      {"1c8349a1", 25}, {"3ea27719", 15}, {"5660e13d2fd6", 32}};
  REQUIRE(analyses::zoo().size() == lengths.size());
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    CAPTURE(e.commit);
    const analyses::ZooResult r = analyses::run_zoo_entry(e);
    CHECK(r.found);
    CHECK(r.length == lengths.at(std::string(e.commit)));
    CHECK(r.fixed == checker::Verdict::verified);
    CHECK(r.ok());
  }
}
