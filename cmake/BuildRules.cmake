# What every target of PipeScope is built with, as targets rather than flag
# strings: the presets keep only what a build type or sanitizer adds.
#
# pipescope_warnings: the warnings we hold our code to. Every target made
# after this file is included links it (link_libraries below), so a new
# target cannot forget them; GoogleTest, added before, is not held to them.
# Warnings are errors through COMPILE_WARNING_AS_ERROR (-Werror, /WX), which
# `cmake --compile-no-warning-as-error` turns off for one build when needed.
add_library(pipescope_warnings INTERFACE)
target_compile_options(pipescope_warnings INTERFACE
  $<$<CXX_COMPILER_ID:MSVC>:/W4>
  $<$<NOT:$<CXX_COMPILER_ID:MSVC>>:-Wall -Wextra -Wpedantic>)
set(CMAKE_COMPILE_WARNING_AS_ERROR ON)
link_libraries(pipescope_warnings)

# pipescope_win32: how our code sees <windows.h> (the W functions, no min/max
# macros, the lean header set, Windows 10's API). The engine and the tests
# that include the backend's private headers link it.
add_library(pipescope_win32 INTERFACE)
if(WIN32)
  target_compile_definitions(pipescope_win32 INTERFACE
    UNICODE _UNICODE WIN32_LEAN_AND_MEAN NOMINMAX _WIN32_WINNT=0x0A00)
endif()
