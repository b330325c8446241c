/*
 * FreeRTOS (POSIX port) glue for host builds. The port runs its tick as a SIGALRM handler on
 * the running task's thread with signals blocked: an interrupt context. Pending IRQs are
 * delivered there (so latency is bounded by one tick), with IPSR set, so CMSIS-RTOS2 takes its
 * ...FromISR paths. A yield requested inside a handler (portYIELD_FROM_ISR → vPortYield) is
 * remembered and taken when the tick handler switches tasks, never inside the handler.
 * The port's SIGALRM ticks get lost when the machine is busy (timer signals do not queue), so
 * the tick also catches up with the monotonic clock: FreeRTOS time runs at real time, as the
 * device clock does.
 * Linked with -Wl,--wrap=xTaskIncrementTick,--wrap=vPortYield (mvmqtt_add_host_firmware).
 */
#include "mvhost_runtime.h"

#include <mvhost/core.h>
#include <stdint.h>
#include <time.h>

#include "FreeRTOS.h"
#include "task.h"

/* At most this many missed ticks are replayed in one tick interrupt. */
#define MAX_CATCH_UP 50u

BaseType_t __real_xTaskIncrementTick(void);
BaseType_t __wrap_xTaskIncrementTick(void);
void __real_vPortYield(void);
void __wrap_vPortYield(void);

static volatile int yield_missed;

static void deliver_on_tick(void) { /* pends wait for the next tick */ }

__attribute__((constructor(101))) static void use_tick_delivery(void) { mvhost_irq_set_kick(deliver_on_tick); }

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

BaseType_t __wrap_xTaskIncrementTick(void) {
  static uint64_t first_tick_ns, ticks_counted;
  uint64_t now = monotonic_ns();
  if (!first_tick_ns) first_tick_ns = now;
  uint64_t due = (now - first_tick_ns) * (uint64_t)configTICK_RATE_HZ / 1000000000u + 1u;
  uint32_t replay = 0;
  BaseType_t switch_needed = pdFALSE;
  do {
    if (__real_xTaskIncrementTick() != pdFALSE) switch_needed = pdTRUE;
    ticks_counted++;
    mvhost_tick_hook();
  } while (ticks_counted < due && ++replay < MAX_CATCH_UP);
  mvhost_irq_dispatch();
  if (yield_missed) {
    yield_missed = 0;
    switch_needed = pdTRUE;
  }
  return switch_needed;
}

void __wrap_vPortYield(void) {
  if (mvhost_get_ipsr() != 0u) {
    yield_missed = 1;
    return;
  }
  __real_vPortYield();
}

/* cmsis_os2.c's SysTick_Handler calls the Cortex-M ports' tick handler; the POSIX port ticks itself. */
__attribute__((weak)) void xPortSysTickHandler(void) {}

/* OS tick API (os_tick.h) over the SysTick stand-in, for osKernelGetSysTimerCount and friends. */
typedef void (*IRQHandler_t)(void);
int32_t OS_Tick_Setup(uint32_t freq, IRQHandler_t handler);
void OS_Tick_Enable(void);
void OS_Tick_Disable(void);
void OS_Tick_AcknowledgeIRQ(void);
int32_t OS_Tick_GetIRQn(void);
uint32_t OS_Tick_GetClock(void);
uint32_t OS_Tick_GetInterval(void);
uint32_t OS_Tick_GetCount(void);
uint32_t OS_Tick_GetOverflow(void);

__attribute__((weak)) int32_t OS_Tick_Setup(uint32_t freq, IRQHandler_t handler) {
  (void)handler;
  return freq ? (int32_t)mvhost_systick_config(SystemCoreClock / freq) : -1;
}
__attribute__((weak)) void OS_Tick_Enable(void) {}
__attribute__((weak)) void OS_Tick_Disable(void) {}
__attribute__((weak)) void OS_Tick_AcknowledgeIRQ(void) {}
__attribute__((weak)) int32_t OS_Tick_GetIRQn(void) { return -1; /* SysTick_IRQn */ }
__attribute__((weak)) uint32_t OS_Tick_GetClock(void) { return SystemCoreClock; }
__attribute__((weak)) uint32_t OS_Tick_GetInterval(void) { return SysTick->LOAD + 1u; }
__attribute__((weak)) uint32_t OS_Tick_GetCount(void) {
  uint32_t load = SysTick->LOAD;
  return load - SysTick->VAL;
}
__attribute__((weak)) uint32_t OS_Tick_GetOverflow(void) { return 0u; }
