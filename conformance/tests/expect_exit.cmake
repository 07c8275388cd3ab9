# SPDX-License-Identifier: MIT
# Runs COMMAND (a ;-list) and fails unless it exits with EXPECTED exactly.
# cmake -DEXPECTED=1 "-DCOMMAND=prog;arg;..." -P expect_exit.cmake
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc)
if(NOT rc STREQUAL EXPECTED)
  message(FATAL_ERROR "expected exit code ${EXPECTED}, got ${rc}")
endif()
