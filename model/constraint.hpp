#pragma once
// The constraint language of symbolic byte ranges (README, "Symbolic offsets"): infix integer
// expressions over the symbols of the actors' ranges, parsed once into an expression tree that
// is evaluated concretely here (brute force, witness checks) and translated to Z3 in
// footprints.cpp. Helpers such as page(x) or overlaps(writer0, msync0) are expanded while
// parsing, so both readers know only the core operators.
//
//   "writer0.end > msync0.off && crosses_page(writer0)"
//   → (w + n > 0) && (n > 0 && w / 64 != (w + n - 1) / 64)      with off = "w", len = "n"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/byte_range.hpp"

namespace dirtyrace::model {

/// An actor that has a byte range, as constraints name it ("writer0").
struct RangedActor {
  std::string name;
  RangeRule rule;
  ByteRange range;
};

/// What the names of a constraint stand for.
struct ConstraintContext {
  Geometry geometry;
  std::vector<RangedActor> actors;
  /// Every symbol of the actors' ranges, sorted, once each.
  std::vector<std::string> symbols() const;
};

struct Expr {
  enum class Op : std::uint8_t {
    constant,  // value
    var,       // name: a symbol
    add,       // args[0] + args[1] + ...: a chain of one operator is one node with many args
    sub,       // args[0] - args[1] - ... (from the left)
    mul,       // args[0] * args[1] * ...
    neg,
    div,
    mod,  // by a positive constant (args[1]); floor division, as Z3's on integers
    lt,
    le,
    gt,
    ge,
    eq,
    ne,
    land,  // every arg, from the left
    lor,   // some arg, from the left
    lnot,
  };
  Op op = Op::constant;
  std::int64_t value = 0;
  std::string name;
  std::vector<Expr> args;
  /// Levels of the tree, 1 for a leaf: the parser keeps it under kMaxConstraintDepth, so that
  /// every recursive walk over an expression (evaluate, Z3, destruction) stays shallow.
  std::uint32_t height = 1;

  /// Comparisons and logic give truth values; the rest give integers.
  bool is_bool() const;
};

/// How deep a constraint may nest: parentheses, '!', unary '-', function calls, and chains whose
/// operator changes ("a - b + c" is two levels; "a + b + c" is one).
inline constexpr std::uint32_t kMaxConstraintDepth = 200;

/// Parses one constraint (a truth-valued expression) in time linear in its length. Throws
/// UsageError naming the constraint, the column and what was expected.
Expr parse_constraint(std::string_view text, const ConstraintContext& context);

/// The expression for a range term: a constant or a symbol.
Expr term_expr(const ByteTerm& t);

using Assignment = std::map<std::string, std::int64_t, std::less<>>;
/// The value of `e` (truth values as 0 and 1) with every symbol given a value. Throws UsageError
/// if a product or sum leaves 64 bits.
std::int64_t evaluate(const Expr& e, const Assignment& values);

/// The comparisons and '!', which mean the same on concrete values (V = std::int64_t, truth
/// values as 0 and 1: evaluate) and on Z3 terms (V = z3::expr: footprints.cpp). `arg(i)` gives
/// the value of operand i. The chains && and || each reader folds itself: concrete values
/// short-circuit (an operand skipped cannot throw), Z3 takes them as one n-ary term.
template <class V, class Arg>
V apply_truth_operator(Expr::Op op, const Arg& arg) {
  using Op = Expr::Op;
  switch (op) {
    case Op::lt:
      return static_cast<V>(arg(0) < arg(1));
    case Op::le:
      return static_cast<V>(arg(0) <= arg(1));
    case Op::gt:
      return static_cast<V>(arg(0) > arg(1));
    case Op::ge:
      return static_cast<V>(arg(0) >= arg(1));
    case Op::eq:
      return static_cast<V>(arg(0) == arg(1));
    case Op::ne:
      return static_cast<V>(arg(0) != arg(1));
    case Op::lnot:
      return static_cast<V>(!arg(0));
    default:
      throw std::logic_error("unknown expression operator");
  }
}

}  // namespace dirtyrace::model
