// The bug zoo: every catalogued bug is found with its property, and its fixed variant verifies.

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "analyses/zoo.hpp"
#include "model/scenario.hpp"
#include "model/variant.hpp"

using namespace dirtyrace;

TEST_CASE("every bug of the zoo is found, in its pinned length, and its fix verifies") {
  const std::map<std::string, std::size_t> lengths = {
      {"d08b3851", 8},   {"7658cc28", 9},      {"79352894", 22}, {"b827e496", 22},
      {"1cf35d47", 36},  {"5df397dec7c4", 23}, {"1c8349a1", 25}, {"3ea27719", 15},
      {"4fcf1c6205", 7}, {"5660e13d2fd6", 32}};
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

TEST_CASE("a zoo entry with a filesystem checks both variants on it") {
  const analyses::ZooEntry* ext3 = nullptr;
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    if (e.commit == "4fcf1c6205") ext3 = &e;
    if (e.commit != "4fcf1c6205" && e.commit != "1c8349a1") CHECK(e.fs.empty());
    if (e.commit == "1c8349a1") {
      CHECK(e.fs == "ext4");
      const model::Scenario s = analyses::zoo_scenario(e, e.variant);
      CHECK(s.fs == model::Filesystem::ext4);
      CHECK(s.holes == std::vector<int>{0});
    }
  }
  REQUIRE(ext3 != nullptr);
  CHECK(analyses::zoo_scenario(*ext3, ext3->variant).fs == model::Filesystem::ext3);
  CHECK(analyses::zoo_scenario(*ext3, ext3->fixed_variant).fs == model::Filesystem::ext3);
  CHECK(analyses::zoo_scenario(analyses::zoo().front(), "linux-2.6.32").fs ==
        model::Filesystem::generic);
}
