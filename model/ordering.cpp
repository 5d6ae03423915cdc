#include "model/ordering.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "model/error.hpp"

namespace dirtyrace::model {

std::string_view dependency_name(Dependency d) {
  switch (d) {
    case Dependency::control:
      return "control";
    case Dependency::data:
      return "data";
    case Dependency::lock:
      return "lock";
    case Dependency::entry:
      return "entry";
    case Dependency::user:
      return "user";
  }
  return "?";
}

namespace {

bool is_op(const Item& item) {
  return item.kind == Item::Kind::step || item.kind == Item::Kind::call;
}

std::string_view op_name(const Item& item) {
  return item.kind == Item::Kind::step ? item.step->name : item.routine;
}

/// The ids of a routine's items: the op's name, "#k" added when several ops share it; labels
/// and jumps get none.
std::vector<std::string> item_ids(const std::vector<Item>& items) {
  std::map<std::string_view, int> total, seen;
  for (const Item& item : items) {
    if (is_op(item)) ++total[op_name(item)];
  }
  std::vector<std::string> ids;
  for (const Item& item : items) {
    if (!is_op(item)) {
      ids.emplace_back();
      continue;
    }
    const std::string_view name = op_name(item);
    std::string id(name);
    if (total[name] > 1) id += "#" + std::to_string(++seen[name]);
    ids.push_back(std::move(id));
  }
  return ids;
}

/// Index of the stretch between labels and jumps that each item lies in.
std::vector<std::size_t> segments(const std::vector<Item>& items) {
  std::vector<std::size_t> out;
  std::size_t segment = 0;
  for (const Item& item : items) {
    if (!is_op(item)) ++segment;
    out.push_back(segment);
  }
  return out;
}

/// The page-lock effects met on the straight-line path through an item, calls expanded.
void lock_effects(const RoutineTable& table, const Item& item, std::vector<PageLock>& out) {
  if (item.kind == Item::Kind::step) {
    if (item.step->page_lock != PageLock::none) out.push_back(item.step->page_lock);
  } else if (item.kind == Item::Kind::call) {
    for (const Item& inner : table.get(item.routine)) lock_effects(table, inner, out);
  }
}

/// A lock boundary: an op that leaves the page lock taken or dropped. A call that takes the
/// lock and drops it again (write_cache_pages) is not one.
bool is_lock_boundary(const RoutineTable& table, const Item& item) {
  std::vector<PageLock> effects;
  lock_effects(table, item, effects);
  if (effects.empty()) return false;
  return !(effects.front() == PageLock::acquire && effects.back() == PageLock::release &&
           item.kind == Item::Kind::call);
}

/// The locals an op reads before writing them (a call's, along its items in order) and the
/// locals it may write.
struct LocalUse {
  VarSet reads = 0;
  VarSet writes = 0;
};

/// The labels that items of `routine`, or the routines it calls, may jump or skip to and that
/// `routine` does not define: where a call of it may come out other than at its end.
std::uint16_t escapes(const RoutineTable& table, std::string_view routine) {
  std::uint16_t out = 0, defined = 0;
  for (const Item& item : table.get(routine)) {
    if (item.kind == Item::Kind::step) {
      out |= item.step->jumps;
      if (item.step->skip && item.step->skip_to != Target::count) {
        out |= jumps_to({item.step->skip_to});
      }
    } else if (item.kind == Item::Kind::call) {
      out |= escapes(table, item.routine);
    } else if (item.kind == Item::Kind::label) {
      defined |= jumps_to({item.target});
    } else {
      out |= jumps_to({item.target});
    }
  }
  return static_cast<std::uint16_t>(out & ~defined);
}

LocalUse local_use(const RoutineTable& table, const Item& item) {
  if (item.kind == Item::Kind::step) {
    return {item.step->reads & kLocalVars, item.step->writes & kLocalVars};
  }
  LocalUse use;
  if (item.kind != Item::Kind::call) return use;
  // Forward data flow over the callee's items: `written` is what every path from its start has
  // certainly written when it reaches an item; a label joins what the jumps and skips to it
  // carry (from either direction, hence the fixed point). A read of a local not yet written is
  // a read from before the call.
  const std::vector<Item>& items = table.get(item.routine);
  constexpr VarSet kAll = ~VarSet{0};
  std::array<VarSet, kTargets> arriving;
  arriving.fill(kAll);
  for (bool changed = true; changed;) {
    changed = false;
    std::array<VarSet, kTargets> next;
    next.fill(kAll);
    const auto jump = [&](std::uint16_t targets, VarSet carried) {
      for (int t = 0; t < kTargets; ++t) {
        if ((targets >> t) & 1) next[static_cast<std::size_t>(t)] &= carried;
      }
    };
    VarSet written = 0;  // kAll: no path falls through to here
    use = {};
    for (const Item& inner : items) {
      switch (inner.kind) {
        case Item::Kind::label:
          written &= arriving[static_cast<std::size_t>(inner.target)];
          break;
        case Item::Kind::jump:
          jump(jumps_to({inner.target}), written);
          written = kAll;
          break;
        case Item::Kind::call: {
          const LocalUse u = local_use(table, inner);
          use.reads |= u.reads & ~written;
          use.writes |= u.writes;
          jump(escapes(table, inner.routine), written);  // a call writes nothing for certain
          break;
        }
        case Item::Kind::step: {
          const Step& st = *inner.step;
          use.reads |= st.reads & kLocalVars & ~written;
          use.writes |= st.writes & kLocalVars;
          // A local written on some paths only is declared read too: the rest are certain.
          const VarSet taken = written | (st.writes & ~st.reads & kLocalVars);
          jump(st.jumps, taken);
          if (st.skip && st.skip_to != Target::count) jump(jumps_to({st.skip_to}), written);
          written = st.skip && st.skip_to == Target::count ? written & taken : taken;
          break;
        }
      }
    }
    if (next != arriving) {
      arriving = next;
      changed = true;
    }
  }
  return use;
}

std::string known_ops(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (id.empty()) continue;
    out += (out.empty() ? "" : ", ") + id;
  }
  return out;
}

}  // namespace

DependencyGraph::DependencyGraph(const RoutineTable& table, std::string_view routine)
    : routine_(routine) {
  if (!table.has(routine)) {
    throw UsageError("no routine '" + echo(routine) +
                     "' in this variant (dirtyrace orderings --list-routines lists them)");
  }
  const std::vector<Item>& items = table.get(routine);
  const std::vector<std::string> ids = item_ids(items);
  for (std::size_t i = 0; i < items.size(); ++i) {
    boost::add_vertex(Vertex{items[i], ids[i]}, graph_);
  }
  add_dependencies(table);
}

void DependencyGraph::add_dependencies(const RoutineTable& table) {
  const auto n = boost::num_vertices(graph_);
  std::vector<Item> items;
  for (VertexId v = 0; v < n; ++v) items.push_back(graph_[v].item);
  const std::vector<std::size_t> segment = segments(items);
  const auto add = [&](VertexId u, VertexId v, Dependency why, VarSet locals = 0) {
    for (const auto& e : boost::make_iterator_range(boost::out_edges(u, graph_))) {
      if (boost::target(e, graph_) == v && graph_[e].why == why) return;
    }
    boost::add_edge(u, v, EdgeKind{why, locals}, graph_);
  };
  for (VertexId u = 0; u < n; ++u) {
    for (VertexId v = u + 1; v < n; ++v) {
      // Labels and jumps stay where they are: everything before one stays before it.
      if (!is_op(items[u]) || !is_op(items[v])) add(u, v, Dependency::control);
    }
  }
  // A local one op writes and a later one reads (or an earlier one reads and a later one
  // writes) ties the two: swapping them would change what the reader sees.
  std::vector<LocalUse> use;
  for (VertexId v = 0; v < n; ++v) use.push_back(local_use(table, items[v]));
  for (VertexId u = 0; u < n; ++u) {
    for (VertexId v = u + 1; v < n && is_op(items[u]); ++v) {
      if (!is_op(items[v]) || segment[v] != segment[u]) continue;
      const VarSet tie = (use[u].writes & use[v].reads) | (use[u].reads & use[v].writes);
      if (tie != 0) add(u, v, Dependency::data, tie);
    }
  }
  for (VertexId v = 0; v < n; ++v) {
    if (items[v].kind == Item::Kind::step && items[v].step->entry) {
      for (VertexId w = v + 1; w < n && segment[w] == segment[v]; ++w) {
        add(v, w, Dependency::entry);
      }
    }
  }
  // Every op keeps its side of each lock boundary of its stretch; boundaries keep their order.
  for (VertexId b = 0; b < n; ++b) {
    if (!is_op(items[b]) || !is_lock_boundary(table, items[b])) continue;
    for (VertexId v = 0; v < n; ++v) {
      if (v == b || segment[v] != segment[b] || !is_op(items[v])) continue;
      if (v < b) add(v, b, Dependency::lock);
      if (v > b) add(b, v, Dependency::lock);
    }
  }
}

std::vector<std::string> DependencyGraph::op_ids() const {
  std::vector<std::string> out;
  for (VertexId v = 0; v < boost::num_vertices(graph_); ++v) {
    if (!graph_[v].id.empty() && !graph_[v].dropped) out.push_back(graph_[v].id);
  }
  return out;
}

DependencyGraph::VertexId DependencyGraph::op_named(std::string_view name) const {
  std::vector<VertexId> matches;
  std::vector<std::string> ids;
  for (VertexId v = 0; v < boost::num_vertices(graph_); ++v) {
    const Vertex& x = graph_[v];
    if (x.id.empty() || x.dropped) continue;
    ids.push_back(x.id);
    if (x.id == name) return v;
    if (op_name(x.item) == name) matches.push_back(v);
  }
  if (matches.size() == 1) return matches.front();
  const std::string what = matches.empty() ? "has no step or call" : "has several steps called";
  throw UsageError("routine '" + routine_ + "' " + what + " '" + echo(name) +
                   "'; its steps and calls: " + known_ops(ids));
}

void DependencyGraph::drop(std::string_view op) {
  const VertexId v = op_named(op);
  boost::clear_vertex(v, graph_);
  graph_[v].dropped = true;
}

void DependencyGraph::add_edge(std::string_view before, std::string_view after) {
  const VertexId u = op_named(before), v = op_named(after);
  if (u == v) throw UsageError("a step cannot come before itself: '" + echo(before) + "'");
  boost::add_edge(u, v, EdgeKind{Dependency::user}, graph_);
}

void DependencyGraph::remove_edge(std::string_view before, std::string_view after) {
  const VertexId u = op_named(before), v = op_named(after);
  for (VertexId w = std::min(u, v); w < std::max(u, v); ++w) {
    if (!is_op(graph_[w].item)) {
      throw UsageError("'" + echo(before) + "' and '" + echo(after) +
                       "' lie on two sides of a label or jump, which no step crosses");
    }
  }
  bool found = false;
  boost::remove_out_edge_if(
      u,
      [&](const Graph::edge_descriptor& e) {
        const bool match = boost::target(e, graph_) == v;
        found = found || match;
        return match;
      },
      graph_);
  if (!found) {
    throw UsageError("'" + echo(after) + "' does not depend on '" + echo(before) +
                     "' (dirtyrace orderings lists the dependencies above its table)");
  }
}

void DependencyGraph::cross_lock(std::string_view op) {
  const VertexId v = op_named(op);
  const auto is_lock = [&](const Graph::edge_descriptor& e) {
    return graph_[e].why == Dependency::lock;
  };
  const bool had =
      std::any_of(boost::out_edges(v, graph_).first, boost::out_edges(v, graph_).second, is_lock) ||
      std::any_of(boost::in_edges(v, graph_).first, boost::in_edges(v, graph_).second, is_lock);
  if (!had) {
    throw UsageError("'" + echo(op) + "' of routine '" + echo(routine_) +
                     "' has no page-lock boundary to cross");
  }
  boost::remove_out_edge_if(v, is_lock, graph_);
  boost::remove_in_edge_if(v, is_lock, graph_);
}

std::vector<DependencyGraph::Edge> DependencyGraph::edges() const {
  std::vector<Edge> out;
  for (const auto& e : boost::make_iterator_range(boost::edges(graph_))) {
    if (graph_[e].why == Dependency::control) continue;
    out.push_back({graph_[boost::source(e, graph_)].id, graph_[boost::target(e, graph_)].id,
                   graph_[e].why, var_names(graph_[e].locals)});
  }
  std::sort(out.begin(), out.end(), [&](const Edge& a, const Edge& b) {
    return std::tie(a.before, a.after, a.why) < std::tie(b.before, b.after, b.why);
  });
  return out;
}

std::vector<std::vector<std::string>> DependencyGraph::orders(std::size_t limit,
                                                              bool& complete) const {
  const auto n = boost::num_vertices(graph_);
  std::vector<int> waiting(n, 0);  // unplaced predecessors of each vertex
  std::size_t live = 0;
  for (VertexId v = 0; v < n; ++v) {
    if (graph_[v].dropped) continue;
    ++live;
    waiting[v] = static_cast<int>(boost::in_degree(v, graph_));
  }
  std::vector<std::vector<std::string>> out;
  std::vector<VertexId> order;
  std::vector<bool> placed(n, false);
  complete = true;
  // Backtracking over the vertices ready at each point, lowest index first, so the routine's
  // own order (all indices increasing) is the first one found when it is valid.
  const auto extend = [&](auto& self) -> void {
    if (!complete) return;
    if (order.size() == live) {
      if (out.size() == limit) {
        complete = false;
        return;
      }
      std::vector<std::string> ids;
      for (VertexId v : order) {
        if (!graph_[v].id.empty()) ids.push_back(graph_[v].id);
      }
      out.push_back(std::move(ids));
      return;
    }
    for (VertexId v = 0; v < n; ++v) {
      if (placed[v] || graph_[v].dropped || waiting[v] != 0) continue;
      placed[v] = true;
      order.push_back(v);
      for (const auto& e : boost::make_iterator_range(boost::out_edges(v, graph_))) {
        --waiting[boost::target(e, graph_)];
      }
      self(self);
      for (const auto& e : boost::make_iterator_range(boost::out_edges(v, graph_))) {
        ++waiting[boost::target(e, graph_)];
      }
      order.pop_back();
      placed[v] = false;
    }
  };
  extend(extend);
  if (out.empty() && live > 0) {
    throw UsageError("the dependencies of routine '" + routine_ +
                     "' form a cycle: no order satisfies them (check the edges you added)");
  }
  return out;
}

std::vector<Item> reordered_items(const RoutineTable& table, const RoutineOrder& order) {
  if (!table.has(order.routine)) {
    throw UsageError("no routine '" + echo(order.routine) + "' in this variant");
  }
  const std::vector<Item>& items = table.get(order.routine);
  const std::vector<std::string> ids = item_ids(items);
  const std::vector<std::size_t> segment = segments(items);
  std::vector<std::size_t> position;  // item index of each listed op, in the new order
  for (const std::string& id : order.ops) {
    const auto it = std::find(ids.begin(), ids.end(), id);
    if (id.empty() || it == ids.end()) {
      throw UsageError("routine '" + echo(order.routine) + "' has no step or call '" + echo(id) +
                       "'; its steps and calls: " + known_ops(ids));
    }
    const auto i = static_cast<std::size_t>(it - ids.begin());
    if (std::find(position.begin(), position.end(), i) != position.end()) {
      throw UsageError("the order of routine '" + echo(order.routine) + "' lists '" + echo(id) +
                       "' twice");
    }
    if (!position.empty() && segment[i] < segment[position.back()]) {
      throw UsageError("the order of routine '" + echo(order.routine) + "' moves '" + echo(id) +
                       "' across a label or jump");
    }
    position.push_back(i);
  }
  // Each stretch between labels and jumps takes its listed ops in their new order.
  std::vector<Item> out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!is_op(items[i])) {
      out.push_back(items[i]);
      continue;
    }
    if (i + 1 < items.size() && is_op(items[i + 1]) && segment[i + 1] == segment[i]) continue;
    while (next < position.size() && segment[position[next]] == segment[i]) {
      out.push_back(items[position[next++]]);
    }
  }
  return out;
}

}  // namespace dirtyrace::model
