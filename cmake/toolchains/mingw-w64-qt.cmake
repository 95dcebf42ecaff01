# The mingw-w64 cross build with the Qt GUI: everything mingw-w64.cmake does,
# plus the Qt 6 for Windows that scripts/qt-mingw.sh builds into the user's
# cache folder, with Debian's own Qt of the same version as host tools (moc,
# rcc, uic run on the build machine).
#
# Qt's DLLs use the shared MinGW C++ runtime, so the executables here do too:
# one libstdc++ per process, as in the MinGW kits of Qt's installer. The build
# copies that runtime and Qt's DLLs beside the executables (see
# cmake/WindowsDeploy.cmake), so no program starts without them.
include("${CMAKE_CURRENT_LIST_DIR}/mingw-w64.cmake")
set(CMAKE_EXE_LINKER_FLAGS_INIT "")

# Where scripts/qt-mingw.sh installs Qt; keep the two in step.
set(PIPESCOPE_QT_VERSION 6.4.2)
pipescope_mingw_cache_prefix(PIPESCOPE_QT_MINGW_PREFIX "qt-${PIPESCOPE_QT_VERSION}-mingw")
# try_compile projects include this file again and see only the variables
# listed here.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PIPESCOPE_QT_MINGW_PREFIX)

# This toolchain exists for the GUI: without its Qt the build would quietly
# leave the GUI out, so stop here instead.
if(NOT EXISTS "${PIPESCOPE_QT_MINGW_PREFIX}/lib/cmake/Qt6/Qt6Config.cmake")
  message(FATAL_ERROR "No Qt for mingw-w64 in ${PIPESCOPE_QT_MINGW_PREFIX}: run scripts/qt-mingw.sh "
                      "(about 15 minutes on two idle cores, once) or set PIPESCOPE_QT_MINGW_PREFIX.")
endif()

# The find root path confines find_package to the mingw sysroot; Qt's
# install prefix joins it. The prefix path names lib/cmake rather than the
# prefix itself because CMake would otherwise join the root and the prefix
# into a path that does not exist (Qt's own qt.toolchain.cmake does the same).
list(PREPEND CMAKE_FIND_ROOT_PATH "${PIPESCOPE_QT_MINGW_PREFIX}")
list(PREPEND CMAKE_PREFIX_PATH "${PIPESCOPE_QT_MINGW_PREFIX}/lib/cmake")

# Host tools: Debian's qt6-base-dev-tools, which must be the same version.
set(QT_HOST_PATH "/usr" CACHE PATH "Where the build machine's Qt tools live")
set(QT_HOST_PATH_CMAKE_DIR "/usr/lib/x86_64-linux-gnu/cmake" CACHE PATH
    "Where the build machine's Qt CMake packages live")

# Every executable goes into one folder, where the build also copies the DLLs
# they need (cmake/WindowsDeploy.cmake): Windows looks for DLLs beside the
# program, not in the folders of the libraries it was linked against.
if(NOT CMAKE_RUNTIME_OUTPUT_DIRECTORY)
  set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin")
endif()
