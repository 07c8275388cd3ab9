// SPDX-License-Identifier: MIT
// library_heap.hpp: the memory a library allocates in the simulated world, at addresses
// that depend only on the library's own allocations.
//
// A library may order its work by the addresses of its objects (libcurl 7.88 walks the
// transfers of a shared socket in a hash keyed by their easy handles' addresses). In the
// program's heap those addresses depend on everything the program allocated before, so a
// program built anew (a field more in its driver) would move them and with them the
// library's trace. Once use() is called (in the child that runs one scenario), malloc and
// its family, called while library code runs, come from a heap of fixed address that only
// library code allocates from; host code (the driver, its callbacks, the world serving a
// call) allocates from the C library's heap as before. free and realloc go by the block's
// address, whoever calls them.
//
// Library code is entered through LibraryCode scopes (the driver's calls into the library,
// the library's threads) and left through HostCode scopes (the driver's callbacks, the
// calls the world serves). Per thread; the default is host code.
//
// In a build with a sanitizer that has its own allocator (ASan, TSan, MSan) the program
// defines no malloc and use() does nothing: there, a library's addresses stay those of the
// program's heap.
#pragma once

#include <cstddef>

namespace ms::sim {

class LibraryHeap {
 public:
  // From now on library code allocates from the library heap (for the process's life).
  static void use();
  static bool in_use();
  // Whether p is a block of the library heap.
  static bool holds(const void* p);
  // Bytes of the library heap handed out and not given back (blocks' usable sizes).
  static std::size_t bytes_in_use();
  // For tests of the above: every entry into host code allocates a block of the program's
  // heap and keeps it, as a program that allocates more would.
  static void add_host_noise();
};

// Code of the library runs in this scope (restores the thread's previous state after).
class LibraryCode {
 public:
  LibraryCode();
  ~LibraryCode();
  LibraryCode(const LibraryCode&) = delete;
  LibraryCode& operator=(const LibraryCode&) = delete;

 private:
  bool was_;
};

// The same for code that enters library code in one call and leaves it in another:
// enter_library_code() returns what restore_code() needs.
bool enter_library_code();
void restore_code(bool was);

// Host code runs in this scope, when `enter` (a call the world may or may not serve).
class HostCode {
 public:
  explicit HostCode(bool enter = true);
  ~HostCode();
  HostCode(const HostCode&) = delete;
  HostCode& operator=(const HostCode&) = delete;

 private:
  bool was_;
};

}  // namespace ms::sim
