# Third-party libraries, all from Debian's packages.
#
# fmt, nlohmann-json and CLI11 are used header-only so that the same headers
# serve the native build and the mingw-w64 cross build (where Debian's
# compiled libfmt for Linux cannot be linked). GoogleTest is built from
# /usr/src/googletest with whatever toolchain is active, for the same reason.

if(CMAKE_CROSSCOMPILING)
  # Debian's CMake package configs describe Linux installs and are not found
  # under the mingw root path, and adding -I/usr/include would pull glibc's
  # headers into the Windows build. The three libraries are header-only, so
  # the cross build gets targets of the same names whose include folder holds
  # links to those three header trees and nothing else.
  set(PIPESCOPE_HOST_INCLUDE "/usr/include" CACHE PATH
      "Where the build machine's fmt, nlohmann and CLI headers are")
  set(_pipescope_cross_include "${CMAKE_BINARY_DIR}/_deps/host-headers")
  file(MAKE_DIRECTORY "${_pipescope_cross_include}")
  foreach(_pipescope_header_dir IN ITEMS fmt nlohmann CLI)
    if(NOT EXISTS "${PIPESCOPE_HOST_INCLUDE}/${_pipescope_header_dir}")
      message(FATAL_ERROR "${PIPESCOPE_HOST_INCLUDE}/${_pipescope_header_dir} not found; install "
                          "libfmt-dev, nlohmann-json3-dev and libcli11-dev.")
    endif()
    file(CREATE_LINK "${PIPESCOPE_HOST_INCLUDE}/${_pipescope_header_dir}"
         "${_pipescope_cross_include}/${_pipescope_header_dir}" SYMBOLIC)
  endforeach()

  add_library(fmt::fmt-header-only INTERFACE IMPORTED GLOBAL)
  set_target_properties(fmt::fmt-header-only PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_pipescope_cross_include}"
    INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY=1")
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED GLOBAL)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_pipescope_cross_include}")
  add_library(CLI11::CLI11 INTERFACE IMPORTED GLOBAL)
  set_target_properties(CLI11::CLI11 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_pipescope_cross_include}")
else()
  find_package(fmt 9 REQUIRED)
  find_package(nlohmann_json 3.10 REQUIRED)
  find_package(CLI11 2 REQUIRED)
endif()

# RE2, the regular expressions of core's log queries: linear in the input,
# so a pattern typed into a filter cannot make a scan take exponential time.
# Debian's libre2-dev ships a pkg-config file; the mingw-w64 build finds the
# static library scripts/re2-mingw.sh builds from Debian's source, by RE2's
# own CMake package. Both become the target re2::re2.
if(CMAKE_CROSSCOMPILING)
  find_package(re2 CONFIG QUIET)
  if(NOT re2_FOUND)
    message(FATAL_ERROR "RE2 for mingw-w64 not found in ${PIPESCOPE_RE2_MINGW_PREFIX}: run scripts/re2-mingw.sh "
                        "(a minute or two, once) or set PIPESCOPE_RE2_MINGW_PREFIX.")
  endif()
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(PIPESCOPE_RE2 REQUIRED IMPORTED_TARGET GLOBAL re2)
  add_library(re2::re2 ALIAS PkgConfig::PIPESCOPE_RE2)
endif()

if(BUILD_TESTING)
  set(PIPESCOPE_GTEST_SOURCE "/usr/src/googletest" CACHE PATH
      "GoogleTest source tree (Debian package googletest)")
  if(NOT EXISTS "${PIPESCOPE_GTEST_SOURCE}/CMakeLists.txt")
    message(FATAL_ERROR "GoogleTest sources not found in ${PIPESCOPE_GTEST_SOURCE}; "
                        "install the Debian package 'googletest'.")
  endif()
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
  # GoogleTest's own code is not held to our warnings: it is added before
  # cmake/BuildRules.cmake makes them part of every target.
  add_subdirectory("${PIPESCOPE_GTEST_SOURCE}" "${CMAKE_BINARY_DIR}/_deps/googletest"
                   EXCLUDE_FROM_ALL SYSTEM)
  include(GoogleTest)
endif()
