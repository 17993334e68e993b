# Reuse object files across clean builds (CI clones afresh each run).
find_program(POKI_CCACHE ccache)
if(POKI_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${POKI_CCACHE})
endif()
