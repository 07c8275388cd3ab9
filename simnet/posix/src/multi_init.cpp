// multi_init.cpp: ms_multi_init(), the C entry point bound to the real ports. Built only
// when the engine library exists (it implements ms::multi_init).
#include "multisock/engine.hpp"

extern "C" ms_multi* ms_multi_init(void) { return ms::multi_init(ms::port::system_ports()); }
