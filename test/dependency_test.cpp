// The dependency relation (model/dependency.hpp): on sampled states of every scenario of the test
// suite, every zoo entry (its bug and its fix) and scenarios that take every kind of actor, every
// two enabled transitions the model calls independent leave each other enabled and reach the
// same state in either order. An access a step leaves undeclared shows here as two transitions
// that do not commute (what a step writes is also checked on every transition of the
// self-checking build).

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyses/zoo.hpp"
#include "model/dependency.hpp"
#include "support.hpp"
#include "traces/text.hpp"

using namespace dirtyrace;
using model::State;
using model::Transition;

namespace {

using Successors = std::vector<std::pair<Transition, State>>;

Successors successors(const model::Model& m, const State& s) {
  Successors out;
  m.for_each_transition(s, [&](Transition t, const State& next) { out.emplace_back(t, next); });
  return out;
}

std::optional<State> after(const Successors& from, Transition t) {
  for (const auto& [u, next] : from) {
    if (u == t) return next;
  }
  return std::nullopt;
}

/// Checks every independent pair on the sampled states of `scenario`; returns how many it
/// checked.
std::size_t check_commute(const model::Scenario& scenario) {
  const model::Model m(scenario);
  CAPTURE(traces::describe_scenario(m.scenario()));
  std::size_t pairs = 0;
  for (const State& s : test::sample_states(m, 20000, 500, 150)) {
    const Successors first = successors(m, s);
    std::vector<Successors> second;
    for (const auto& [t, next] : first) second.push_back(successors(m, next));
    for (std::size_t i = 0; i < first.size(); ++i) {
      for (std::size_t j = i + 1; j < first.size(); ++j) {
        const Transition a = first[i].first, b = first[j].first;
        if (!model::independent(m, a, b)) continue;
        ++pairs;
        CAPTURE(m.describe(a).name());
        CAPTURE(m.describe(b).name());
        const std::optional<State> ab = after(second[i], b), ba = after(second[j], a);
        REQUIRE_MESSAGE(ab.has_value(), "the first disables the second");
        REQUIRE_MESSAGE(ba.has_value(), "the second disables the first");
        CHECK_MESSAGE(*ab == *ba, "the two orders reach different states");
      }
    }
  }
  return pairs;
}

}  // namespace

TEST_CASE("a process depends on itself, and the device on each block is a process of its own") {
  const model::Model m(test::scenario("linux-6.12", 1, 2, 1, "writer,flusher"));
  const Transition capture0{Transition::kDevice, 0, 0, 0}, capture1{Transition::kDevice, 0, 0, 1};
  CHECK_FALSE(model::independent(m, capture0, capture0));
  // Both write their block's I/O: the same kind of variable, so dependent by kind.
  CHECK_FALSE(model::independent(m, capture0, capture1));
  const Transition writer{0, 0, 0, 0};
  CHECK_FALSE(model::independent(m, writer, writer));
  CHECK(model::access(m, capture0) == model::kDeviceAccess);
}

TEST_CASE("independent transitions commute on every scenario of the test suite") {
  std::size_t pairs = 0;
  for (const model::Scenario& s : test::suite()) pairs += check_commute(s);
  MESSAGE(pairs, " independent pairs checked");
  CHECK(pairs > 0);
}

TEST_CASE("independent transitions commute on every zoo entry, its bug and its fix") {
  std::size_t pairs = 0;
  for (const analyses::ZooEntry& e : analyses::zoo()) {
    CAPTURE(e.commit);
    pairs += check_commute(analyses::zoo_scenario(e, e.variant));
    if (!e.fixed_variant.empty())
      pairs += check_commute(analyses::zoo_scenario(e, e.fixed_variant));
  }
  CHECK(pairs > 0);
}

TEST_CASE("independent transitions commute with every kind of actor, write errors and ext4") {
  std::vector<model::Scenario> scenarios = {
      model::default_scenario(),
      test::scenario("linux-4.19", 2, 2, 2, "writer@0,writer@1,flusher,msync@0,munmap@1,reclaim"),
      test::scenario("linux-2.6.32", 2, 1, 1, "writer,flusher,msync,munmap,reclaim,journal"),
      test::scenario("linux-6.12", 1, 1, 2, "writer@0,writer@1,mprotect@0,reclaim,buffer_flush"),
  };
  model::Scenario errors = test::scenario("linux-6.12", 1, 2, 1, "writer,flusher,msync,fsync");
  errors.io_errors = 1;
  scenarios.push_back(errors);
  model::Scenario old_errors = test::scenario("linux-4.9", 1, 1, 1, "writer,flusher,fsync,fsync");
  old_errors.io_errors = 1;
  scenarios.push_back(old_errors);
  model::Scenario ext4 = test::scenario("linux-6.12", 1, 2, 1, "writer,flusher,journal,fsync");
  ext4.fs = model::Filesystem::ext4;
  ext4.holes = {1};
  scenarios.push_back(ext4);
  std::size_t pairs = 0;
  for (const model::Scenario& s : scenarios) pairs += check_commute(s);
  CHECK(pairs > 0);
}
