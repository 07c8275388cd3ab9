// SPDX-License-Identifier: MIT
// multi_init.cpp: ms_multi_init() and ms_easy_perform(), the C entry points bound to the
// real ports (the engine, ms_engine or its shipped objects, implements ms::multi_init).
#include "multisock/engine.hpp"

extern "C" ms_multi* ms_multi_init(void) { return ms::multi_init(ms::port::system_ports()); }

extern "C" MSEcode ms_easy_perform(ms_easy* easy) { return ms::easy_perform(easy, ms::port::system_ports()); }
