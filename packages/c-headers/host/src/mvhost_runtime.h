/*
 * Host runtime of @mvmqtt/c-headers: the part of a host firmware build that stands in for the
 * Microvisor kernel boundary. The generated stubs (generated/mvhost_functions.c) call
 * mvhost_call(); the tables they define tell the walker in mvhost_call.c which pointers to follow.
 * The kind numbers below must match HOST_KIND in the generated device-side tables.
 */
#ifndef MVHOST_RUNTIME_H
#define MVHOST_RUNTIME_H

#include <stdint.h>

enum mvhost_kind { MVHOST_KIND_INT = 1, MVHOST_KIND_ENUM = 2, MVHOST_KIND_HANDLE = 3, MVHOST_KIND_STRUCT = 4, MVHOST_KIND_ADDRESS = 5 };

/** A pointer, and what lies behind it. */
struct mvhost_pointer {
  uint8_t kind;            /* enum mvhost_kind of one element */
  uint8_t writable;        /* the pointee is not const: the kernel may write it */
  int32_t struct_index;    /* into mvhost_structs when kind is MVHOST_KIND_STRUCT, else -1 */
  uint32_t element_size;   /* bytes per element */
  uint32_t count_offset;   /* sibling field holding the length (when count_size != 0) */
  uint32_t count_size;     /* 0: exactly one element */
  uint8_t count_in_bytes;  /* 1: the length is in bytes, 0: in elements */
};

/** A struct member the walker visits: a pointer, or an embedded struct (is_pointer 0). */
struct mvhost_field {
  uint32_t offset;
  uint8_t is_pointer;
  struct mvhost_pointer pointer; /* for embedded structs only kind and struct_index are used */
  uint32_t guard_offset;         /* versioned unions: the member counts only when the value at */
  uint32_t guard_size;           /* guard_offset (guard_size bytes) equals guard_value */
  uint32_t guard_value;
};

struct mvhost_struct {
  uint32_t size;
  uint32_t first_field;
  uint32_t field_count;
};

struct mvhost_param {
  uint8_t is_pointer;
  struct mvhost_pointer pointer; /* for values only kind is used */
  int32_t count_arg;             /* the argument holding this pointer's length, or -1 */
};

struct mvhost_function {
  const char *name;
  uint32_t param_count;
  const struct mvhost_param *params;
};

extern const struct mvhost_struct mvhost_structs[];
extern const struct mvhost_field *const mvhost_struct_fields;
extern const struct mvhost_function mvhost_functions[];
extern const uint32_t mvhost_function_count;

/** Forwards one system call to the device core; atomic with respect to the application's interrupts. */
int64_t mvhost_call(uint32_t function_id, const uint64_t *args);

#include <signal.h>

/**
 * Sleeps as WFI does: until a signal `mask` leaves unblocked (sigsuspend's mask) has been
 * handled, or `woken()` holds after the device core sent an event. Meanwhile the device core
 * knows the firmware sleeps (it stops waiting for its next call and gets on with the I/O that
 * will raise the interrupt).
 */
void mvhost_call_wait_for_event(const sigset_t *mask, int (*woken)(void));

/* ---- interrupts (mvhost_irq.c) */

/** Number of interrupt lines the host NVIC keeps (covers every STM32U585 IRQn). */
#define MVHOST_IRQ_LINES 256

/** One pend of `irq` (counted: the handler runs once per pend). Callable from any thread. */
void mvhost_irq_pend(uint32_t irq);
/** True when pends are delivered by a signal to the interrupted thread (no RTOS glue chose another kick). */
int mvhost_irq_signal_delivery(void);
/**
 * A system call starts on this thread: with signal delivery, on the thread the signal goes to,
 * interrupts wait for the call's end without a change of the signal mask (true: call
 * mvhost_irq_call_end at the end). False: the caller blocks signals itself.
 */
int mvhost_irq_call_begin(void);
/** The call is over: an interrupt that came meanwhile is taken now (not inside the call). */
void mvhost_irq_call_end(void);
/** Runs the handlers of every pending, enabled line; call only in interrupt context. */
void mvhost_irq_dispatch(void);
/** True when some enabled line has pends waiting. */
int mvhost_irq_deliverable(void);
/**
 * How pends reach the application. The default (bare metal) signals the thread that started the
 * program, so handlers preempt it like interrupts. An RTOS glue sets its own (e.g. deliver on the
 * next tick, from the tick's own interrupt context).
 */
void mvhost_irq_set_kick(void (*kick)(void));

/** Runs in interrupt context on every RTOS tick (the HAL time base hooks in here). Weak no-op by default. */
void mvhost_tick_hook(void);

/** Called once, before main, by the runtime's constructor. */
void mvhost_irq_init(void);

#endif
