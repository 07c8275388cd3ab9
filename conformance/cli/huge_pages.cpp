// SPDX-License-Identifier: MIT
// huge_pages.cpp: see huge_pages.hpp.
#include "cli/huge_pages.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace ms::cli {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
// Address space, not memory; small beside the 4 GiB of address space an isolated child
// may use (conformance/isolate.hpp), which inherits it.
constexpr std::size_t kReserve = std::size_t{256} << 20;
constexpr int kDefaultTopPad = 128 << 10;  // mallopt(3)'s default for M_TOP_PAD
constexpr int kLargestHeapBlock = 32 << 20;               // malloc's bound for M_MMAP_THRESHOLD

// The block that fills the heap up to the reserve's first huge page (below), held for the
// process's life: address space only, never touched. Volatile, as a block that is never
// read may be left unmade by the compiler.
void* volatile skipped_gap = nullptr;

bool sanitized_build() {
#if defined(__SANITIZE_ADDRESS__)
  return true;  // the sanitizer's allocator is not glibc's
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

// The commands whose runs the engine simulates in this process. A library target runs in
// children under an address-space limit (conformance/isolate.hpp) that a reserve they
// inherit would eat into; a bench worker measures a library over real sockets as its users
// run it. Both are left as they start.
bool simulates(const std::string& command, char** argv) {
  if (command != "conform" && command != "replay" && command != "shrink" && command != "bench") return false;
  for (char** a = argv; *a; ++a) {
    const std::string_view word = *a;
    if (word == "--worker" || word.starts_with("lib:") || word.starts_with("--target=lib:")) return false;
  }
  return true;
}

}  // namespace

bool sets_huge_page_tunable(const char* tunables) {
  // Tunables are name=value pairs separated by ':'; a name is compared whole.
  std::stringstream pairs(tunables ? tunables : "");
  for (std::string pair; std::getline(pairs, pair, ':');)
    if (pair.substr(0, pair.find('=')) == "glibc.malloc.hugetlb") return true;
  return false;
}

bool huge_pages_on_request(const std::string& enabled_text) {
  return enabled_text.find("[madvise]") != std::string::npos;
}

bool reserve_huge_page_heap(const std::string& command, char** argv) {
  if (sanitized_build() || !simulates(command, argv) || sets_huge_page_tunable(std::getenv("GLIBC_TUNABLES")))
    return false;
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text;
  if (!enabled || !std::getline(enabled, text) || !huge_pages_on_request(text)) return false;
  // Large blocks from the heap too, the heap never trimmed, and grown by the reserve at
  // its next growth, which the block below forces.
  if (mallopt(M_MMAP_THRESHOLD, kLargestHeapBlock) != 1 || mallopt(M_TRIM_THRESHOLD, static_cast<int>(kReserve)) != 1 ||
      mallopt(M_TOP_PAD, static_cast<int>(kReserve)) != 1)
    return false;
  void* block = std::malloc(kHugePage);
  if (block == nullptr) return false;
  const auto start = reinterpret_cast<std::uintptr_t>(block);  // where the heap's free top begins
  std::free(block);
  const auto after = reinterpret_cast<std::uintptr_t>(sbrk(0));
  mallopt(M_TOP_PAD, kDefaultTopPad);  // later growth in small steps, as before
  // The whole huge pages of the new part of the heap that malloc has not written to: from
  // the first boundary past the block's end, where growing the heap wrote the rest's header
  // (a huge page with one 4 KiB page in place is faulted in 4 KiB pages, 512 faults).
  constexpr std::uintptr_t kChunkHeader = 2 * sizeof(std::size_t);  // malloc's, before a block
  const std::uintptr_t block_end = start + kHugePage + 2 * kChunkHeader;
  const std::uintptr_t from = (block_end + kHugePage - 1) / kHugePage * kHugePage;
  const std::uintptr_t to = after / kHugePage * kHugePage;
  if (to <= from || madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE) != 0) return false;
  // The heap's blocks would go on from `start`, whose place in a huge page is random (so is
  // the heap's start), and the pages up to `from` would be faulted 4 KiB at a time (up to
  // 1,024 faults, some milliseconds on a virtual machine): a block never touched nor freed
  // takes that space, and the next blocks begin at `from`. Made only now, with the range
  // advised, as its end's header is written at `from`.
  skipped_gap = std::malloc(from - start - 2 * kChunkHeader);
  return true;
}

}  // namespace ms::cli
