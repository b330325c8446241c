/*
 * The STM32U585's memory-mapped windows as plain memory: firmware and HAL macros that touch
 * registers directly (`__HAL_RCC_GPIOA_CLK_ENABLE()`, `GPIOA->ODR`, NVIC registers) read and
 * write RAM instead of faulting. Mapped lazily by the kernel: untouched pages cost nothing.
 * A non-PIE host executable (as mvmqtt_add_host_firmware links it) leaves these ranges free.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static const struct {
  uintptr_t start;
  size_t size;
  const char *what;
} windows[] = {
  { 0x40000000u, 0x20000000u, "peripherals" },
  { 0xE0000000u, 0x00100000u, "core peripherals (NVIC, SCB, SysTick)" },
};

__attribute__((constructor)) static void map_peripheral_windows(void) {
  for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
    void *at = mmap((void *)windows[i].start, windows[i].size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (at != (void *)windows[i].start) {
      if (at != MAP_FAILED) munmap(at, windows[i].size);
      fprintf(stderr, "mvhost: cannot map the %s window at %#lx; direct register access will fault\n", windows[i].what,
              (unsigned long)windows[i].start);
    }
  }
}
