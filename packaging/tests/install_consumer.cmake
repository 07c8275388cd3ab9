# SPDX-License-Identifier: MIT
# Installs the build folder into a fresh prefix and builds packaging/tests/consumer against
# it twice (find_package, pkg-config), running what it builds. Fails on the first step
# that fails, with that step's output.
#   cmake -DBUILD_DIR=... -DCONSUMER=... -DWORK=... -DGENERATOR=... -DC_COMPILER=...
#         -DLIBDIR=lib -P install_consumer.cmake
foreach(v BUILD_DIR CONSUMER WORK GENERATOR C_COMPILER LIBDIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "install_consumer.cmake: -D${v}= is required")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# What a user's system sees: the libraries under their SONAMEs, the CLI, the data.
foreach(f bin/multisock
          ${LIBDIR}/libmultisock.a ${LIBDIR}/libmultisock.so.0 ${LIBDIR}/libmultisock-curl.so.0
          include/multisock/multisock.h include/multisock-curl/curl/curl.h
          ${LIBDIR}/cmake/multisock/multisockConfigVersion.cmake
          ${LIBDIR}/pkgconfig/multisock.pc ${LIBDIR}/pkgconfig/multisock-curl.pc
          share/multisock/scenarios/README.md share/multisock/known/libcurl-7.88.known
          share/multisock/schema/multisock-report-2.schema.json
          share/multisock/apps/fetch.scn ${LIBDIR}/multisock/libmultisock-record.so
          share/bash-completion/completions/multisock share/man/man1/multisock.1
          share/man/man3/multisock.3 share/man/man3/ms_multi_socket_action.3)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# The installed completion is what the installed CLI prints.
run("multisock completion bash" ${prefix}/bin/multisock completion bash)
file(READ ${prefix}/share/bash-completion/completions/multisock installed_completion)
if(NOT installed_completion STREQUAL run_output)
  message(FATAL_ERROR "the installed completion differs from `multisock completion bash`")
endif()
file(GLOB scenarios ${prefix}/share/multisock/scenarios/*.scn)
list(LENGTH scenarios n)
if(n LESS 20)
  message(FATAL_ERROR "only ${n} scenario files installed")
endif()

set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
foreach(mode find_package pkg-config)
  set(bin ${WORK}/${mode})
  run("configure the consumer (${mode})" ${CMAKE_COMMAND} -S ${CONSUMER} -B ${bin}
      -G ${GENERATOR} -DCMAKE_C_COMPILER=${C_COMPILER} -DMS_CONSUMER_MODE=${mode}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  run("build the consumer (${mode})" ${CMAKE_COMMAND} --build ${bin})
  set(programs shim_consumer engine_consumer)
  if(mode STREQUAL "find_package")
    list(APPEND programs engine_shared_consumer)
  endif()
  foreach(p ${programs})
    run("${p} (${mode})" ${bin}/${p})
    string(REPLACE "_shared" "" source_name ${p})  # engine_shared_consumer is engine_consumer.c
    if(NOT run_output MATCHES "${source_name}: ok")
      message(FATAL_ERROR "${p} (${mode}) did not report ok:\n${run_output}")
    endif()
    message(STATUS "${mode}: ${run_output}")
  endforeach()
  # The shim is found under its SONAME, from the prefix (not from the build folder).
  run("readelf" readelf -d ${bin}/shim_consumer)
  if(NOT run_output MATCHES "NEEDED[^\n]*\\[libmultisock-curl\\.so\\.0\\]")
    message(FATAL_ERROR "shim_consumer (${mode}) does not need libmultisock-curl.so.0:\n${run_output}")
  endif()
  if(NOT run_output MATCHES "R(UN)?PATH[^\n]*${prefix}")
    message(FATAL_ERROR "shim_consumer (${mode}) does not load the shim from ${prefix}:\n${run_output}")
  endif()
endforeach()
