# Modules and the boundaries between them. Each folder under src/ (with its headers under
# include/poki/) is one static library that names the modules it depends on; a module may
# only name modules declared before it, so the graph has no cycles by construction. The
# build refuses (check_module_includes.cmake, run before each module compiles):
#   - including another module's header when that module is not a declared dependency;
#   - including another module's repository (its SQL is its own: use its service);
#   - Beast outside http/ and the *_routes files.
set(POKI_MODULE_CHECK ${CMAKE_CURRENT_LIST_DIR}/check_module_includes.cmake)
set_property(GLOBAL PROPERTY POKI_MODULES "")

function(poki_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "DEPENDS")
  get_property(declared GLOBAL PROPERTY POKI_MODULES)
  foreach(dep IN LISTS arg_DEPENDS)
    if(NOT dep IN_LIST declared)
      message(FATAL_ERROR "module ${name} depends on ${dep}, which is not declared before it "
                          "(modules form a graph without cycles: declare dependencies first)")
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY POKI_MODULES ${name})

  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.hpp
       ${PROJECT_SOURCE_DIR}/include/poki/${name}/*.hpp)

  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${name}.boundaries)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DMODULE=${name} "-DALLOWED=${arg_DEPENDS}"
            "-DFILES=${sources};${headers}" -DSTAMP=${stamp} -P ${POKI_MODULE_CHECK}
    DEPENDS ${sources} ${headers} ${POKI_MODULE_CHECK}
    COMMENT "Checking the boundaries of module ${name}"
    VERBATIM)
  add_custom_target(poki_${name}_boundaries DEPENDS ${stamp})

  add_library(poki_${name} STATIC ${sources})
  add_dependencies(poki_${name} poki_${name}_boundaries)
  target_include_directories(poki_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                          PRIVATE ${PROJECT_SOURCE_DIR}/src)
  list(TRANSFORM arg_DEPENDS PREPEND poki_ OUTPUT_VARIABLE dep_targets)
  target_link_libraries(poki_${name} PUBLIC ${dep_targets} PRIVATE poki_warnings)
endfunction()
