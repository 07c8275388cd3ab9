// SPDX-License-Identifier: MIT
// registry.hpp: the live handles. Multi, easy and share handles live in arenas of their own
// (handle_arena.hpp): a pointer is a valid handle only if it is a taken slot of the right
// arena, so a freed, random or wrong-kind pointer is refused without being dereferenced, at
// a cost that does not grow with the number of handles.
#pragma once

#include <new>
#include <utility>

struct ms_multi;
struct ms_easy;
struct ms_share;

namespace ms::registry {

// Memory for a new handle (nullptr when out of memory); the caller constructs in it.
void* allocate_multi();
void* allocate_easy();
void* allocate_share();
// Destroys a handle made in that memory and frees its slot.
void destroy(ms_multi* m);
void destroy(ms_easy* e);
void destroy(ms_share* s);
bool live(const ms_multi* m);
bool live(const ms_easy* e);
bool live(const ms_share* s);

// A handle constructed in its arena; nullptr when out of memory.
template <class Handle, class... Args>
Handle* make(void* memory, Args&&... args) {
  return memory ? new (memory) Handle(std::forward<Args>(args)...) : nullptr;
}

}  // namespace ms::registry
