# Reuse object files across clean builds (CI clones afresh each run).
find_program(POKI_CCACHE ccache)
if(POKI_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${POKI_CCACHE})
  # ccache can cache a compile that uses GCC's precompiled header (which CMake passes with
  # -include) only when the preprocessed output names it; without this every compile is
  # "uncacheable" and a clean clone rebuilds everything.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-fpch-preprocess)
  endif()
endif()
