// rng.hpp: the world's one deterministic random source.
//
// xoshiro256** seeded through splitmix64. Bounded integers and probabilities are computed
// here rather than with std::uniform_*_distribution, whose output differs between standard
// libraries: a seed must replay the same run with any toolchain.
#pragma once

#include <cstdint>

namespace ms::sim {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

  void reseed(std::uint64_t seed) {
    std::uint64_t s = seed;
    for (auto& word : state_) word = splitmix64(s);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound); bound 0 gives 0. Rejection sampling keeps it unbiased.
  std::uint64_t below(std::uint64_t bound) {
    if (bound <= 1) return 0;
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % bound;
  }

  // Uniform in [lo, hi] (inclusive); lo when hi < lo.
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
    if (hi <= lo) return lo;
    return lo + below(hi - lo + 1);
  }

  // True with probability p. Draws nothing when p <= 0 or p >= 1, so a run with every
  // fault off consumes no randomness for faults at all.
  bool chance(double p) {
    if (!(p > 0.0)) return false;
    if (p >= 1.0) return true;
    // 53 random bits as an exact double in [0, 1): identical on every IEEE platform.
    const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
    return u < p;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4]{};
};

}  // namespace ms::sim
