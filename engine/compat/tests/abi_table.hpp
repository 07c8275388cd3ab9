// SPDX-License-Identifier: MIT
// abi_table.hpp: the compatibility header's constants and layouts as data, gathered once
// against our header (abi_compat.cpp) and once against libcurl's (abi_system.cpp), so a
// test can compare the two name by name.
#pragma once

#include <string>
#include <vector>

namespace ms::compat_test {

struct Entry {
  std::string name;
  long long value;
};
std::vector<Entry> compat_table();
std::vector<Entry> system_table();

}  // namespace ms::compat_test
