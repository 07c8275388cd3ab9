#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# ClusterFuzzLite's build step (run by `compile` in the image of ./Dockerfile): the
# project's own fuzz/build.sh, which reads $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE
# and fills $OUT with every fuzzer, its dictionary and its seed corpus. OpenSSL is the
# static one of the image.
export MS_FUZZ_BUILD_DIR=$WORK/multisock-fuzz
export MS_FUZZ_JOBS=$(nproc)
export MS_FUZZ_CMAKE_ARGS="-DOPENSSL_ROOT_DIR=/opt/openssl -DOPENSSL_USE_STATIC_LIBS=TRUE ${MS_FUZZ_CMAKE_ARGS:-}"
"$SRC/multisock/fuzz/build.sh"
