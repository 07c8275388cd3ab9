# SPDX-License-Identifier: MIT
# Configures tests/subdirectory (multisock added with add_subdirectory) with GoogleTest and
# RapidCheck made unfindable, and checks that building its engine_consumer would compile
# the engine and its real ports only: no test, no simulated world, no CLI. Nothing is
# compiled, so this costs a configure.
#   cmake -DSOURCE_DIR=... -DWORK=... -DNINJA=... -DC_COMPILER=... -DCXX_COMPILER=... -P subdirectory.cmake
foreach(v SOURCE_DIR WORK NINJA C_COMPILER CXX_COMPILER)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "subdirectory.cmake: -D${v}= is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/packaging/tests/subdirectory -B ${WORK}
                -G Ninja -DCMAKE_MAKE_PROGRAM=${NINJA} -DMULTISOCK_SOURCE_DIR=${SOURCE_DIR}
                -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
                -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_rapidcheck=ON
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring with add_subdirectory and no GoogleTest/RapidCheck failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${NINJA} -C ${WORK} -t commands engine_consumer
                RESULT_VARIABLE rc OUTPUT_VARIABLE commands ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ninja -t commands failed:\n${err}")
endif()
if(NOT commands MATCHES "engine/src/multi\\.cpp" OR NOT commands MATCHES "simnet/posix/src/posix_ports\\.cpp")
  message(FATAL_ERROR "engine_consumer would not compile the engine and its ports:\n${commands}")
endif()
foreach(unwanted "simnet/src/world\\.cpp" "conformance/" "_test\\.cpp" "gtest" "rapidcheck")
  if(commands MATCHES "${unwanted}")
    message(FATAL_ERROR "engine_consumer would build '${unwanted}':\n${commands}")
  endif()
endforeach()
