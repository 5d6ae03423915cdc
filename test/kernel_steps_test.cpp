// Unit tests of single kernel steps on hand-made states.

#include <doctest/doctest.h>

#include "model/kernel/primitives.hpp"
#include "model/kernel/steps.hpp"
#include "support.hpp"

using namespace dirtyrace;
using namespace dirtyrace::model;

TEST_CASE("TestClearPageDirty clears PG_dirty, counts it down, and leaves the DIRTY tag") {
  const Model m(test::scenario("linux-6.x", 1, 1, 1, "flusher"));
  State s = m.initial();
  s.page[0] = Page{.cached = 1, .locked_by = 1, .dirty = 1, .writeback = 0, .tag_dirty = 1,
                   .tag_writeback = 0, .tag_towrite = 0};
  s.nr_dirty = 1;
  Exec x{s, m.env(), 0, 0};
  const Flow f = kernel::kTestClearPageDirty.apply(x);
  CHECK(f.kind == Flow::Kind::next);
  CHECK(s.page[0].dirty == 0);
  CHECK(s.page[0].tag_dirty == 1);
  CHECK(s.nr_dirty == 0);
  CHECK(s.ghost_bug == kBugNone);
}
