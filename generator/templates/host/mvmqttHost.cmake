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
# Linked non-PIE: CMSIS and cmsis_os2.c pass code and heap addresses through uint32_t. Needs CMake 3.18.

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
    "${_host}/src/mvhost_board.c"
    "${_host}/generated/mvhost_functions.c")
  set(_system_includes "")
  set(_defines MVMQTT_HOST_BUILD=1)
  set(_link_options -no-pie)

  if(FW_HAL_DIR)
    get_filename_component(_hal "${FW_HAL_DIR}" ABSOLUTE)
    set(_device_header "${_hal}/Drivers/CMSIS/Device/ST/STM32U5xx/Include/stm32u585xx.h")
    if(NOT EXISTS "${_device_header}")
      message(FATAL_ERROR "mvmqtt_add_host_firmware(${target}): HAL_DIR ${_hal} has no ${_device_header}")
    endif()
    list(APPEND _system_includes "${_hal}/Drivers/STM32U5xx_HAL_Driver/Inc" "${_hal}/Drivers/CMSIS/Device/ST/STM32U5xx/Include" "${_hal}/Config" "${_hal}")
    list(APPEND _defines USE_HAL_DRIVER STM32U585xx "CMSIS_device_header=\"stm32u5xx.h\"")
    list(APPEND _runtime "${_host}/src/mvhost_hal.c")
    # The vector table comes from the device header's IRQn list: line n calls <name>_IRQHandler.
    _mvmqtt_host_vector_table("${_device_header}" "${CMAKE_CURRENT_BINARY_DIR}/${target}_vectors.c")
    list(APPEND _runtime "${CMAKE_CURRENT_BINARY_DIR}/${target}_vectors.c")
  endif()

  if(FW_FREERTOS_KERNEL)
    get_filename_component(_rtos "${FW_FREERTOS_KERNEL}" ABSOLUTE)
    set(_port "${_rtos}/portable/ThirdParty/GCC/Posix")
    if(NOT EXISTS "${_port}/port.c")
      message(FATAL_ERROR "mvmqtt_add_host_firmware(${target}): FREERTOS_KERNEL ${_rtos} has no POSIX port (${_port}/port.c)")
    endif()
    foreach(_f tasks.c queue.c list.c timers.c event_groups.c stream_buffer.c)
      if(EXISTS "${_rtos}/${_f}")
        list(APPEND _runtime "${_rtos}/${_f}")
      endif()
    endforeach()
    list(APPEND _runtime "${_port}/port.c" "${_port}/utils/wait_for_event.c" "${_rtos}/portable/MemMang/heap_4.c" "${_host}/src/mvhost_freertos.c")
    list(APPEND _system_includes "${_rtos}/include" "${_port}" "${_port}/utils")
    # Interrupts are delivered from the tick; yields requested inside a handler wait for its end.
    list(APPEND _link_options "LINKER:--wrap=xTaskIncrementTick" "LINKER:--wrap=vPortYield")
  endif()
  if(FW_FREERTOS_CONFIG_DIR)
    get_filename_component(_config "${FW_FREERTOS_CONFIG_DIR}" ABSOLUTE)
    list(APPEND _system_includes "${_config}")
  endif()

  add_executable(${target} ${FW_SOURCES} ${FW_CMSIS_RTOS2_SOURCES} ${_runtime})
  # The project's headers come first: mv_syscalls.h and the CMSIS core headers resolve to the host
  # versions, ahead of any copy in the firmware tree (e.g. HAL_DIR/Microvisor-SDK).
  target_include_directories(${target} BEFORE PRIVATE
    "${_host}/include" "${_host}/include/cmsis" "${_mvmqtt_package_dir}/include" "${_host}/src")
  target_include_directories(${target} PRIVATE ${FW_INCLUDE_DIRS})
  # Vendor trees are written for a 32-bit target: their LP64 warnings are not the application's.
  target_include_directories(${target} SYSTEM PRIVATE ${_system_includes})
  target_compile_definitions(${target} PRIVATE ${_defines} ${FW_DEFINITIONS})
  target_compile_options(${target} PRIVATE -fno-pie -g)
  target_link_options(${target} PRIVATE ${_link_options})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  set(_vendor_sources ${_runtime} ${FW_CMSIS_RTOS2_SOURCES})
  list(FILTER _vendor_sources EXCLUDE REGEX "^${_host}/")
  set_source_files_properties(${_vendor_sources} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "-w")
  find_package(Threads REQUIRED)
  target_link_libraries(${target} PRIVATE Threads::Threads)
endfunction()

# Writes a C vector table from the device header: every `NAME_IRQn = N` with N >= 0 becomes
# entry N, a weak reference to NAME_IRQHandler (NULL when the application defines none).
function(_mvmqtt_host_vector_table header out)
  file(STRINGS "${header}" _lines REGEX "^[ \t]*[A-Za-z0-9_]+_IRQn[ \t]*=[ \t]*[0-9]+")
  set(_decls "")
  set(_entries "")
  set(_max -1)
  foreach(_line IN LISTS _lines)
    string(REGEX MATCH "^[ \t]*([A-Za-z0-9_]+)_IRQn[ \t]*=[ \t]*([0-9]+)" _m "${_line}")
    set(_name "${CMAKE_MATCH_1}")
    set(_n "${CMAKE_MATCH_2}")
    string(APPEND _decls "void ${_name}_IRQHandler(void) __attribute__((weak));\n")
    string(APPEND _entries "  [${_n}] = ${_name}_IRQHandler,\n")
    if(_n GREATER _max)
      set(_max ${_n})
    endif()
  endforeach()
  if(_max LESS 0)
    message(FATAL_ERROR "mvmqtt_add_host_firmware: no IRQn list found in ${header}")
  endif()
  math(EXPR _count "${_max} + 1")
  set(_text "/* Written by mvmqtt_add_host_firmware from ${header}. */\n#include <stdint.h>\n${_decls}\nvoid (*const mvhost_device_vectors[${_count}])(void) = {\n${_entries}};\nconst uint32_t mvhost_device_vector_count = ${_count}u;\n")
  if(EXISTS "${out}")
    file(READ "${out}" _old)
  endif()
  if(NOT _old STREQUAL _text)
    file(WRITE "${out}" "${_text}")
  endif()
endfunction()
