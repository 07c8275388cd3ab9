// SPDX-License-Identifier: MIT
// huge_pages.hpp: the simulating commands keep their heap in transparent huge pages.
//
// A simulated run allocates a few KiB per transfer (its trace events, the engine's and the
// world's objects) and writes each byte about once, so on a kernel that gives huge pages
// only on request ("[madvise]"), much of its time goes to faulting in 4 KiB pages one by
// one: 10,000 transfers fault about 19,500 times. Such a command, first thing, has malloc
// grow its heap by a large reserve (address space only: nothing is touched), asks the
// kernel for huge pages over it, has the next blocks begin at its first whole huge page
// (wherever the heap happened to start), and keeps malloc from giving it back or from
// serving large blocks (a long trace) from separate mappings. A heap that outgrows the
// reserve goes on in ordinary pages. GLIBC_TUNABLES setting glibc.malloc.hugetlb (to
// anything; 0 turns huge pages off) leaves malloc as glibc sets it up, and so does a
// library target (`lib:`), whose runs happen in children with an address-space limit.
#pragma once

#include <string>

namespace ms::cli {

// Whether GLIBC_TUNABLES's value (nullptr: unset) sets the tunable glibc.malloc.hugetlb.
bool sets_huge_page_tunable(const char* tunables);

// Whether the kernel gives transparent huge pages on request only, from the text of
// /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never").
bool huge_pages_on_request(const std::string& enabled_text);

// For a command that simulates (`command`; argv for its options), on such a kernel and
// without the tunable: the reserve described above. Call first in main, before threads.
// Returns whether it was made.
bool reserve_huge_page_heap(const std::string& command, char** argv);

}  // namespace ms::cli
