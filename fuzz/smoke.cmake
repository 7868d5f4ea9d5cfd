# Runs each fuzz driver on its seed corpus: cmake -DMUTATIONS=N
# -DRUNS="driver=corpus|..." -P smoke.cmake. Fails on the first driver that
# fails.
string(REPLACE "|" ";" runs "${RUNS}")
foreach(run ${runs})
  string(FIND "${run}" "=" eq)
  string(SUBSTRING "${run}" 0 ${eq} driver)
  math(EXPR start "${eq} + 1")
  string(SUBSTRING "${run}" ${start} -1 corpus)
  message(STATUS "${driver} -n ${MUTATIONS} ${corpus}")
  execute_process(COMMAND ${driver} -n ${MUTATIONS} ${corpus}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${driver} failed (${rc}) on ${corpus}")
  endif()
endforeach()
