// SPDX-License-Identifier: MIT
// library_heap_state.hpp: what the library heap's scopes (library_heap.cpp) and its
// allocator (library_heap_malloc.cpp) share. Private to simnet/interpose.
#pragma once

#include <atomic>

namespace ms::sim::heap_state {

// Whether this thread runs library code (LibraryCode and HostCode scopes set it).
extern constinit thread_local bool in_library;
// Whether library code allocates from the library heap (LibraryHeap::use, in a program
// that links the allocator).
extern std::atomic<bool> on;

}  // namespace ms::sim::heap_state

// Defined by the allocator's object (ms_link_library_heap) in a build without a sanitizer's
// allocator; its address is null in a program without it.
extern "C" const char ms_library_heap_allocator __attribute__((weak));
