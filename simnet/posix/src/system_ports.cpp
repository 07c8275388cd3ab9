// SPDX-License-Identifier: MIT
// system_ports.cpp: the process-wide real ports.
#include "simnet/posix_ports.hpp"

namespace ms::port {

Ports system_ports() {
  // Function-local statics: built on first use, thread-safe, never destroyed before use.
  static ms::posix::PosixClock clock;
  static ms::posix::PosixNet net;
  static ms::posix::ThreadedResolver resolver;
  static ms::posix::PosixWaiter waiter;
  return Ports{&clock, &net, &resolver, &waiter};
}

}  // namespace ms::port
