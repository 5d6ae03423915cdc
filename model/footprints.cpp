#include "model/footprints.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

#include <z3++.h>

#include "model/error.hpp"

namespace dirtyrace::model {

std::vector<Footprint> FootprintClass::footprints() const {
  std::vector<Footprint> out;
  for (const ActorFootprint& a : actors) out.push_back(a.footprint);
  return out;
}

std::string FootprintClass::describe() const {
  std::string out;
  for (const ActorFootprint& a : actors) {
    out += (out.empty() ? "" : ", ") + a.name + " off " + std::to_string(a.off) + " len " +
           std::to_string(a.len) + " (" +
           describe_footprint(a.rule, a.footprint, scenario.geometry()) + ")";
  }
  return out;
}

std::string FootprintClass::describe_witness() const {
  std::string out;
  for (const auto& [name, value] : witness)
    out += (out.empty() ? "" : ", ") + name + " = " + std::to_string(value);
  return out;
}

std::size_t Enumeration::duplicates() const {
  return static_cast<std::size_t>(
      std::count_if(classes.begin(), classes.end(), [](const auto& c) { return c.duplicate_of; }));
}

namespace {

/// The scenario with its geometry resolved and every other static check passed: symbols stand
/// in as 0 so that validate_and_resolve reports a bad actor, mapping or concrete range as it
/// would for a concrete scenario.
Scenario checked_shape(const Scenario& s) {
  Scenario shape = s;
  if (!shape.has_byte_ranges()) {
    throw UsageError("no actor has a byte range; give a writer, msync or munmap 'off' and 'len'");
  }
  shape.constraints.clear();
  for (ActorSpec& a : shape.actors) {
    if (!a.range) continue;
    for (ByteTerm* t : {&a.range->off, &a.range->len}) {
      if (t->symbolic()) *t = ByteTerm{};
    }
  }
  shape.validate_and_resolve();
  Scenario out = s;
  out.resolve_geometry();
  return out;
}

std::vector<RangedActor> ranged_actors(const Scenario& s) {
  std::vector<RangedActor> out;
  for (std::size_t i = 0; i < s.actors.size(); ++i) {
    const ActorSpec& a = s.actors[i];
    if (a.range) out.push_back({s.actor_name(i), *range_rule(a.kind), *a.range});
  }
  return out;
}

std::int64_t value_of(const ByteTerm& t, const Assignment& values) {
  return t.symbolic() ? values.at(t.symbol) : t.value;
}

/// Sorted descriptions of what each actor does: equal for scenarios that differ only in the
/// order of their actors, whose state spaces are the same up to renaming the actors.
std::vector<std::string> actors_up_to_order(const Scenario& s) {
  std::vector<std::string> out;
  for (const ActorSpec& a : s.actors) {
    std::string d = std::string(actor_kind_info(a.kind).name) + " m" + std::to_string(a.mapping) +
                    " p" + std::to_string(a.first_page) + "-" + std::to_string(a.last_page) + " " +
                    std::string(to_string(a.outcome));
    if (a.kind == ActorKind::writer) {
      d += " stores " + std::to_string(s.writer_stores(a)) + " to";
      for (int b : s.writer_targets(a)) d += " " + std::to_string(b);
    }
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The Z3 side: symbols, implicit bounds, constraints and each actor's footprint as terms.
class Encoding {
 public:
  Encoding(z3::context& ctx, const Scenario& s, const ConstraintContext& cc)
      : ctx_(ctx), g_(s.geometry()) {
    for (const std::string& name : cc.symbols()) {
      const z3::expr v = ctx_.int_const(name.c_str());
      vars_.emplace(name, v);
      assertions_.push_back(v >= 0 && v <= ctx_.int_val(kMaxByteValue));
    }
    for (const RangedActor& a : cc.actors) {
      const z3::expr off = term(a.range.off), len = term(a.range.len);
      const z3::expr file = ctx_.int_val(g_.file_size());
      if (!s.beyond_file) assertions_.push_back(off + len <= file);
      // As footprint() in byte_range.cpp.
      z3::expr einval = ctx_.bool_val(false);
      if (a.rule != RangeRule::memcpy) einval = z3::mod(off, ctx_.int_val(g_.page_size)) != 0;
      if (a.rule == RangeRule::munmap) einval = einval || len == 0;
      const z3::expr end = z3::ite(off + len < file, off + len, file);
      const z3::expr touches = !einval && end > off;
      const z3::expr unit =
          ctx_.int_val(a.rule == RangeRule::memcpy ? g_.block_size : g_.page_size);
      const z3::expr zero = ctx_.int_val(0);
      const z3::expr kind =
          z3::ite(einval, ctx_.int_val(static_cast<int>(RangeOutcome::einval)),
                  z3::ite(touches, ctx_.int_val(static_cast<int>(RangeOutcome::touches)),
                          ctx_.int_val(static_cast<int>(RangeOutcome::nothing))));
      footprint_.push_back(
          {kind, z3::ite(touches, off / unit, zero), z3::ite(touches, (end - 1) / unit, zero)});
    }
  }

  z3::expr term(const ByteTerm& t) const {
    return t.symbolic() ? vars_.at(t.symbol) : ctx_.int_val(t.value);
  }

  z3::expr translate(const Expr& e) const {
    using Op = Expr::Op;
    const auto arg = [&](std::size_t i) { return translate(e.args[i]); };
    switch (e.op) {
      case Op::constant:
        return ctx_.int_val(e.value);
      case Op::var:
        return vars_.at(e.name);
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::land:
      case Op::lor: {
        // A chain is one n-ary term, as deep as one link (Z3_mk_sub and _mul fold from the left).
        z3::expr_vector args(ctx_);
        std::vector<Z3_ast> raw;
        for (const Expr& a : e.args) {
          args.push_back(translate(a));
          raw.push_back(args.back());
        }
        if (e.op == Op::add) return z3::sum(args);
        if (e.op == Op::land) return z3::mk_and(args);
        if (e.op == Op::lor) return z3::mk_or(args);
        const auto n = static_cast<unsigned>(raw.size());
        const Z3_ast r =
            e.op == Op::sub ? Z3_mk_sub(ctx_, n, raw.data()) : Z3_mk_mul(ctx_, n, raw.data());
        ctx_.check_error();
        return z3::expr(ctx_, r);
      }
      case Op::neg:
        return -arg(0);
      case Op::div:  // Z3's integer division and mod are floor ones for a positive divisor
        return arg(0) / arg(1);
      case Op::mod:
        return z3::mod(arg(0), arg(1));
      default:  // comparisons and logic
        return apply_truth_operator<z3::expr>(e.op, arg);
    }
  }

  struct Terms {
    z3::expr kind, first, last;
  };
  const std::vector<z3::expr>& assertions() const { return assertions_; }
  const std::vector<Terms>& footprint() const { return footprint_; }
  const std::map<std::string, z3::expr>& vars() const { return vars_; }

 private:
  z3::context& ctx_;
  Geometry g_;
  std::map<std::string, z3::expr> vars_;
  std::vector<z3::expr> assertions_;
  std::vector<Terms> footprint_;
};

std::int64_t int_value(const z3::model& m, const z3::expr& e) {
  std::int64_t v = 0;
  if (!m.eval(e, true).is_numeral_i64(v)) throw std::logic_error("Z3 gave a value beyond 64 bits");
  return v;
}

}  // namespace

ConstraintContext constraint_context(const Scenario& s) {
  Scenario resolved = s;
  resolved.resolve_geometry();
  return {resolved.geometry(), ranged_actors(resolved)};
}

std::vector<Expr> parse_constraints(const Scenario& s) {
  const ConstraintContext cc = constraint_context(s);
  std::vector<Expr> out;
  for (const std::string& c : s.constraints) out.push_back(parse_constraint(c, cc));
  return out;
}

Scenario concrete_scenario(const Scenario& s, const Assignment& values) {
  Scenario c = s;
  c.constraints.clear();
  for (ActorSpec& a : c.actors) {
    if (!a.range) continue;
    a.range = ByteRange{{value_of(a.range->off, values), {}}, {value_of(a.range->len, values), {}}};
  }
  c.validate_and_resolve();
  return c;
}

std::vector<Footprint> footprints_at(const Scenario& s, const Assignment& values) {
  std::vector<Footprint> out;
  for (const RangedActor& a : ranged_actors(s)) {
    out.push_back(footprint(a.rule, value_of(a.range.off, values), value_of(a.range.len, values),
                            s.geometry()));
  }
  return out;
}

bool admits(const Scenario& s, const std::vector<Expr>& constraints, const Assignment& values) {
  for (const auto& [name, v] : values) {
    if (v < 0 || v > kMaxByteValue) return false;
  }
  if (!s.beyond_file) {
    for (const RangedActor& a : ranged_actors(s)) {
      if (value_of(a.range.off, values) + value_of(a.range.len, values) > s.geometry().file_size())
        return false;
    }
  }
  return std::all_of(constraints.begin(), constraints.end(),
                     [&](const Expr& e) { return evaluate(e, values) != 0; });
}

std::uint64_t for_each_assignment(const Scenario& scenario, std::int64_t max_value,
                                  const std::function<void(const Assignment&)>& visit) {
  const Scenario s = checked_shape(scenario);
  const std::vector<Expr> constraints = parse_constraints(s);
  const std::vector<std::string> symbols = constraint_context(s).symbols();
  Assignment values;
  for (const auto& name : symbols) values[name] = 0;
  std::uint64_t count = 0;
  while (true) {
    if (admits(s, constraints, values)) {
      ++count;
      visit(values);
    }
    std::size_t i = symbols.size();
    while (i > 0 && values[symbols[i - 1]] == max_value) values[symbols[--i]] = 0;
    if (i == 0) return count;
    ++values[symbols[i - 1]];
  }
}

Enumeration enumerate_footprints(const Scenario& scenario, const FootprintOptions& options) {
  const Scenario s = checked_shape(scenario);
  const ConstraintContext cc = constraint_context(s);
  const std::vector<Expr> constraints = parse_constraints(s);
  Enumeration out;
  out.candidates = 1;
  for (const RangedActor& a : cc.actors) {
    if (a.range.symbolic()) out.candidates *= footprint_count(a.rule, s.geometry());
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::pair<std::vector<Footprint>, Assignment>> found;
  // A class costs its footprints and witness here, then a concrete scenario in out.classes.
  const std::uint64_t per_class = sizeof(FootprintClass) + sizeof(Scenario) +
                                  s.actors.size() * (sizeof(ActorSpec) + sizeof(ActorFootprint)) +
                                  cc.symbols().size() * 96 + 256;
  const auto out_of_memory = [&] {
    return options.max_memory_bytes &&
           Z3_get_estimated_alloc_size() + found.size() * per_class > options.max_memory_bytes;
  };
  try {
    // Checked between Z3's checks, each bounded by the rlimit. (Z3's own memory_max_size is
    // no help: once reached, Z3 4.8.12 fails inside its next call instead of answering unknown.)
    z3::context ctx;
    z3::solver solver(ctx);
    if (options.rlimit) {
      z3::params p(ctx);
      p.set("rlimit", options.rlimit);
      solver.set(p);
    }
    const Encoding enc(ctx, s, cc);
    for (const z3::expr& a : enc.assertions()) solver.add(a);
    for (const Expr& c : constraints) solver.add(enc.translate(c));
    while (true) {
      if (out_of_memory()) {
        out.complete = false;
        out.unknown_reason = "memory limit reached";
        break;
      }
      ++out.checks;
      const z3::check_result r = solver.check();
      if (r == z3::unsat) break;
      if (r == z3::unknown) {
        out.complete = false;
        out.unknown_reason = solver.reason_unknown();
        break;
      }
      const z3::model m = solver.get_model();
      std::vector<Footprint> fp;
      z3::expr other = ctx.bool_val(false);
      for (const auto& t : enc.footprint()) {
        const Footprint f{static_cast<RangeOutcome>(int_value(m, t.kind)),
                          static_cast<int>(int_value(m, t.first)),
                          static_cast<int>(int_value(m, t.last))};
        fp.push_back(f);
        other = other || t.kind != ctx.int_val(static_cast<int>(f.outcome)) ||
                t.first != ctx.int_val(f.first) || t.last != ctx.int_val(f.last);
      }
      Assignment witness;
      for (const auto& [name, v] : enc.vars()) witness[name] = int_value(m, v);
      found.emplace_back(std::move(fp), std::move(witness));
      solver.add(other);
    }
  } catch (const z3::exception& e) {
    throw std::logic_error(std::string("Z3 failed: ") + e.msg());
  }
  out.z3_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::sort(found.begin(), found.end());
  std::map<std::vector<std::string>, std::size_t> seen;
  for (auto& [fp, witness] : found) {
    // The witness must mean what Z3 said it means under the model's own rules.
    if (!admits(s, constraints, witness) || footprints_at(s, witness) != fp) {
      throw std::logic_error("Z3's witness " + std::to_string(out.classes.size()) +
                             " disagrees with the concrete footprint rules");
    }
    FootprintClass c;
    c.witness = witness;
    c.scenario = concrete_scenario(s, witness);
    for (std::size_t i = 0, k = 0; i < s.actors.size(); ++i) {
      const ActorSpec& a = c.scenario.actors[i];
      if (!a.range) continue;
      c.actors.push_back({i, s.actor_name(i), *range_rule(a.kind), a.range->off.value,
                          a.range->len.value, fp[k++]});
    }
    const auto [it, fresh] = seen.emplace(actors_up_to_order(c.scenario), out.classes.size());
    if (!fresh) c.duplicate_of = it->second;
    out.classes.push_back(std::move(c));
  }
  return out;
}

}  // namespace dirtyrace::model
