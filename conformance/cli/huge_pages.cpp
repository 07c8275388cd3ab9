// SPDX-License-Identifier: MIT
// huge_pages.cpp: see huge_pages.hpp.
#include "cli/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ms::cli {

namespace {

constexpr const char* kTunable = "glibc.malloc.hugetlb";

bool sanitized_build() {
#if defined(__SANITIZE_ADDRESS__)
  return true;  // the sanitizer's allocator is not glibc's: the tunable does nothing
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

// The commands whose runs are simulated in this process. A bench worker measures a
// library over real sockets as its users run it, so it is left as it starts.
bool simulates(const std::string& command, char** argv) {
  if (command == "conform" || command == "replay" || command == "shrink") return true;
  if (command != "bench") return false;
  for (char** a = argv; *a; ++a)
    if (std::strcmp(*a, "--worker") == 0) return false;
  return true;
}

}  // namespace

std::optional<std::string> tunables_with_huge_pages(const char* current) {
  const std::string now = current ? current : "";
  // Tunables are name=value pairs separated by ':'; a name is looked for whole.
  std::stringstream pairs(now);
  for (std::string pair; std::getline(pairs, pair, ':');)
    if (pair.compare(0, pair.find('='), kTunable) == 0) return std::nullopt;
  return (now.empty() ? "" : now + ":") + kTunable + "=1";
}

bool huge_pages_on_request(const std::string& enabled_text) {
  return enabled_text.find("[madvise]") != std::string::npos;
}

void restart_with_huge_pages(const std::string& command, char** argv) {
  if (const char* before = std::getenv(kTunablesBeforeVariable)) {  // the restarted process
    if (before[0] == '=')
      setenv("GLIBC_TUNABLES", before + 1, 1);
    else
      unsetenv("GLIBC_TUNABLES");
    unsetenv(kTunablesBeforeVariable);
    return;
  }
  if (sanitized_build() || !simulates(command, argv)) return;
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text;
  if (!enabled || !std::getline(enabled, text) || !huge_pages_on_request(text)) return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::optional<std::string> wanted = tunables_with_huge_pages(current);
  if (!wanted) return;
  // A copy: setenv may free what getenv returned.
  const std::optional<std::string> was = current ? std::optional<std::string>(current) : std::nullopt;
  setenv(kTunablesBeforeVariable, was ? ("=" + *was).c_str() : "", 1);
  setenv("GLIBC_TUNABLES", wanted->c_str(), 1);
  execv("/proc/self/exe", argv);
  // Not restarted (no /proc): on as it is.
  if (was)
    setenv("GLIBC_TUNABLES", was->c_str(), 1);
  else
    unsetenv("GLIBC_TUNABLES");
  unsetenv(kTunablesBeforeVariable);
}

}  // namespace ms::cli
