// SPDX-License-Identifier: MIT
// data_dir.cpp: where the CLI finds the data it ships (scenario library, known files).
#include "cli/data_dir.hpp"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace ms::cli {

std::string data_dir(const char* env_name, const char* installed_name, const char* source_path) {
  if (const char* env = std::getenv(env_name)) return env;
  // An installed (or unpacked) binary uses the data shipped beside it, even when the
  // source tree it was built from still exists: what it runs is what was packaged. A
  // binary in its build folder has no such folder and uses the source tree's.
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && !self.empty()) {
    const fs::path shipped =
        (self.parent_path() / MS_DATA_FROM_BINDIR / installed_name).lexically_normal();
    if (fs::is_directory(shipped, ec)) return shipped.string();
  }
  return source_path;
}

}  // namespace ms::cli
