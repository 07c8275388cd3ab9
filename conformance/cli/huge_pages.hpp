// SPDX-License-Identifier: MIT
// huge_pages.hpp: the simulating commands run with glibc's malloc asking for transparent
// huge pages.
//
// A simulated run allocates a few KiB per transfer (its trace events, the engine's and the
// world's objects) and writes each byte about once, so on a kernel that gives huge pages
// only on request ("[madvise]"), most of its time can go to faulting in 4 KiB pages one by
// one: 10,000 transfers fault 20,000 times. glibc's malloc asks for huge pages when the
// tunable glibc.malloc.hugetlb=1 is set, and reads tunables only when a process starts;
// so such a command starts itself once more with the tunable added, and puts
// GLIBC_TUNABLES back as it was before anything else runs, for the processes it starts.
// A tunable glibc.malloc.hugetlb already set (to anything) is left alone: setting it to 0
// turns this off.
#pragma once

#include <optional>
#include <string>

namespace ms::cli {

// The environment variable that carries GLIBC_TUNABLES's value from before the restart
// ("=" + value, or "" when it was unset).
inline constexpr const char* kTunablesBeforeVariable = "MULTISOCK_TUNABLES_BEFORE";

// GLIBC_TUNABLES with the huge-page tunable added to `current` (nullptr: unset), or
// nullopt when `current` sets that tunable already.
std::optional<std::string> tunables_with_huge_pages(const char* current);

// Whether the kernel gives transparent huge pages on request only, from the text of
// /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never").
bool huge_pages_on_request(const std::string& enabled_text);

// In a restarted process: GLIBC_TUNABLES as it was, the carrier variable gone. Else, for a
// command that simulates (`command`), where the kernel gives huge pages on request only
// and the tunable is not set: starts this program again with it (returns only if that
// fails). Call first in main, before any thread or output.
void restart_with_huge_pages(const std::string& command, char** argv);

}  // namespace ms::cli
