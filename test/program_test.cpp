// Routines as data: flattening calls, labels and jumps into a program.

#include <doctest/doctest.h>

#include <stdexcept>

#include "model/program.hpp"

using namespace dirtyrace::model;

namespace {

Flow next(Exec&) {
  return Flow::next();
}
const Step kA{.name = "a", .function = "f", .source = "", .what = "", .apply = next};
const Step kB{.name = "b",
              .function = "f",
              .source = "",
              .what = "",
              .apply = next,
              .jumps = jumps_to({Target::page_clean})};
const Step kC{.name = "c", .function = "g", .source = "", .what = "", .apply = next};
const Step kSkipped{.name = "s",
                    .function = "g",
                    .source = "",
                    .what = "",
                    .apply = next,
                    .skip = [](const State&, const Env&, int) { return true; },
                    .skip_to = Target::loop_end};

}  // namespace

TEST_CASE("a call is inlined and jumps resolve to the label of the innermost caller") {
  RoutineTable t;
  t.set("inner", {Item::of(kB), Item::of(kC)});
  t.set("outer", {Item::of(kA), Item::call("inner"), Item::jump(Target::loop_end),
                  Item::label(Target::page_clean), Item::of(kC), Item::label(Target::loop_end)});
  const Program p = Program::build(t, "outer");
  REQUIRE(p.size() == 4);
  CHECK(p[0].step == &kA);
  CHECK(p[0].next == 1);
  CHECK(p[1].step == &kB);
  CHECK(p[1].routine == "inner");
  CHECK(p[1].target[static_cast<int>(Target::page_clean)] == 3);
  CHECK(p[2].next == p.done());  // the jump to loop_end is followed at build time
  CHECK(p[3].next == p.done());
}

TEST_CASE("a skip target is resolved like a jump") {
  RoutineTable t;
  t.set("r", {Item::of(kSkipped), Item::of(kA), Item::label(Target::loop_end), Item::of(kC)});
  const Program p = Program::build(t, "r");
  CHECK(p[0].skip_target == 2);
}

TEST_CASE("undefined labels, unknown routines and recursion are internal errors") {
  RoutineTable t;
  t.set("lost", {Item::of(kB)});
  CHECK_THROWS_AS(Program::build(t, "lost"), std::logic_error);
  CHECK_THROWS_AS(Program::build(t, "missing"), std::logic_error);
  t.set("loop", {Item::of(kA), Item::call("loop")});
  CHECK_THROWS_AS(Program::build(t, "loop"), std::logic_error);
}
