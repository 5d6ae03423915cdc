#pragma once
#include <stdexcept>

namespace dirtyrace::model {

/// Bad input from a user: the message is one line that says what is wrong and how to fix it.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace dirtyrace::model
