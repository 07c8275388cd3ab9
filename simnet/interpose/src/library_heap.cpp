// SPDX-License-Identifier: MIT
// library_heap.cpp: see library_heap.hpp. The scopes and the switch; the heap itself and
// the C library's allocation functions are in library_heap_malloc.cpp.
#include "simnet/library_heap.hpp"

#include <cstdlib>

#include "library_heap_state.hpp"

namespace ms::sim {

namespace heap_state {
constinit thread_local bool in_library = false;
std::atomic<bool> on{false};
}  // namespace heap_state

namespace {
std::atomic<bool> g_host_noise{false};
void* volatile g_noise_block = nullptr;  // the last one (kept: never elided)
std::atomic<unsigned> g_noise_count{0};
}  // namespace

void LibraryHeap::use() {
  if (&ms_library_heap_allocator != nullptr) heap_state::on.store(true, std::memory_order_relaxed);
}
bool LibraryHeap::in_use() { return heap_state::on.load(std::memory_order_relaxed); }
void LibraryHeap::add_host_noise() { g_host_noise.store(true, std::memory_order_relaxed); }

bool enter_library_code() {
  const bool was = heap_state::in_library;
  heap_state::in_library = true;
  return was;
}
void restore_code(bool was) { heap_state::in_library = was; }

LibraryCode::LibraryCode() : was_(enter_library_code()) {}
LibraryCode::~LibraryCode() { restore_code(was_); }

HostCode::HostCode(bool enter) : was_(heap_state::in_library) {
  if (!enter) return;
  heap_state::in_library = false;
  if (g_host_noise.load(std::memory_order_relaxed))
    g_noise_block = std::malloc(24 + g_noise_count.fetch_add(1, std::memory_order_relaxed) % 97);
}
HostCode::~HostCode() { restore_code(was_); }

}  // namespace ms::sim
