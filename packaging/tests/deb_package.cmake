# SPDX-License-Identifier: MIT
# Builds the Debian package with CPack, unpacks it into a fresh root with dpkg-deb -x (no
# system install) and runs the unpacked CLI on a library: it must find the scenario
# library and the known-deviation files inside that root, run the scripted suite, and
# exit 0 with every scripted scenario in its report.
#   cmake -DCPACK=... -DBUILD_DIR=... -DWORK=... -DLIBRARY=... -P deb_package.cmake
foreach(v CPACK BUILD_DIR WORK LIBRARY)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "deb_package.cmake: -D${v}= is required")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
run("cpack -G DEB" ${CPACK} -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${WORK}/out)
file(GLOB debs ${WORK}/out/*.deb)
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one .deb in ${WORK}/out, found ${n}: ${debs}")
endif()
run("dpkg-deb --field" dpkg-deb --field ${debs} Package Depends)
if(NOT run_output MATCHES "Package: multisock\n")
  message(FATAL_ERROR "unexpected control fields:\n${run_output}")
endif()
message(STATUS "${debs}:\n${run_output}")

set(root ${WORK}/root)
run("dpkg-deb -x" dpkg-deb -x ${debs} ${root})
set(cli ${root}/usr/bin/multisock)
set(data ${root}/usr/share/multisock)
foreach(f ${cli} ${data}/scenarios ${data}/known/libcurl-7.88.known
          ${data}/schema/multisock-report-2.schema.json)
  if(NOT EXISTS ${f})
    message(FATAL_ERROR "not in the package: ${f}")
  endif()
endforeach()

# The scripted suite: every scenario file without a `canary` line.
file(GLOB files ${data}/scenarios/*.scn)
set(scripted 0)
foreach(f ${files})
  file(STRINGS ${f} canary REGEX "^canary")
  if(NOT canary)
    math(EXPR scripted "${scripted} + 1")
  endif()
endforeach()

# No override: the CLI must find its data from where it was unpacked.
set(report ${WORK}/report)
run("multisock conform from the unpacked package"
    ${CMAKE_COMMAND} -E env --unset=MULTISOCK_SCENARIOS --unset=MULTISOCK_KNOWN
    ${cli} conform --target lib:${LIBRARY} --suite scripted --profile libcurl-7.88 --report ${report})
message(STATUS "${run_output}")
file(READ ${report}/report.json json)
string(JSON total GET "${json}" summary scenarios total)
string(JSON skipped GET "${json}" summary scenarios skipped)
string(JSON verdict GET "${json}" verdict)
string(JSON known_file GET "${json}" known file)
if(NOT total EQUAL scripted OR NOT total GREATER skipped)
  message(FATAL_ERROR "the report lists ${total} scenarios (${skipped} skipped); the package holds ${scripted} scripted ones")
endif()
# The repro command names the scenario file it ran, relative to the working folder (WORK).
string(JSON repro GET "${json}" scenarios 0 repro)
if(NOT repro MATCHES "^multisock replay root/usr/share/multisock/scenarios/[^ ]+\\.scn ")
  message(FATAL_ERROR "the first scenario did not come from the package: ${repro}")
endif()
# (Written relative to the source tree when WORK lies inside it, as a build folder may.)
if(NOT known_file MATCHES "(^|/)root/usr/share/multisock/known/libcurl-7\\.88\\.known$")
  message(FATAL_ERROR "--profile libcurl-7.88 read ${known_file}, not the package's known file")
endif()
message(STATUS "verdict ${verdict}: ${total} scenarios, ${skipped} skipped, known deviations from ${known_file}")
