# mvmqtt_add_host_firmware(): build unmodified Microvisor firmware as a Linux x86_64 program
# that runs against the emulated device core (`npx mvdevice run -- <program>`).
#
#   mvmqtt_add_host_firmware(<target>
#     SOURCES <files...>                 the application's sources
#     [INCLUDE_DIRS <dirs...>]           its include directories
#     [DEFINITIONS <defs...>]            its compile definitions
#     [FREERTOS_KERNEL <dir>]            FreeRTOS-Kernel checkout: built with its POSIX port
#     [FREERTOS_CONFIG_DIR <dir>]        where the application's FreeRTOSConfig.h lives
#     [CMSIS_RTOS2_SOURCES <files...>]   the application's CMSIS-RTOS2 implementation (cmsis_os2.c)
#     [HAL_DIR <dir>])                   the application's STM32U5 HAL tree (Microvisor's fork)
#
# The system calls come from this package's generated header (also under the vendor's name,
# mv_syscalls.h, ahead of any copy in the firmware tree) and are forwarded by the host runtime.
# Linked non-PIE: CMSIS and cmsis_os2.c pass code and heap addresses through uint32_t.

get_filename_component(_mvmqtt_host_dir "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
get_filename_component(_mvmqtt_package_dir "${_mvmqtt_host_dir}/.." ABSOLUTE)
set(MVMQTT_HOST_DIR "${_mvmqtt_host_dir}")

function(mvmqtt_add_host_firmware target)
  cmake_parse_arguments(PARSE_ARGV 1 FW "" "FREERTOS_KERNEL;FREERTOS_CONFIG_DIR;HAL_DIR" "SOURCES;INCLUDE_DIRS;DEFINITIONS;CMSIS_RTOS2_SOURCES")
  if(FW_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "mvmqtt_add_host_firmware(${target}): unknown arguments: ${FW_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT FW_SOURCES)
    message(FATAL_ERROR "mvmqtt_add_host_firmware(${target}): SOURCES is required")
  endif()
  if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux" OR NOT CMAKE_SIZEOF_VOID_P EQUAL 8)
    message(FATAL_ERROR "mvmqtt_add_host_firmware(${target}): host builds target Linux x86_64 (this is ${CMAKE_SYSTEM_NAME}, ${CMAKE_SIZEOF_VOID_P}-byte pointers)")
  endif()
  set(_host "${MVMQTT_HOST_DIR}")
  set(_runtime
    "${_host}/src/mvhost_call.c"
    "${_host}/src/mvhost_irq.c"
    "${_host}/generated/mvhost_functions.c")
  add_executable(${target} ${FW_SOURCES} ${FW_CMSIS_RTOS2_SOURCES} ${_runtime})
  # The project's headers come first: mv_syscalls.h and core_cm33.h resolve to the host versions.
  target_include_directories(${target} BEFORE PRIVATE
    "${_host}/include" "${_host}/include/cmsis" "${_mvmqtt_package_dir}/include" "${_host}/src")
  target_include_directories(${target} PRIVATE ${FW_INCLUDE_DIRS})
  target_compile_definitions(${target} PRIVATE MVMQTT_HOST_BUILD=1 ${FW_DEFINITIONS})
  target_compile_options(${target} PRIVATE -fno-pie -g)
  target_link_options(${target} PRIVATE -no-pie)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  find_package(Threads REQUIRED)
  target_link_libraries(${target} PRIVATE Threads::Threads)
endfunction()
