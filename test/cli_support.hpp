#pragma once
// Running the dirtyrace program as a user does, for the tests of its commands (cli_test,
// explain_test, show_test, offsets_test): one place for the scratch directory, the shell command
// and the capture of exit code, stdout and stderr, so that every test runs the binary the same way.

#include <stdlib.h>  // mkdtemp
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dirtyrace::test {

/// What one run of the program gave back.
struct Run {
  int code;
  std::string out;
  std::string err;
};

/// The whole content of a file, byte for byte (empty if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A fresh directory under the system's temporary directory, removed with everything in it when
/// the Scratch goes. `s / "t.json"` is the path of a file in it, as a string for a command line.
struct Scratch {
  std::filesystem::path dir;
  Scratch() {
    std::string templ = (std::filesystem::temp_directory_path() / "dirtyrace-test-XXXXXX").string();
    dir = mkdtemp(templ.data());
  }
  ~Scratch() { std::filesystem::remove_all(dir); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
  }
};

/// Runs `prefix` + the dirtyrace binary + " " + `args` through the shell, with stdin from
/// `input`. `prefix` goes before the command as it is: an environment setting such as
/// "PATH=/nonexistent " or a wrapper such as "timeout 5 ".
inline Run run_dirtyrace(const std::string& args, const std::string& input = "/dev/null",
                         const std::string& prefix = "") {
  const Scratch s;
  const std::string cmd = prefix + std::string(DIRTYRACE_BINARY) + " " + args + " >" + s / "out" +
                          " 2>" + s / "err" + " <" + input;
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(s / "out"), slurp(s / "err")};
}

}  // namespace dirtyrace::test
