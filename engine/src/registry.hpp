// SPDX-License-Identifier: MIT
// registry.hpp: the set of live handles. A pointer is a valid handle only if it is in this
// set AND carries the right magic, so a freed or random pointer is refused without being
// dereferenced (the set is consulted first).
#pragma once

struct ms_multi;
struct ms_easy;

namespace ms::registry {

void add(const ms_multi* m);
void remove(const ms_multi* m);
bool live(const ms_multi* m);
void add(const ms_easy* e);
void remove(const ms_easy* e);
bool live(const ms_easy* e);

}  // namespace ms::registry
