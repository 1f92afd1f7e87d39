# Shared compile settings for every wenku target: wenku_warnings (warnings, include path)
# and wenku_options (those plus the sanitizers of the build). Executables that host foreign
# code which cannot run under a sanitizer (the LibreOffice helper) use wenku_warnings alone.
add_library(wenku_warnings INTERFACE)
target_compile_options(wenku_warnings INTERFACE
  -Wall -Wextra -Wconversion -Wshadow -Wno-sign-conversion)
if(WENKU_WERROR)
  target_compile_options(wenku_warnings INTERFACE -Werror)
endif()
target_include_directories(wenku_warnings INTERFACE ${PROJECT_SOURCE_DIR}/src)
add_library(wenku_options INTERFACE)
target_link_libraries(wenku_options INTERFACE wenku_warnings)
if(WENKU_SANITIZE)
  target_compile_options(wenku_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(wenku_options INTERFACE -fsanitize=address,undefined)
endif()
if(WENKU_TSAN)
  target_compile_options(wenku_options INTERFACE -fsanitize=thread)
  target_link_options(wenku_options INTERFACE -fsanitize=thread)
endif()

# wenku_module(NAME SOURCES... [LINKS ...]): one static library per module folder.
function(wenku_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LINKS" ${ARGN})
  add_library(wenku_${name} STATIC ${M_SOURCES})
  target_link_libraries(wenku_${name} PUBLIC wenku_options ${M_LINKS})
endfunction()

# wenku_unit_test(NAME SOURCES... LINKS ... [LABELS ...]): a GoogleTest executable
# registered with CTest (label `fast` unless told otherwise).
function(wenku_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LINKS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE wenku_options wenku_testing ${T_LINKS} GTest::gtest_main GTest::gmock)
  if(NOT T_LABELS)
    set(T_LABELS fast)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "WENKU_SOURCE_DIR=${PROJECT_SOURCE_DIR};WENKU_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()

# wenku_python_test(NAME script.py [LABELS ...] [TIMEOUT s]): a Python (stdlib) test driving
# the real `wenku` binary, whose path it gets in $WENKU_BIN.
function(wenku_python_test name script)
  cmake_parse_arguments(P "" "TIMEOUT" "LABELS" ${ARGN})
  if(NOT P_LABELS)
    set(P_LABELS slow)
  endif()
  if(NOT P_TIMEOUT)
    set(P_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/${script} -v)
  set_tests_properties(${name} PROPERTIES LABELS "${P_LABELS}" TIMEOUT ${P_TIMEOUT}
    ENVIRONMENT "WENKU_BIN=$<TARGET_FILE:wenku>")
endfunction()
