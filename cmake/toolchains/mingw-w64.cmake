# Cross-compiles PipeScope for 64-bit Windows with Debian's mingw-w64 (the
# "posix" thread model, which std::thread and std::mutex need) and runs the
# resulting programs under Wine.
#
# The runtime is linked statically: under Wine a missing libstdc++ or
# libwinpthread DLL makes a program exit silently (code 53), which would look
# like a passing or mysteriously failing test instead of a setup problem.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(PIPESCOPE_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${PIPESCOPE_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${PIPESCOPE_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${PIPESCOPE_MINGW_TRIPLE}-windres)

# Look for libraries and headers only in the mingw sysroot, never in the
# build machine's /usr/include (glibc headers would break the Windows build).
set(CMAKE_FIND_ROOT_PATH /usr/${PIPESCOPE_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Every test program runs through a small wrapper around /usr/bin/wine that
# keeps the Wine prefix inside the build folder (see scripts/wine-run.sh).
get_filename_component(_pipescope_source_dir "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(CMAKE_CROSSCOMPILING_EMULATOR "${_pipescope_source_dir}/scripts/wine-run.sh")

# RE2 (core's log queries) for Windows, as scripts/re2-mingw.sh builds it
# into the user's cache folder; keep the version in step with that script.
# Where a scripts/*-mingw.sh installs a library it builds: the variable
# `variable` if set, else the environment variable of that name, else
# FOLDER in the user's cache folder ($XDG_CACHE_HOME or ~/.cache, then
# pipescope/), as the scripts decide it.
function(pipescope_mingw_cache_prefix variable folder)
  if(${variable})
    return()
  endif()
  if(DEFINED ENV{${variable}} AND NOT "$ENV{${variable}}" STREQUAL "")
    set(${variable} "$ENV{${variable}}" PARENT_SCOPE)
  elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(${variable} "$ENV{XDG_CACHE_HOME}/pipescope/${folder}" PARENT_SCOPE)
  else()
    set(${variable} "$ENV{HOME}/.cache/pipescope/${folder}" PARENT_SCOPE)
  endif()
endfunction()

set(PIPESCOPE_RE2_VERSION 20220601)
pipescope_mingw_cache_prefix(PIPESCOPE_RE2_MINGW_PREFIX "re2-${PIPESCOPE_RE2_VERSION}-mingw")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PIPESCOPE_RE2_MINGW_PREFIX)
# As for Qt (mingw-w64-qt.cmake): the prefix joins the find root path, and the
# prefix path names lib/cmake so that the two are not joined into a path
# that does not exist.
list(PREPEND CMAKE_FIND_ROOT_PATH "${PIPESCOPE_RE2_MINGW_PREFIX}")
list(PREPEND CMAKE_PREFIX_PATH "${PIPESCOPE_RE2_MINGW_PREFIX}/lib/cmake")
