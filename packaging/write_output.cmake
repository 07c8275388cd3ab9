# SPDX-License-Identifier: MIT
# Writes what a command prints to a file (build-time generated files):
#   cmake -DOUT=FILE -DCOMMAND="prog;arg;..." -P write_output.cmake
execute_process(COMMAND ${COMMAND} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${COMMAND} failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
