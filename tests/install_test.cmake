# Install the current build into a temporary prefix and use it as a consumer would:
#  - the installed .so has SONAME libigny8settings.so.1;
#  - tests/install/consumer.c builds with `pkg-config --cflags --libs igny8settings`;
#  - it builds with find_package(igny8settings 1) and igny8settings::igny8settings;
#  - both binaries run and print the library version;
#  - igny8ctl is installed and runs against the installed library (RPATH $ORIGIN/../lib).
# Run with cmake -P; inputs: BUILD_DIR, SOURCE_DIR (tests/install), WORK_DIR, VERSION,
# C_COMPILER, BINDIR (CMAKE_INSTALL_BINDIR), SANITIZE (the IGNY8_SANITIZE of the build, may be empty).
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR VERSION C_COMPILER BINDIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_test.cmake: ${var} is not set")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# A sanitized library can only be loaded by a sanitized program.
set(san_flags "")
if(SANITIZE)
  set(san_flags "-fsanitize=${SANITIZE}")
endif()

run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

# The library directory is CMAKE_INSTALL_LIBDIR: lib, lib64 or lib/<multiarch>.
file(GLOB_RECURSE pcs "${prefix}/*/igny8settings.pc")
list(LENGTH pcs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one installed igny8settings.pc, found: ${pcs}")
endif()
get_filename_component(pcdir "${pcs}" DIRECTORY)
get_filename_component(libdir "${pcdir}" DIRECTORY)
message(STATUS "library directory: ${libdir}")
foreach(f libigny8settings.so libigny8settings.so.1 "libigny8settings.so.${VERSION}"
        cmake/igny8settings/igny8settingsConfig.cmake
        cmake/igny8settings/igny8settingsConfigVersion.cmake)
  if(NOT EXISTS "${libdir}/${f}")
    message(FATAL_ERROR "not installed: ${libdir}/${f}")
  endif()
endforeach()
foreach(f igny8.h igny8/version.h igny8/resolve.h)
  if(NOT EXISTS "${prefix}/include/${f}")
    message(FATAL_ERROR "not installed: ${prefix}/include/${f}")
  endif()
endforeach()

# igny8ctl is installed and finds the installed library through its RPATH alone.
set(ctl "${prefix}/${BINDIR}/igny8ctl")
if(NOT EXISTS "${ctl}")
  message(FATAL_ERROR "not installed: ${ctl}")
endif()
run(ldd "${ctl}")
string(REGEX MATCH "libigny8settings\\.so\\.1 => ([^ \t\n]+)" _m "${run_out}")
get_filename_component(loaded "${CMAKE_MATCH_1}" REALPATH)
get_filename_component(expected "${libdir}/libigny8settings.so.1" REALPATH)
if(NOT loaded STREQUAL expected)
  message(FATAL_ERROR "the installed igny8ctl does not load the installed library:\n${run_out}")
endif()
run("${ctl}" --db "${WORK_DIR}/ctl.db" init)
if(NOT run_out MATCHES "\"schema_version\": [0-9]+")
  message(FATAL_ERROR "the installed igny8ctl printed:\n${run_out}")
endif()

# SONAME
run(readelf -d "${libdir}/libigny8settings.so.${VERSION}")
if(NOT run_out MATCHES "\\(SONAME\\)[^\n]*\\[libigny8settings\\.so\\.1\\]")
  message(FATAL_ERROR "the installed library's SONAME is not libigny8settings.so.1:\n${run_out}")
endif()

set(env "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${pcdir}" "LD_LIBRARY_PATH=${libdir}")

# 1. pkg-config
run(${env} pkg-config --modversion igny8settings)
string(STRIP "${run_out}" pc_version)
if(NOT pc_version STREQUAL VERSION)
  message(FATAL_ERROR "pkg-config reports version ${pc_version}, expected ${VERSION}")
endif()
run(${env} pkg-config --cflags --libs igny8settings)
string(STRIP "${run_out}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
run("${C_COMPILER}" -std=c11 -Wall -Wextra -Werror ${san_flags} "${SOURCE_DIR}/consumer.c"
    -o "${WORK_DIR}/consumer_pkgconfig" ${pc_flags})
run(${env} "${WORK_DIR}/consumer_pkgconfig")
if(NOT run_out MATCHES "libigny8settings ${VERSION}")
  message(FATAL_ERROR "the pkg-config consumer printed:\n${run_out}")
endif()
message(STATUS "pkg-config consumer: ${run_out}")

# 2. CMake find_package
run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/consumer-build"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_C_COMPILER=${C_COMPILER}"
    "-DCMAKE_C_FLAGS=${san_flags}" -DCMAKE_BUILD_TYPE=Debug)
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/consumer-build")
run(${env} "${WORK_DIR}/consumer-build/consumer")
if(NOT run_out MATCHES "libigny8settings ${VERSION}")
  message(FATAL_ERROR "the find_package consumer printed:\n${run_out}")
endif()
message(STATUS "find_package consumer: ${run_out}")

file(REMOVE_RECURSE "${WORK_DIR}")
