// SPDX-License-Identifier: MIT
// rng.hpp: the deterministic random sources of a simulated run, and the record of the
// decisions they made.
//
// Bounded integers and probabilities are computed here rather than with
// std::uniform_*_distribution, whose output differs between standard libraries: a seed must
// replay the same run with any toolchain. The world draws from xoshiro256** (Rng), the
// simulated application from a splitmix64 stream (SplitMixRng); both make their decisions
// through the same code, so one ChoiceTape can record or replay the decisions of both.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace ms::sim {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The decisions of one run, in the order they were made: each is the value of a bounded
// draw (0 or 1 for a chance). Recording appends them. Replaying reads them back instead of
// drawing, each clamped to its bound, and answers 0 past the end: 0 is "no fault, no
// deviation", so a shorter record or smaller values make a simpler run. Shrinking a failing
// run works on this record; a scenario's `choices` line carries it.
class ChoiceTape {
 public:
  ChoiceTape() = default;  // records
  explicit ChoiceTape(std::vector<std::uint64_t> replay)
      : values_(std::move(replay)), replaying_(true) {}

  bool replaying() const { return replaying_; }
  const std::vector<std::uint64_t>& values() const { return values_; }
  // Decisions made so far (replaying: including those answered 0 past the end).
  std::size_t decisions() const { return cursor_; }

  std::uint64_t read(std::uint64_t bound) {
    const std::uint64_t v = cursor_ < values_.size() ? values_[cursor_] : 0;
    ++cursor_;
    return std::min(v, bound - 1);
  }
  void write(std::uint64_t value) {
    values_.push_back(value);
    ++cursor_;
  }

 private:
  std::vector<std::uint64_t> values_;
  std::size_t cursor_ = 0;
  bool replaying_ = false;
};

// xoshiro256** seeded through splitmix64.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
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

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4]{};
};

// splitmix64 as a stream: the seed is the starting state.
class SplitMixStream {
 public:
  explicit SplitMixStream(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return splitmix64(state_); }

 private:
  std::uint64_t state_;
};

// Decisions drawn from Bits, or read from an attached tape that replays.
template <class Bits>
class BasicRng {
 public:
  explicit BasicRng(std::uint64_t seed = 0) : bits_(seed) {}

  void reseed(std::uint64_t seed) { bits_ = Bits(seed); }
  // Records into the tape, or replays from it; nullptr detaches. The tape outlives the use.
  void attach(ChoiceTape* tape) { tape_ = tape; }

  // Raw bits: not a decision, never recorded or replayed (the run's code makes decisions).
  std::uint64_t next() { return bits_.next(); }

  // Uniform in [0, bound); bound 0 or 1 gives 0 and is no decision. Rejection sampling
  // keeps it unbiased.
  std::uint64_t below(std::uint64_t bound) {
    if (bound <= 1) return 0;
    if (tape_ && tape_->replaying()) return tape_->read(bound);
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    std::uint64_t x = bits_.next();
    while (x >= limit) x = bits_.next();
    return record(x % bound);
  }

  // Uniform in [lo, hi] (inclusive); lo when hi < lo.
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
    if (hi <= lo) return lo;
    return lo + below(hi - lo + 1);
  }

  // True with probability p. Draws nothing and is no decision when p <= 0 or p >= 1, so a
  // run with every fault off consumes no randomness for faults at all.
  bool chance(double p) {
    if (!(p > 0.0)) return false;
    if (p >= 1.0) return true;
    if (tape_ && tape_->replaying()) return tape_->read(2) != 0;
    // 53 random bits as an exact double in [0, 1): identical on every IEEE platform.
    const double u = static_cast<double>(bits_.next() >> 11) * 0x1.0p-53;
    return record(u < p ? 1 : 0) != 0;
  }

 private:
  std::uint64_t record(std::uint64_t v) {
    if (tape_) tape_->write(v);
    return v;
  }
  Bits bits_;
  ChoiceTape* tape_ = nullptr;
};

using Rng = BasicRng<Xoshiro256>;
using SplitMixRng = BasicRng<SplitMixStream>;

}  // namespace ms::sim
