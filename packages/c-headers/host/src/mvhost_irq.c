/*
 * The host's interrupt controller. Pends are counted per line (one handler call per
 * notification record, as on the TypeScript device), held while a line is disabled, and
 * delivered in interrupt context: IPSR reads 16 + IRQn on the delivering thread while a handler
 * runs, and a handler never preempts a system call (see mvhost_irq_call_begin).
 *
 * Bare metal: a pend signals the thread that started the program, and its signal handler runs
 * the handlers, so they preempt the super-loop at any instruction; __WFI() sleeps until then.
 * An RTOS glue replaces that with its own delivery point (mvhost_irq_set_kick).
 */
#define _GNU_SOURCE
#include "mvhost_runtime.h"

#include <mvhost/core.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Vector table from the device header's IRQ list, when the build has one (weak: absent otherwise). */
extern void (*const mvhost_device_vectors[])(void) __attribute__((weak));
extern const uint32_t mvhost_device_vector_count __attribute__((weak));

static _Atomic uint32_t pending[MVHOST_IRQ_LINES];
static _Atomic uint8_t enabled[MVHOST_IRQ_LINES];
static _Atomic uint8_t active[MVHOST_IRQ_LINES];
static uint8_t priority[MVHOST_IRQ_LINES];
static void (*vectors[MVHOST_IRQ_LINES])(void);
static _Atomic uint32_t primask;
static _Atomic uint32_t basepri;
static uint32_t priority_grouping;
static _Thread_local uint32_t ipsr;
static pid_t interrupted_process, interrupted_thread;
static pthread_t interrupted_pthread;
/*
 * Calls in progress on the interrupted thread, and whether the interrupt signal came during
 * one. A call there used to block every signal and restore the mask after (two system calls
 * per call, on the path between the device core's answer and the next request). Now the
 * handler sees the call, notes the signal and returns; the call's end signals again, so the
 * handlers run after the call, as they did when the mask let the pending signal through.
 */
static volatile sig_atomic_t calls_in_progress;
static volatile sig_atomic_t irq_during_call;
static int irq_signal;
static void (*kick)(void);

SysTick_Type mvhost_systick;
SCB_Type mvhost_scb;
/* system_stm32u5xx.h declares it; the HAL's RCC code keeps it up to date. */
__attribute__((weak)) uint32_t SystemCoreClock = 160000000u;

static int valid(int32_t irq) { return irq >= 0 && irq < MVHOST_IRQ_LINES; }

/* tgkill itself: glibc's pthread_kill blocks and restores every signal around it (two more system calls per interrupt). */
static void signal_interrupted_thread(void) { syscall(SYS_tgkill, interrupted_process, interrupted_thread, irq_signal); }

static void on_irq_signal(int sig) {
  (void)sig;
  if (calls_in_progress) {
    irq_during_call = 1;
    return;
  }
  int saved = errno;
  mvhost_irq_dispatch();
  errno = saved;
}

void mvhost_irq_set_kick(void (*k)(void)) { kick = k; }

int mvhost_irq_call_begin(void) {
  // Elsewhere (an RTOS, whose tick must not switch tasks inside a call; another thread) the caller blocks signals.
  if (kick != signal_interrupted_thread || !pthread_equal(pthread_self(), interrupted_pthread)) return 0;
  calls_in_progress++;
  atomic_signal_fence(memory_order_seq_cst);
  return 1;
}

void mvhost_irq_call_end(void) {
  atomic_signal_fence(memory_order_seq_cst);
  calls_in_progress--;
  atomic_signal_fence(memory_order_seq_cst);
  // A signal between the decrement and here was handled already; signalling again only finds nothing to do.
  if (!calls_in_progress && irq_during_call) {
    irq_during_call = 0;
    signal_interrupted_thread();
  }
}
int mvhost_irq_signal_delivery(void) { return kick == signal_interrupted_thread; }

__attribute__((weak)) void mvhost_tick_hook(void) {}

void mvhost_irq_init(void) {
  interrupted_process = getpid();
  interrupted_thread = (pid_t)syscall(SYS_gettid);
  interrupted_pthread = pthread_self();
  irq_signal = SIGRTMIN + 4;
  if (!kick) kick = signal_interrupted_thread; /* an RTOS glue may have chosen already */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_irq_signal;
  sigfillset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(irq_signal, &sa, NULL);
  if (&mvhost_device_vector_count && mvhost_device_vectors) {
    uint32_t n = mvhost_device_vector_count < MVHOST_IRQ_LINES ? mvhost_device_vector_count : MVHOST_IRQ_LINES;
    for (uint32_t i = 0; i < n; i++) vectors[i] = mvhost_device_vectors[i];
  }
}

void mvhost_irq_pend(uint32_t irq) {
  if (irq >= MVHOST_IRQ_LINES) return;
  // Only the first pend of a line kicks: the delivery it starts takes every pend of the line
  // before it returns (it looks again after each handler), and each kick is a queued real-time
  // signal (a system call, and a signal delivery that finds nothing when a burst of events
  // pends one line several times). A line disabled or masked meanwhile is kicked when enabled
  // or unmasked, as before.
  if (atomic_fetch_add(&pending[irq], 1) == 0 && atomic_load(&enabled[irq])) kick();
}

/* Masked lines: everything under PRIMASK, and under BASEPRI every priority numerically at or above it. */
static int masked(uint32_t irq) {
  if (atomic_load(&primask)) return 1;
  uint32_t b = atomic_load(&basepri);
  return b != 0u && priority[irq] >= b;
}

/* What wakes the core from WFI: a pend on an enabled line, even one that PRIMASK or BASEPRI masks. */
static int irq_waiting(void) {
  for (uint32_t i = 0; i < MVHOST_IRQ_LINES; i++)
    if (atomic_load(&enabled[i]) && atomic_load(&pending[i])) return 1;
  return 0;
}

int mvhost_irq_deliverable(void) {
  for (uint32_t i = 0; i < MVHOST_IRQ_LINES; i++)
    if (atomic_load(&enabled[i]) && atomic_load(&pending[i]) && !masked(i)) return 1;
  return 0;
}

static int take_pend(uint32_t irq) {
  uint32_t n = atomic_load(&pending[irq]);
  while (n) {
    if (atomic_compare_exchange_weak(&pending[irq], &n, n - 1)) return 1;
  }
  return 0;
}

void mvhost_irq_dispatch(void) {
  for (;;) {
    int best = -1;
    for (uint32_t i = 0; i < MVHOST_IRQ_LINES; i++) {
      if (!atomic_load(&enabled[i]) || !atomic_load(&pending[i]) || masked(i) || atomic_load(&active[i])) continue;
      if (best < 0 || priority[i] < priority[best]) best = (int)i;
    }
    if (best < 0) return;
    if (!take_pend((uint32_t)best)) continue;
    void (*handler)(void) = vectors[best];
    if (!handler) {
      fprintf(stderr, "mvhost: IRQ %d is pending and enabled but has no handler (define its IRQHandler or call NVIC_SetVector)\n", best);
      atomic_store(&enabled[best], 0);
      continue;
    }
    uint32_t outer = ipsr;
    atomic_store(&active[best], 1);
    ipsr = 16u + (uint32_t)best;
    handler();
    ipsr = outer;
    atomic_store(&active[best], 0);
  }
}

uint32_t mvhost_get_ipsr(void) { return ipsr; }
uint32_t mvhost_get_primask(void) { return atomic_load(&primask); }
uint32_t mvhost_get_basepri(void) { return atomic_load(&basepri); }

void mvhost_set_primask(uint32_t value) {
  atomic_store(&primask, value & 1u);
  if (!(value & 1u) && ipsr == 0 && mvhost_irq_deliverable()) kick();
}

void mvhost_set_basepri(uint32_t value) {
  atomic_store(&basepri, value & 0xffu);
  if (ipsr == 0 && mvhost_irq_deliverable()) kick();
}

void mvhost_wait_for_interrupt(void) {
  if (ipsr != 0) return;
  sigset_t block, saved;
  sigemptyset(&block);
  sigaddset(&block, irq_signal);
  pthread_sigmask(SIG_BLOCK, &block, &saved);
  if (!irq_waiting()) {
    sigset_t wait = saved;
    sigdelset(&wait, irq_signal);
    mvhost_call_wait_for_event(&wait, irq_waiting);
  }
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  // Pends that arrived while the line was masked are taken now, as the core would on wake-up.
  if (mvhost_irq_deliverable()) kick();
}

void mvhost_nvic_enable(int32_t irq) {
  if (!valid(irq)) return;
  atomic_store(&enabled[irq], 1);
  if (atomic_load(&pending[irq]) && ipsr == 0) kick();
}
void mvhost_nvic_disable(int32_t irq) { if (valid(irq)) atomic_store(&enabled[irq], 0); }
uint32_t mvhost_nvic_is_enabled(int32_t irq) { return valid(irq) ? atomic_load(&enabled[irq]) : 0u; }
void mvhost_nvic_set_pending(int32_t irq) { if (valid(irq)) mvhost_irq_pend((uint32_t)irq); }
void mvhost_nvic_clear_pending(int32_t irq) { if (valid(irq)) atomic_store(&pending[irq], 0); }
uint32_t mvhost_nvic_is_pending(int32_t irq) { return valid(irq) && atomic_load(&pending[irq]) ? 1u : 0u; }
uint32_t mvhost_nvic_is_active(int32_t irq) { return valid(irq) ? atomic_load(&active[irq]) : 0u; }
void mvhost_nvic_set_priority(int32_t irq, uint32_t p) {
  if (valid(irq)) priority[irq] = (uint8_t)((p << (8u - __NVIC_PRIO_BITS)) & 0xffu);
}
uint32_t mvhost_nvic_get_priority(int32_t irq) { return valid(irq) ? (uint32_t)priority[irq] >> (8u - __NVIC_PRIO_BITS) : 0u; }
void mvhost_nvic_set_vector(int32_t irq, uint32_t vector) {
  if (valid(irq)) vectors[irq] = (void (*)(void))(uintptr_t)vector;
}
uint32_t mvhost_nvic_get_vector(int32_t irq) { return valid(irq) ? (uint32_t)(uintptr_t)vectors[irq] : 0u; }
void mvhost_nvic_set_priority_grouping(uint32_t group) { priority_grouping = group & 7u; }
uint32_t mvhost_nvic_get_priority_grouping(void) { return priority_grouping; }

void mvhost_system_reset(void) {
  fprintf(stderr, "mvhost: NVIC_SystemReset() called; the host build stops here\n");
  fflush(NULL);
  _exit(0);
}

/* ---- SysTick, driven by the monotonic clock at SystemCoreClock */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t mvhost_systick_config(uint32_t ticks) {
  if (ticks == 0 || ticks - 1u > SysTick_LOAD_RELOAD_Msk) return 1u;
  mvhost_systick.LOAD = ticks - 1u;
  mvhost_systick.VAL = 0;
  mvhost_systick.CTRL = SysTick_CTRL_CLKSOURCE_Msk | SysTick_CTRL_TICKINT_Msk | SysTick_CTRL_ENABLE_Msk;
  return 0u;
}

void mvhost_systick_sample(void) {
  uint32_t reload = mvhost_systick.LOAD + 1u;
  if (reload <= 1u || SystemCoreClock == 0u) return;
  uint64_t cycles = now_ns() * (uint64_t)(SystemCoreClock / 1000000u) / 1000u;
  // SysTick counts down from LOAD to 0.
  mvhost_systick.VAL = reload - 1u - (uint32_t)(cycles % reload);
  mvhost_scb.ICSR = ipsr & SCB_ICSR_VECTACTIVE_Msk;
}
