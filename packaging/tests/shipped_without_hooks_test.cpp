// SPDX-License-Identifier: MIT
// The engine that is shipped (libmultisock.so) carries no test hook: it says its named
// defects are not compiled in, and a multi asked to run one is refused. The harness's own
// engine has them. (libmultisock-curl.so is linked from the same shipped objects, by
// engine/compat/CMakeLists.txt; it exports no ms:: symbol to ask.)
#include <dlfcn.h>
#include <gtest/gtest.h>

#include "multisock/engine.hpp"

namespace {

struct Library {
  void* handle = dlopen(MS_ENGINE_SHARED_PATH, RTLD_NOW | RTLD_LOCAL);
  ~Library() {
    if (handle) dlclose(handle);
  }
};

TEST(ShippedEngine, HasNoMutantsCompiledIn) {
  Library lib;
  ASSERT_NE(lib.handle, nullptr) << dlerror();
  // ms::mutants_compiled_in(), exported by the library's version script (namespace ms).
  auto compiled_in = reinterpret_cast<bool (*)()>(dlsym(lib.handle, "_ZN2ms19mutants_compiled_inEv"));
  ASSERT_NE(compiled_in, nullptr) << dlerror();
  EXPECT_FALSE(compiled_in());
}

TEST(ShippedEngine, RefusesAMultiThatWouldRunADefect) {
  Library lib;
  ASSERT_NE(lib.handle, nullptr) << dlerror();
  // The library's own ms::port::system_ports() and ms::multi_init(ports, options).
  auto system_ports = reinterpret_cast<ms::port::Ports (*)()>(dlsym(lib.handle, "_ZN2ms4port12system_portsEv"));
  auto multi_init = reinterpret_cast<ms_multi* (*)(const ms::port::Ports&, const ms::MultiOptions&)>(
      dlsym(lib.handle, "_ZN2ms10multi_initERKNS_4port5PortsERKNS_12MultiOptionsE"));
  auto cleanup = reinterpret_cast<MSMcode (*)(ms_multi*)>(dlsym(lib.handle, "ms_multi_cleanup"));
  ASSERT_TRUE(system_ports && multi_init && cleanup) << dlerror();
  const ms::port::Ports ports = system_ports();
  ms_multi* plain = multi_init(ports, ms::MultiOptions{});
  EXPECT_NE(plain, nullptr) << "the ports are complete: a multi without a defect is made";
  if (plain) cleanup(plain);
  ms_multi* defective = multi_init(ports, ms::MultiOptions{ms::Mutant::lost_done});
  EXPECT_EQ(defective, nullptr);
  if (defective) cleanup(defective);
}

TEST(HarnessEngine, HasThemWhenBuiltWithMutants) {
  EXPECT_EQ(ms::mutants_compiled_in(), MS_HARNESS_MUTANTS != 0);
}

}  // namespace
