// SPDX-License-Identifier: MIT
// The engine that is shipped (libmultisock.so, and the same objects inside
// libmultisock-curl.so) carries no test hook: it says its named defects are not compiled
// in, and a multi asked to run one is refused. The harness's own engine has them.
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

TEST(HarnessEngine, HasThemWhenBuiltWithMutants) {
  EXPECT_EQ(ms::mutants_compiled_in(), MS_HARNESS_MUTANTS != 0);
}

}  // namespace
