#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds every libFuzzer target the way OSS-Fuzz's build.sh does, and fills $OUT with
# the binaries, their dictionaries (<name>.dict) and seed corpora (<name>_seed_corpus.zip).
# Honours $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT; defaults: clang-14 with
# -fsanitize=fuzzer,address,undefined, build folder build-fuzz/, $OUT = build-fuzz/out.
# $MS_FUZZ_CMAKE_ARGS: more CMake options, split at spaces (e.g. library_sim_fuzzer's
# built-in -DMS_FUZZ_LIBRARY=libyours.so -DMS_FUZZ_PREFIX=curl_, or where OpenSSL is).
# Tests are not built: the fuzzers need the product's libraries only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MS_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SANITIZERS="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
export CC=${CC:-clang-14}
export CXX=${CXX:-clang++-14}
CFLAGS=${CFLAGS:-"-O1 -g -fno-omit-frame-pointer $SANITIZERS -fsanitize=fuzzer-no-link"}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:-"-fsanitize=fuzzer $SANITIZERS"}
OUT=${OUT:-$BUILD/out}
# No UBSan vptr check: on a type-cache miss it probes memory with pipe(), which the
# library_sim_fuzzer binary exports (simnet/interpose) and serves from the virtual world,
# recursing when the check sits in the world's own code. Also for flags OSS-Fuzz passes.
CFLAGS="$CFLAGS -fno-sanitize=vptr"
CXXFLAGS="$CXXFLAGS -fno-sanitize=vptr"

# MS_FUZZ_ENGINE is a CMake list: one flag per element.
ENGINE_LIST=$(echo "$LIB_FUZZING_ENGINE" | xargs | tr ' ' ';')

cmake -S "$ROOT" -B "$BUILD" -G Ninja \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPython3_EXECUTABLE=/usr/bin/python3 \
  -DMS_FUZZ=ON -DMS_FUZZ_ENGINE="$ENGINE_LIST" -DMS_BUILD_TESTS=OFF \
  ${MS_FUZZ_CMAKE_ARGS:-}
cmake --build "$BUILD" --target ms_fuzzers -j"${MS_FUZZ_JOBS:-2}"

mkdir -p "$OUT"
while IFS=$'\t' read -r name binary corpus dict; do
  [ -n "$name" ] || continue
  cp "$binary" "$OUT/$name"
  if [ -n "$dict" ] && [ -f "$dict" ]; then cp "$dict" "$OUT/$name.dict"; fi
  if [ -d "$corpus" ]; then
    rm -f "$OUT/${name}_seed_corpus.zip"
    if command -v zip >/dev/null; then
      (cd "$corpus" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
    else
      rm -rf "$OUT/${name}_seed_corpus" && cp -r "$corpus" "$OUT/${name}_seed_corpus"
    fi
  fi
  echo "built $OUT/$name"
done < "$BUILD/fuzz/fuzzers.tsv"
