# SPDX-License-Identifier: MIT
# Runs the scripted suite against a library target with its known-deviations file: the run
# must pass (exit 0: every deviation it shows is a known one), and its report must not
# regress against the published one (reports/published/...): a clause that regressed or a
# new violation fails. Scenario outcome changes are printed by the diff but fail nothing.
# EXTRA: more options for conform, separated by spaces (e.g. "--world real", --determinism).
# cmake -DCLI=... -DTARGET=lib:... -DKNOWN=file.known [-DPUBLISHED=.../report.json] -DOUT=dir
#       [-DEXTRA=...] -P matches_published.cmake
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
execute_process(COMMAND ${CLI} conform --target ${TARGET} --suite scripted --known ${KNOWN}
                        --report ${OUT} --failures ${OUT}/failures ${extra}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} does not pass with its known deviations ${KNOWN} (exit ${rc})")
endif()
if(DEFINED PUBLISHED AND NOT EXISTS ${PUBLISHED})
  message(FATAL_ERROR "the published report ${PUBLISHED} is missing: nothing to compare the run with")
endif()
if(DEFINED PUBLISHED)
  execute_process(COMMAND ${CLI} report diff ${PUBLISHED} ${OUT}/report.json RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the run differs from the published report ${PUBLISHED} (exit ${rc})")
  endif()
endif()
