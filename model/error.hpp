#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace dirtyrace::model {

/// Bad input from a user: the message is one line that says what is wrong and how to fix it.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The longest piece of the user's own text an error message echoes.
inline constexpr std::size_t kMaxEchoed = 60;

/// The user's text as an error message may echo it: control characters escaped ("\n", "\x01"),
/// so that the message stays one line, and cut to `max` characters with "…" after.
///
///   echo("writer\nflusher") == "writer\\nflusher"
std::string echo(std::string_view text, std::size_t max = kMaxEchoed);

}  // namespace dirtyrace::model
