# Puts what a Windows executable of PipeScope needs beside it, as Qt's
# windeployqt does: Qt's DLLs, the platform plugins (qwindows for the screen,
# qoffscreen for tests and headless pictures), the widget style, and for
# MinGW builds the C++ runtime DLLs.
#
# Two places get these files:
# - the build tree: all executables are built into one folder
#   (CMAKE_RUNTIME_OUTPUT_DIRECTORY, set by the Windows presets), and the
#   target pipescope_windows_runtime copies the files there, so programs and
#   tests run from the build tree, under Wine or on Windows;
# - the install tree (and so CPack's ZIP): cross builds install the same files
#   with install(FILES); native Windows builds run Qt's windeployqt through
#   qt_generate_deploy_app_script, which knows every Qt installation's layout.
#
# Qt finds plugins in the executable's folder (platforms/, styles/), so no
# qt.conf is needed.
include_guard(GLOBAL)

# The file an imported target (a Qt DLL or plugin) stands for, whichever
# configuration the Qt build provides.
function(_pipescope_imported_file target out_var)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "${target} is not defined: the Qt for Windows in use lacks it")
  endif()
  get_target_property(location "${target}" IMPORTED_LOCATION)
  if(NOT location)
    get_target_property(configurations "${target}" IMPORTED_CONFIGURATIONS)
    foreach(configuration IN LISTS configurations)
      get_target_property(location "${target}" IMPORTED_LOCATION_${configuration})
      if(location)
        break()
      endif()
    endforeach()
  endif()
  if(NOT location OR NOT EXISTS "${location}")
    message(FATAL_ERROR "The file of ${target} was not found (${location})")
  endif()
  set(${out_var} "${location}" PARENT_SCOPE)
endfunction()

# The MinGW C++ runtime DLLs the compiler links against, found by asking the
# compiler itself (Debian keeps them in two different folders), or beside the
# compiler (a MinGW installation on Windows keeps them in its bin folder).
function(_pipescope_mingw_runtime_dlls out_var)
  set(dlls "")
  get_filename_component(compiler_dir "${CMAKE_CXX_COMPILER}" DIRECTORY)
  foreach(name IN ITEMS libstdc++-6.dll libgcc_s_seh-1.dll libwinpthread-1.dll)
    execute_process(COMMAND "${CMAKE_CXX_COMPILER}" -print-file-name=${name}
                    OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE status)
    # gcc answers with the bare name when it does not know the file.
    if((NOT status EQUAL 0 OR NOT IS_ABSOLUTE "${path}" OR NOT EXISTS "${path}")
       AND EXISTS "${compiler_dir}/${name}")
      set(path "${compiler_dir}/${name}")
    endif()
    if(NOT IS_ABSOLUTE "${path}" OR NOT EXISTS "${path}")
      message(FATAL_ERROR "${CMAKE_CXX_COMPILER} does not know where ${name} is; "
                          "the Windows programs would not start without it.")
    endif()
    get_filename_component(path "${path}" REALPATH)
    list(APPEND dlls "${path}")
  endforeach()
  set(${out_var} "${dlls}" PARENT_SCOPE)
endfunction()

# Copies the runtime of the Qt modules in QT_TARGETS (with the plugins) into
# the build tree's executable folder, and installs it beside the installed
# executables (cross builds) or runs windeployqt on APP_TARGET (native
# Windows builds). Call once.
function(pipescope_deploy_windows_runtime)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "APP_TARGET;INSTALL_DESTINATION" "QT_TARGETS;INSTALL_QT_TARGETS")
  if(NOT CMAKE_RUNTIME_OUTPUT_DIRECTORY)
    message(FATAL_ERROR "Windows builds need CMAKE_RUNTIME_OUTPUT_DIRECTORY (one folder for all "
                        "executables and their DLLs); the Windows presets set it.")
  endif()
  set(runtime_dir "${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")

  # The native style's plugin was renamed in Qt 6.7; take whichever this Qt has.
  set(style_target "")
  foreach(candidate IN ITEMS Qt6::QModernWindowsStylePlugin Qt6::QWindowsVistaStylePlugin)
    if(TARGET ${candidate})
      set(style_target ${candidate})
      break()
    endif()
  endforeach()
  if(NOT style_target)
    message(FATAL_ERROR "This Qt has no Windows style plugin (QWindowsVistaStylePlugin or "
                        "QModernWindowsStylePlugin); the GUI would fall back to the Fusion style.")
  endif()
  set(plugin_targets Qt6::QWindowsIntegrationPlugin Qt6::QOffscreenIntegrationPlugin ${style_target})

  # Qt's files are named through generator expressions, so a Qt with both
  # release and debug DLLs (Qt's installer) gives the build the matching ones.
  set(sources "")
  set(outputs "")
  set(install_dlls "")
  foreach(target IN LISTS arg_QT_TARGETS)
    _pipescope_imported_file(${target} dll)  # fails early when it is missing
    list(APPEND sources "$<TARGET_FILE:${target}>")
    list(APPEND outputs "${runtime_dir}/$<TARGET_FILE_NAME:${target}>")
    if(target IN_LIST arg_INSTALL_QT_TARGETS)
      list(APPEND install_dlls "$<TARGET_FILE:${target}>")
    endif()
  endforeach()
  set(plugin_kinds "")
  foreach(target IN LISTS plugin_targets)
    # The plugin's folder (platforms, styles) is the same in every build type.
    _pipescope_imported_file(${target} plugin)
    get_filename_component(kind_dir "${plugin}" DIRECTORY)
    get_filename_component(kind "${kind_dir}" NAME)
    list(APPEND plugin_kinds ${kind})
    list(APPEND sources "$<TARGET_FILE:${target}>")
    list(APPEND outputs "${runtime_dir}/${kind}/$<TARGET_FILE_NAME:${target}>")
  endforeach()
  set(runtime_dlls "")
  if(MINGW)
    _pipescope_mingw_runtime_dlls(runtime_dlls)
    foreach(dll IN LISTS runtime_dlls)
      get_filename_component(name "${dll}" NAME)
      list(APPEND sources "${dll}")
      list(APPEND outputs "${runtime_dir}/${name}")
    endforeach()
  endif()

  # One stamp file stands for all copies: the DLL names depend on the build
  # type (a debug Qt's end in "d"), so they cannot name the outputs.
  # copy_if_different leaves files that did not change alone, so a rebuild
  # does not touch the DLLs beside running programs.
  set(plugin_dirs ${plugin_kinds})
  list(REMOVE_DUPLICATES plugin_dirs)
  set(commands "")
  foreach(kind IN LISTS plugin_dirs)
    list(APPEND commands COMMAND "${CMAKE_COMMAND}" -E make_directory "${runtime_dir}/${kind}")
  endforeach()
  foreach(source output IN ZIP_LISTS sources outputs)
    list(APPEND commands COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${source}" "${output}")
  endforeach()
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/pipescope_windows_runtime.stamp")
  add_custom_command(OUTPUT "${stamp}" ${commands}
                     COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
                     DEPENDS ${sources}
                     COMMENT "Copying Qt and the C++ runtime beside the Windows executables"
                     VERBATIM)
  add_custom_target(pipescope_windows_runtime ALL DEPENDS "${stamp}")

  if(NOT arg_APP_TARGET OR NOT arg_INSTALL_DESTINATION)
    return()
  endif()
  if(CMAKE_CROSSCOMPILING)
    # windeployqt runs only on Windows; install the same set it would.
    install(FILES ${install_dlls} ${runtime_dlls} DESTINATION "${arg_INSTALL_DESTINATION}")
    foreach(target kind IN ZIP_LISTS plugin_targets plugin_kinds)
      install(FILES "$<TARGET_FILE:${target}>" DESTINATION "${arg_INSTALL_DESTINATION}/${kind}")
    endforeach()
  else()
    # Qt 6.5 renamed FILENAME_VARIABLE to OUTPUT_SCRIPT.
    if(Qt6_VERSION VERSION_GREATER_EQUAL 6.5)
      qt_generate_deploy_app_script(TARGET ${arg_APP_TARGET} OUTPUT_SCRIPT deploy_script)
    else()
      qt_generate_deploy_app_script(TARGET ${arg_APP_TARGET} FILENAME_VARIABLE deploy_script)
    endif()
    install(SCRIPT "${deploy_script}")
  endif()
endfunction()
