# Runs the scripted suite against a library target and compares the report with the
# published one (reports/published/...): a clause that regressed or a new violation fails.
# Scenario outcome changes (e.g. pass -> skipped against an older report) are printed by the
# diff but fail nothing.
# cmake -DCLI=... -DTARGET=lib:... -DPROFILE=... -DPUBLISHED=.../report.json -DOUT=dir -P matches_published.cmake
execute_process(COMMAND ${CLI} conform --target ${TARGET} --suite scripted --profile ${PROFILE}
                        --report ${OUT}
                RESULT_VARIABLE rc)
if(rc GREATER 1)
  message(FATAL_ERROR "conform failed to run (exit ${rc})")
endif()
execute_process(COMMAND ${CLI} report diff ${PUBLISHED} ${OUT}/report.json RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the run differs from the published report ${PUBLISHED} (exit ${rc})")
endif()
