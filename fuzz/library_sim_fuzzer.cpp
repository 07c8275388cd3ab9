// SPDX-License-Identifier: MIT
// library_sim_fuzzer: a third-party library (a curl-style shared library) over simnet,
// driven by the same input as engine_sim_fuzzer (the corpus is shared), with the contract
// checker as the oracle and the library's known deviations forgiven.
//
// The library reaches the simulated world through its C library calls (the interposition
// layer of simnet/interpose; this binary exports them), each input in a fork of a prepared
// copy of this program, so a crash or hang of the library is a finding, not a fuzzer crash.
//
// Environment:
//   MS_FUZZ_LIBRARY  the library (default: /usr/lib/x86_64-linux-gnu/libcurl.so.4)
//   MS_FUZZ_PREFIX   its function prefix (default: curl_)
//   MS_FUZZ_KNOWN    a known-deviations file, or "none" (default: the file in
//                    conformance/known/ that applies to the library's version, if any)
//   MS_FUZZ_HANG_AFTER  seconds of wall time before a run is a hang (default: 20, four
//                    times the harness's 5: under the fuzzer's instrumentation a run that
//                    spins until the driver stops it takes about 4 s on a quiet machine)
// The defaults can be built in (CMake -DMS_FUZZ_LIBRARY=... -DMS_FUZZ_PREFIX=...
// -DMS_FUZZ_KNOWN=...), for a runner that sets no environment, such as ClusterFuzzLite; a
// relative built-in path is taken beside the fuzzer binary, since $OUT is run from another
// folder than the one it was built in.
// Any violation a known entry does not cover, a crash or hang it does not cover, or a run
// the world cannot carry (a call it does not model) aborts, so the fuzzer keeps the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "conformance/fuzz_input.hpp"
#include "conformance/known.hpp"
#include "conformance/runner.hpp"
#include "conformance/verdict.hpp"

namespace {

struct Setup {
  ms::conf::TargetSpec target;
  ms::conf::RunOptions options;
  std::string version_text;
  std::optional<ms::conf::KnownDeviations> known;
};

#ifndef MS_FUZZ_LIBRARY_DEFAULT
#define MS_FUZZ_LIBRARY_DEFAULT "/usr/lib/x86_64-linux-gnu/libcurl.so.4"
#endif
#ifndef MS_FUZZ_PREFIX_DEFAULT
#define MS_FUZZ_PREFIX_DEFAULT "curl_"
#endif
#ifndef MS_FUZZ_KNOWN_DEFAULT
#define MS_FUZZ_KNOWN_DEFAULT ""
#endif

// A built-in relative path, beside this binary.
std::string beside_binary(const std::string& path) {
  if (path.empty() || path == "none" || path.front() == '/') return path;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? path : (self.parent_path() / path).string();
}

const char* env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "library_sim_fuzzer: %s\n", why.c_str());
  std::exit(2);
}

Setup& setup() {
  static Setup s = [] {
    Setup out;
    std::string error;
    const std::string library_default = beside_binary(MS_FUZZ_LIBRARY_DEFAULT);
    const std::string known_default = beside_binary(MS_FUZZ_KNOWN_DEFAULT);
    const std::string spec = std::string("lib:") + env_or("MS_FUZZ_LIBRARY", library_default.c_str()) + ":" +
                             env_or("MS_FUZZ_PREFIX", MS_FUZZ_PREFIX_DEFAULT);
    if (!ms::conf::parse_target(spec, out.target, error)) die(error);
    if (!ms::conf::apply_hang_after(env_or("MS_FUZZ_HANG_AFTER", "20"), out.target, error))
      die("MS_FUZZ_HANG_AFTER: " + error);
    const ms::conf::TargetProbe probe = ms::conf::probe_target(out.target);
    if (!probe.error.empty()) die(out.target.library + ": " + probe.error);
    out.version_text = probe.version_text;
    out.options.describe(probe.identity);
    out.options.edition = ms::conf::edition_for(probe.identity.implementation, probe.identity.version);
    const std::string known = env_or("MS_FUZZ_KNOWN", known_default.c_str());
    auto take = [&](const std::string& path) {
      ms::conf::KnownDeviations k;
      if (!ms::conf::KnownDeviations::load(path, k, error)) die(error);
      std::string why;
      if (!k.applies_to(probe.identity, why)) return false;
      out.known = std::move(k);
      return true;
    };
    if (known == "none") return out;
    if (!known.empty()) {
      if (!take(known)) die(known + " does not apply to " + probe.version_text);
      return out;
    }
    const std::filesystem::path dir = std::filesystem::path(MS_SOURCE_DIR) / "conformance" / "known";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".known" && take(entry.path().string())) break;
    return out;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // The fork server this program starts for itself (conformance/driver/run_virtual.cpp).
  if (*argc == 4 && std::strcmp((*argv)[1], ms::conf::kVirtualServerCommand) == 0)
    std::exit(ms::conf::run_virtual_server((*argv)[2], (*argv)[3]));
  ms::conf::serve_virtual_world();
  setup();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ms::conf::Scenario sc;
  std::string text;
  if (!ms::conf::fuzz_input_parse(data, size, sc, text)) return 0;
  Setup& s = setup();
  ms::conf::ScenarioRun r = ms::conf::run_scenario(sc, s.target, s.options);
  ms::conf::ensure_crash_violation(r);
  if (s.known) s.known->cover(ms::conf::fuzz_input_name(data, size), s.version_text, r.violations);
  const ms::conf::Contract contract = ms::conf::contract(s.options.edition, false);
  std::string why;
  if (r.outcome == ms::conf::Outcome::error) why = "the run could not be carried out: " + r.message;
  for (const ms::conf::Violation& v : r.violations)
    if (why.empty() && !ms::conf::is_covered(v) && ms::conf::is_hard(v, contract))
      why = v.clause + ": " + v.message;
  if (!why.empty()) {
    std::fprintf(stderr,
                 "%s: %s\n--- scenario ---\n%s\nreplay it with: multisock replay FILE --target %s\n",
                 s.target.name().c_str(), why.c_str(), text.c_str(), s.target.text.c_str());
    std::abort();
  }
  return 0;
}
