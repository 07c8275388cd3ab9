// SPDX-License-Identifier: MIT
// The compatibility header's side of abi_test (built with engine/compat/include first).
#include <curl/curl.h>
#ifndef MULTISOCK_COMPAT
#error "this file must see the compatibility header"
#endif
#include "abi_gather.inc"

std::vector<ms::compat_test::Entry> ms::compat_test::compat_table() { return gather(); }
