#include "model/constraint.hpp"

#include <algorithm>
#include <cctype>

#include "model/error.hpp"

namespace dirtyrace::model {

std::vector<std::string> ConstraintContext::symbols() const {
  std::vector<std::string> out;
  for (const RangedActor& a : actors) {
    for (const ByteTerm* t : {&a.range.off, &a.range.len}) {
      if (t->symbolic()) out.push_back(t->symbol);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Expr::is_bool() const {
  return op >= Op::lt;
}

Expr term_expr(const ByteTerm& t) {
  if (t.symbolic()) return {Expr::Op::var, 0, t.symbol, {}};
  return {Expr::Op::constant, t.value, {}, {}};
}

namespace {

using Op = Expr::Op;

Expr constant(std::int64_t v) {
  return {Op::constant, v, {}, {}};
}
Expr node(Op op, std::vector<Expr> args) {
  Expr e{op, 0, {}, std::move(args)};
  for (const Expr& a : e.args) e.height = std::max(e.height, a.height + 1);
  return e;
}
/// A node over one or two operands, moved in (a braced list would copy them, and copying the
/// left operand of every link of a chain made parsing quadratic).
Expr node(Op op, Expr a) {
  std::vector<Expr> args;
  args.push_back(std::move(a));
  return node(op, std::move(args));
}
Expr node(Op op, Expr a, Expr b) {
  std::vector<Expr> args;
  args.reserve(2);
  args.push_back(std::move(a));
  args.push_back(std::move(b));
  return node(op, std::move(args));
}
/// The operators whose chains are one node: "a - b - c" is (a - b) - c either way.
bool chains(Op op) {
  return op == Op::add || op == Op::sub || op == Op::mul || op == Op::land || op == Op::lor;
}

/// Recursive descent over the grammar in the README, lowest precedence first.
class Parser {
 public:
  Parser(std::string_view text, const ConstraintContext& context)
      : text_(text), context_(context) {}

  Expr parse() {
    Expr e = logic_or();
    skip_space();
    if (pos_ < text_.size()) fail("unexpected '" + echo(text_.substr(pos_, 1)) + "'");
    if (!e.is_bool()) fail("a constraint must be a comparison, e.g. 'w + n <= 4096'", 0);
    return e;
  }

 private:
  [[noreturn]] void fail(const std::string& what, std::size_t column = SIZE_MAX) const {
    const std::size_t at = column == SIZE_MAX ? pos_ : column;
    throw UsageError("constraint \"" + echo(text_) + "\", column " + std::to_string(at + 1) + ": " +
                     what);
  }
  [[noreturn]] void too_deep(std::size_t at) const {
    fail("nested more than " + std::to_string(kMaxConstraintDepth) +
             " levels deep (parentheses, '!', '-', calls, or a chain whose operator changes); "
             "split it into several constraints",
         at);
  }

  /// Counts one level of nesting while the parser recurses into it, so that deep input is
  /// refused before it can overflow the stack.
  class Nested {
   public:
    Nested(Parser& p, std::size_t at) : p_(p) {
      if (++p_.depth_ > kMaxConstraintDepth) p_.too_deep(at);
    }
    ~Nested() { --p_.depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& p_;
  };

  /// `left op right`: appended to `left` if it is a chain of `op` already, else a new node.
  Expr link(Op op, Expr left, Expr right, std::size_t at) const {
    if (left.op == op && chains(op)) {
      left.height = std::max(left.height, right.height + 1);
      left.args.push_back(std::move(right));
      return left;
    }
    return checked_height(node(op, std::move(left), std::move(right)), at);
  }
  Expr checked_height(Expr e, std::size_t at) const {
    if (e.height > kMaxConstraintDepth) too_deep(at);
    return e;
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  /// Consumes `token` if it comes next (and, for "<" or "!", is not the start of "<=" or "!=").
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    const char after = pos_ + token.size() < text_.size() ? text_[pos_ + token.size()] : '\0';
    if ((token == "<" || token == ">" || token == "!" || token == "=") && after == '=')
      return false;
    pos_ += token.size();
    return true;
  }
  void expect(std::string_view token) {
    if (!accept(token)) fail("expected '" + std::string(token) + "'");
  }

  Expr need_int(Expr e, std::size_t at) const {
    if (e.is_bool()) fail("expected a number here, found a comparison", at);
    return e;
  }
  Expr need_bool(Expr e, std::size_t at) const {
    if (!e.is_bool()) fail("expected a comparison here, e.g. 'w < 100'", at);
    return e;
  }

  Expr logic_or() {
    skip_space();
    std::size_t at = pos_;
    Expr e = logic_and();
    while (accept("||")) {
      e = need_bool(std::move(e), at);
      skip_space();
      at = pos_;
      e = link(Op::lor, std::move(e), need_bool(logic_and(), at), at);
    }
    return e;
  }
  Expr logic_and() {
    skip_space();
    std::size_t at = pos_;
    Expr e = logic_not();
    while (accept("&&")) {
      e = need_bool(std::move(e), at);
      skip_space();
      at = pos_;
      e = link(Op::land, std::move(e), need_bool(logic_not(), at), at);
    }
    return e;
  }
  Expr logic_not() {
    skip_space();
    const std::size_t at = pos_;
    if (accept("!")) {
      const Nested level(*this, at);
      return checked_height(node(Op::lnot, need_bool(logic_not(), at + 1)), at);
    }
    return comparison();
  }
  Expr comparison() {
    skip_space();
    const std::size_t at = pos_;
    Expr left = sum();
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"<=", Op::le}, {">=", Op::ge},
                                                               {"==", Op::eq}, {"!=", Op::ne},
                                                               {"<", Op::lt},  {">", Op::gt}};
    for (const auto& [token, op] : kOps) {
      if (!accept(token)) continue;
      skip_space();
      const std::size_t right_at = pos_;
      Expr right = need_int(sum(), right_at);
      return node(op, need_int(std::move(left), at), std::move(right));
    }
    return left;
  }
  Expr sum() {
    skip_space();
    std::size_t at = pos_;
    Expr e = product();
    while (true) {
      const Op op = accept("+") ? Op::add : accept("-") ? Op::sub : Op::constant;
      if (op == Op::constant) return e;
      e = need_int(std::move(e), at);
      skip_space();
      at = pos_;
      e = link(op, std::move(e), need_int(product(), at), at);
    }
  }
  Expr product() {
    skip_space();
    std::size_t at = pos_;
    Expr e = unary();
    while (true) {
      const Op op = accept("*")   ? Op::mul
                    : accept("/") ? Op::div
                    : accept("%") ? Op::mod
                                  : Op::constant;
      if (op == Op::constant) return e;
      e = need_int(std::move(e), at);
      skip_space();
      at = pos_;
      Expr right = need_int(unary(), at);
      if (op != Op::mul) right = positive_constant(std::move(right), at);
      e = link(op, std::move(e), std::move(right), at);
    }
  }
  Expr positive_constant(Expr e, std::size_t at) const {
    if (e.op == Op::neg && e.args[0].op == Op::constant) e = constant(-e.args[0].value);
    if (e.op != Op::constant || e.value <= 0)
      fail("'/' and '%' need a positive number on their right", at);
    return e;
  }
  Expr unary() {
    skip_space();
    const std::size_t at = pos_;
    if (accept("-")) {
      const Nested level(*this, at);
      return checked_height(node(Op::neg, need_int(unary(), at + 1)), at);
    }
    return atom();
  }

  Expr atom() {
    skip_space();
    const std::size_t at = pos_;
    if (accept("(")) {
      const Nested level(*this, at);
      Expr e = logic_or();
      expect(")");
      return e;
    }
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      std::int64_t v = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (v > (INT64_MAX - 9) / 10) fail("number too large", at);
        v = v * 10 + (text_[pos_++] - '0');
      }
      return constant(v);
    }
    const std::string name = identifier();
    if (name.empty()) fail("expected a number, a name or '('");
    if (accept("(")) {
      const Nested level(*this, at);
      return checked_height(call(name, at), at);
    }
    if (accept(".")) {
      const RangedActor& a = actor(name, at);
      const std::size_t field_at = pos_;
      const std::string field = identifier();
      if (field == "off") return term_expr(a.range.off);
      if (field == "len") return term_expr(a.range.len);
      if (field == "end") return end_of(a);
      fail("'" + echo(name) + "' has fields off, len and end, not '" + echo(field) + "'", field_at);
    }
    const Geometry& g = context_.geometry;
    if (name == "page_size") return constant(g.page_size);
    if (name == "block_size") return constant(g.block_size);
    if (name == "file_size") return constant(g.file_size());
    const auto symbols = context_.symbols();
    if (std::find(symbols.begin(), symbols.end(), name) != symbols.end())
      return {Op::var, 0, name, {}};
    std::string known;
    for (const auto& s : symbols) known += (known.empty() ? "" : ", ") + s;
    fail("unknown name '" + echo(name) + "'; the symbols are " +
             (known.empty() ? "(none)" : known) +
             ", and ACTOR.off, .len, .end, page_size, block_size, file_size",
         at);
  }

  std::string identifier() {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  const RangedActor& actor(const std::string& name, std::size_t at) const {
    for (const RangedActor& a : context_.actors) {
      if (a.name == name) return a;
    }
    std::string known;
    for (const auto& a : context_.actors) known += (known.empty() ? "" : ", ") + a.name;
    fail("no actor with a byte range is called '" + echo(name) +
             "'; those with one: " + (known.empty() ? "(none)" : known),
         at);
  }

  static Expr end_of(const RangedActor& a) {
    return node(Op::add, term_expr(a.range.off), term_expr(a.range.len));
  }
  static Expr last_byte(const RangedActor& a) { return node(Op::sub, end_of(a), constant(1)); }
  static Expr nonempty(const RangedActor& a) {
    return node(Op::gt, term_expr(a.range.len), constant(0));
  }
  static Expr unit_of(Expr x, std::int64_t unit) {
    return node(Op::div, std::move(x), constant(unit));
  }
  static Expr all(std::vector<Expr> parts) { return node(Op::land, std::move(parts)); }

  /// crosses_*(A): A is not empty and its first and last bytes lie in different units.
  static Expr crosses(const RangedActor& a, std::int64_t unit) {
    std::vector<Expr> parts;
    parts.push_back(nonempty(a));
    parts.push_back(
        node(Op::ne, unit_of(term_expr(a.range.off), unit), unit_of(last_byte(a), unit)));
    return all(std::move(parts));
  }
  /// same_*(A, B): both are non-empty and some unit holds a byte of each.
  static Expr share(const RangedActor& a, const RangedActor& b, std::int64_t unit) {
    std::vector<Expr> parts;
    parts.push_back(nonempty(a));
    parts.push_back(nonempty(b));
    parts.push_back(
        node(Op::le, unit_of(term_expr(a.range.off), unit), unit_of(last_byte(b), unit)));
    parts.push_back(
        node(Op::le, unit_of(term_expr(b.range.off), unit), unit_of(last_byte(a), unit)));
    return all(std::move(parts));
  }

  Expr call(const std::string& name, std::size_t at) {
    const Geometry& g = context_.geometry;
    std::vector<std::size_t> arg_at;
    const auto actor_args = [&](std::size_t n) {
      std::vector<const RangedActor*> out;
      for (std::size_t i = 0; i < n; ++i) {
        if (i) expect(",");
        skip_space();
        const std::size_t where = pos_;
        out.push_back(&actor(identifier(), where));
      }
      expect(")");
      return out;
    };
    const auto int_args = [&](std::size_t n) {
      std::vector<Expr> out;
      for (std::size_t i = 0; i < n; ++i) {
        if (i) expect(",");
        skip_space();
        arg_at.push_back(pos_);
        out.push_back(need_int(sum(), arg_at.back()));
      }
      expect(")");
      return out;
    };
    if (name == "page" || name == "block") {
      auto args = int_args(1);
      return unit_of(std::move(args[0]), name == "page" ? g.page_size : g.block_size);
    }
    if (name == "aligned") {
      auto args = int_args(2);
      return node(
          Op::eq,
          node(Op::mod, std::move(args[0]), positive_constant(std::move(args[1]), arg_at[1])),
          constant(0));
    }
    if (name == "crosses_page" || name == "crosses_block") {
      const auto a = actor_args(1);
      return crosses(*a[0], name == "crosses_page" ? g.page_size : g.block_size);
    }
    if (name == "same_page" || name == "same_block") {
      const auto a = actor_args(2);
      return share(*a[0], *a[1], name == "same_page" ? g.page_size : g.block_size);
    }
    if (name == "overlaps") {
      const auto a = actor_args(2);
      std::vector<Expr> parts;
      parts.push_back(nonempty(*a[0]));
      parts.push_back(nonempty(*a[1]));
      parts.push_back(node(Op::lt, term_expr(a[0]->range.off), end_of(*a[1])));
      parts.push_back(node(Op::lt, term_expr(a[1]->range.off), end_of(*a[0])));
      return all(std::move(parts));
    }
    fail("unknown function '" + echo(name) +
             "'; the functions are page(x), block(x), aligned(x, n), crosses_page(A), "
             "crosses_block(A), same_page(A, B), same_block(A, B), overlaps(A, B)",
         at);
  }

  std::string_view text_;
  const ConstraintContext& context_;
  std::size_t pos_ = 0;
  std::uint32_t depth_ = 0;  // levels of nesting the parser is in
};

/// a + b, a - b or a * b, refusing to wrap around.
template <class Op>
std::int64_t checked(Op op, std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (op(a, b, &r)) throw UsageError("a constraint's value does not fit in 64 bits");
  return r;
}
bool add_overflow(std::int64_t a, std::int64_t b, std::int64_t* r) {
  return __builtin_add_overflow(a, b, r);
}
bool sub_overflow(std::int64_t a, std::int64_t b, std::int64_t* r) {
  return __builtin_sub_overflow(a, b, r);
}
bool mul_overflow(std::int64_t a, std::int64_t b, std::int64_t* r) {
  return __builtin_mul_overflow(a, b, r);
}

}  // namespace

Expr parse_constraint(std::string_view text, const ConstraintContext& context) {
  return Parser(text, context).parse();
}

std::int64_t evaluate(const Expr& e, const Assignment& values) {
  const auto arg = [&](std::size_t i) { return evaluate(e.args[i], values); };
  switch (e.op) {
    case Op::constant:
      return e.value;
    case Op::var: {
      const auto it = values.find(e.name);
      if (it == values.end()) throw std::logic_error("no value for symbol " + e.name);
      return it->second;
    }
    // Sums and products refuse to leave 64 bits; Z3's integers (footprints.cpp) are unbounded.
    case Op::add:
    case Op::sub:
    case Op::mul: {
      const auto step = e.op == Op::add   ? add_overflow
                        : e.op == Op::sub ? sub_overflow
                                          : mul_overflow;
      std::int64_t r = arg(0);
      for (std::size_t i = 1; i < e.args.size(); ++i) r = checked(step, r, arg(i));
      return r;
    }
    case Op::neg:
      return checked(sub_overflow, 0, arg(0));
    // Floor division and mod by a positive number, as Z3's on integers; C++'s / and % round
    // toward zero. Neither can overflow (a - q * d could, near INT64_MIN): a % d + d lies in
    // (0, d), and a / d - 1 is taken only for d >= 2, where |a / d| <= INT64_MAX / 2.
    case Op::div:
    case Op::mod: {
      const std::int64_t a = arg(0), d = arg(1);
      const bool below = a % d != 0 && a < 0;
      if (e.op == Op::div) return a / d - (below ? 1 : 0);
      return a % d + (below ? d : 0);
    }
    case Op::land:
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (!arg(i)) return 0;
      }
      return 1;
    case Op::lor:
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (arg(i)) return 1;
      }
      return 0;
    default:  // comparisons and logic
      return apply_truth_operator<std::int64_t>(e.op, arg);
  }
}

}  // namespace dirtyrace::model
