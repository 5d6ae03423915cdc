#pragma once
// What must hold (MODEL.md section 4): named predicates over the model's State. A step that
// would trip a kernel BUG_ON only records a ghost flag; no_bug_on reports it.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace dirtyrace::properties {

struct Property {
  std::string_view name;
  std::string_view description;  // one sentence, printed with a violation
  /// Whether the property is in the default set for this scenario.
  bool (*applies)(const model::Model&);
  bool (*holds)(const model::Model&, const model::State&);
  /// For a state where the property fails: what exactly is wrong, in one sentence.
  std::string (*explain)(const model::Model&, const model::State&);
};

/// Every property, in the order they are checked (the first one a state violates is reported).
std::span<const Property> all_properties();
/// The property called `name`; throws model::UsageError naming the valid ones.
const Property& property_named(std::string_view name);
/// The properties to check: those named, or every one that applies when `names` is empty.
std::vector<const Property*> select_properties(const model::Model& m,
                                               const std::vector<std::string>& names);

/// Name of the property a deadlock violates.
inline constexpr std::string_view kNoDeadlock = "no_deadlock";
/// Name of the property checked after the search: every actor can still finish from every
/// reachable state (checker::Counterexample::Kind::no_progress).
inline constexpr std::string_view kCanFinish = "can_finish";

}  // namespace dirtyrace::properties
