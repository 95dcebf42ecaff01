# CPack: the Windows build's ZIP, pipescope-<version>-win64.zip, holding the
# installed tree (bin/ with pipescope.exe, pipescope-cli.exe, Qt's DLLs, the
# plugins and the C++ runtime) in one top folder of the same name, so
# unpacking it never scatters files. `cpack --config CPackConfig.cmake` in the
# build folder (or the test package.zip) writes it to <build>/package.
include_guard(GLOBAL)

if(CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(_pipescope_package_system win64)
else()
  set(_pipescope_package_system win32)
endif()

set(CPACK_PACKAGE_NAME pipescope)
set(CPACK_PACKAGE_VENDOR PipeScope)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_SYSTEM_NAME ${_pipescope_package_system})
set(CPACK_PACKAGE_FILE_NAME "pipescope-${PROJECT_VERSION}-${_pipescope_package_system}")
set(CPACK_GENERATOR ZIP)
set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/package")
set(CPACK_VERBATIM_VARIABLES ON)
# Where the ZIP lands, for the test that unpacks and starts it. Taken before
# include(CPack), which reuses CPACK_PACKAGE_FILE_NAME for the source package.
set(PIPESCOPE_PACKAGE_ZIP "${CPACK_PACKAGE_DIRECTORY}/${CPACK_PACKAGE_FILE_NAME}.zip" CACHE INTERNAL "")
include(CPack)
