# One warning set for every target of the project; -Werror only when asked (CI asks).
add_library(poki_warnings INTERFACE)
target_compile_options(poki_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  -Wmisleading-indentation -Wduplicated-cond -Wlogical-op)
# g++ 12 at -O2 reports Asio's coroutine-frame operator delete as mismatched (a false positive).
target_compile_options(poki_warnings INTERFACE -Wno-mismatched-new-delete)
if(POKI_WERROR)
  target_compile_options(poki_warnings INTERFACE -Werror)
endif()
