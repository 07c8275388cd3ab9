// SPDX-License-Identifier: MIT
// libcurl's side of abi_test (built with the system's headers only).
#define CURL_DISABLE_DEPRECATION  // deprecated names are compared too
#include <curl/curl.h>
#ifdef MULTISOCK_COMPAT
#error "this file must see libcurl's own header"
#endif
#include "abi_gather.inc"

std::vector<ms::compat_test::Entry> ms::compat_test::system_table() { return gather(); }
