// Fuzz target: one constraint of the symbolic-range language, parsed against a fixed scenario
// (a writer at "w" of "n" bytes, an msync at "m" of 64 bytes, 2 pages of 64 bytes), evaluated
// at a few assignments, and, when the input's first byte is odd, handed to Z3 as
// `dirtyrace offsets` does (with a small resource limit, so that each run stays quick).

#include "fuzz/fuzz_support.hpp"
#include "model/constraint.hpp"
#include "model/footprints.hpp"
#include "model/scenario.hpp"

using namespace dirtyrace;

namespace {

model::Scenario base() {
  return model::parse_scenario_toml(R"(variant = "linux-6.12"
pages = 2
page_size = 64
block_size = 16
[[actors]]
kind = "writer"
off = "w"
len = "n"
[[actors]]
kind = "msync"
off = "m"
len = 64
)",
                                    "base.toml");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const model::Scenario scenario = base();
  static const model::ConstraintContext context = model::constraint_context(scenario);
  return fuzz::run(data, size, [&](std::string_view text) {
    const bool z3 = !text.empty() && (text[0] & 1);
    const model::Expr e = model::parse_constraint(text, context);
    for (const std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{63},
                                 std::int64_t{64}, model::kMaxByteValue}) {
      try {
        (void)model::evaluate(e, {{"m", v}, {"n", 64 - (v & 63)}, {"w", v}});
      } catch (const model::UsageError&) {
        // A value beyond 64 bits: refused, as it should be.
      }
    }
    if (!z3) return;
    model::Scenario s = scenario;
    s.constraints = {std::string(text)};
    (void)model::enumerate_footprints(s, {.rlimit = 200'000});
  });
}
