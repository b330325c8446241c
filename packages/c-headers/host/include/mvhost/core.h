/*
 * CMSIS-Core for a host build: the functions and registers firmware and CMSIS-RTOS2 reach for
 * (NVIC, IPSR, PRIMASK/BASEPRI, barriers, SysTick, SCB), backed by the host runtime's interrupt
 * controller instead of memory-mapped hardware. Included through the stand-in core_cm33.h,
 * after the device header has defined IRQn_Type, exactly where the real one would be.
 */
#ifndef MVHOST_CORE_H
#define MVHOST_CORE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef __IM
#define __IM volatile const
#endif
#ifndef __OM
#define __OM volatile
#endif
#ifndef __IOM
#define __IOM volatile
#endif
#ifndef __I
#define __I volatile const
#endif
#ifndef __O
#define __O volatile
#endif
#ifndef __IO
#define __IO volatile
#endif
#ifndef __STATIC_INLINE
#define __STATIC_INLINE static inline
#endif
#ifndef __STATIC_FORCEINLINE
#define __STATIC_FORCEINLINE static inline __attribute__((always_inline))
#endif
#ifndef __WEAK
#define __WEAK __attribute__((weak))
#endif
#ifndef __ALIGNED
#define __ALIGNED(x) __attribute__((aligned(x)))
#endif
#ifndef __PACKED
#define __PACKED __attribute__((packed, aligned(1)))
#endif
#ifndef __USED
#define __USED __attribute__((used))
#endif
#ifndef __NO_RETURN
#define __NO_RETURN __attribute__((__noreturn__))
#endif
#ifndef __ASM
#define __ASM __asm
#endif
#ifndef __INLINE
#define __INLINE inline
#endif
#ifndef __NVIC_PRIO_BITS
#define __NVIC_PRIO_BITS 4U
#endif

/* The core clock in Hz (system_stm32u5xx.h declares it too); RCC calls keep it current. */
extern uint32_t SystemCoreClock;

/* ---- core registers */
uint32_t mvhost_get_ipsr(void);
uint32_t mvhost_get_primask(void);
void mvhost_set_primask(uint32_t value);
uint32_t mvhost_get_basepri(void);
void mvhost_set_basepri(uint32_t value);
void mvhost_wait_for_interrupt(void);

__STATIC_FORCEINLINE uint32_t __get_IPSR(void) { return mvhost_get_ipsr(); }
__STATIC_FORCEINLINE uint32_t __get_PRIMASK(void) { return mvhost_get_primask(); }
__STATIC_FORCEINLINE void __set_PRIMASK(uint32_t v) { mvhost_set_primask(v); }
__STATIC_FORCEINLINE void __disable_irq(void) { mvhost_set_primask(1u); }
__STATIC_FORCEINLINE void __enable_irq(void) { mvhost_set_primask(0u); }
__STATIC_FORCEINLINE uint32_t __get_BASEPRI(void) { return mvhost_get_basepri(); }
__STATIC_FORCEINLINE void __set_BASEPRI(uint32_t v) { mvhost_set_basepri(v); }
__STATIC_FORCEINLINE void __set_BASEPRI_MAX(uint32_t v) {
  uint32_t cur = mvhost_get_basepri();
  if (v != 0u && (cur == 0u || v < cur)) mvhost_set_basepri(v);
}
__STATIC_FORCEINLINE uint32_t __get_CONTROL(void) { return 0u; }
__STATIC_FORCEINLINE uint32_t __get_FAULTMASK(void) { return 0u; }
__STATIC_FORCEINLINE void __DSB(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
__STATIC_FORCEINLINE void __DMB(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
__STATIC_FORCEINLINE void __ISB(void) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }
__STATIC_FORCEINLINE void __NOP(void) {}
__STATIC_FORCEINLINE void __WFI(void) { mvhost_wait_for_interrupt(); }
__STATIC_FORCEINLINE void __WFE(void) { mvhost_wait_for_interrupt(); }
__STATIC_FORCEINLINE void __SEV(void) {}
#define __BKPT(value) __builtin_trap()

/* ---- NVIC (IRQn_Type comes from the device header, as on hardware) */
void mvhost_nvic_enable(int32_t irq);
void mvhost_nvic_disable(int32_t irq);
uint32_t mvhost_nvic_is_enabled(int32_t irq);
void mvhost_nvic_set_pending(int32_t irq);
void mvhost_nvic_clear_pending(int32_t irq);
uint32_t mvhost_nvic_is_pending(int32_t irq);
uint32_t mvhost_nvic_is_active(int32_t irq);
void mvhost_nvic_set_priority(int32_t irq, uint32_t priority);
uint32_t mvhost_nvic_get_priority(int32_t irq);
void mvhost_nvic_set_vector(int32_t irq, uint32_t vector);
uint32_t mvhost_nvic_get_vector(int32_t irq);
void mvhost_nvic_set_priority_grouping(uint32_t group);
uint32_t mvhost_nvic_get_priority_grouping(void);
__NO_RETURN void mvhost_system_reset(void);

#define NVIC_EnableIRQ(irq) mvhost_nvic_enable((int32_t)(irq))
#define NVIC_DisableIRQ(irq) mvhost_nvic_disable((int32_t)(irq))
#define NVIC_GetEnableIRQ(irq) mvhost_nvic_is_enabled((int32_t)(irq))
#define NVIC_SetPendingIRQ(irq) mvhost_nvic_set_pending((int32_t)(irq))
#define NVIC_ClearPendingIRQ(irq) mvhost_nvic_clear_pending((int32_t)(irq))
#define NVIC_GetPendingIRQ(irq) mvhost_nvic_is_pending((int32_t)(irq))
#define NVIC_GetActive(irq) mvhost_nvic_is_active((int32_t)(irq))
#define NVIC_SetPriority(irq, p) mvhost_nvic_set_priority((int32_t)(irq), (uint32_t)(p))
#define NVIC_GetPriority(irq) mvhost_nvic_get_priority((int32_t)(irq))
/* CMSIS passes vectors as 32-bit addresses: the host build links non-PIE, so code lies below 4 GiB. */
#define NVIC_SetVector(irq, v) mvhost_nvic_set_vector((int32_t)(irq), (uint32_t)(v))
#define NVIC_GetVector(irq) mvhost_nvic_get_vector((int32_t)(irq))
#define NVIC_SetPriorityGrouping(g) mvhost_nvic_set_priority_grouping((uint32_t)(g))
#define NVIC_GetPriorityGrouping() mvhost_nvic_get_priority_grouping()
#define NVIC_SystemReset() mvhost_system_reset()
#define __NVIC_EnableIRQ NVIC_EnableIRQ
#define __NVIC_DisableIRQ NVIC_DisableIRQ
#define __NVIC_SetPriority NVIC_SetPriority
#define __NVIC_GetPriority NVIC_GetPriority
#define __NVIC_SystemReset NVIC_SystemReset

__STATIC_INLINE uint32_t NVIC_EncodePriority(uint32_t group, uint32_t preempt, uint32_t sub) {
  uint32_t g = group & 7u;
  uint32_t preempt_bits = (7u - g) > __NVIC_PRIO_BITS ? __NVIC_PRIO_BITS : 7u - g;
  uint32_t sub_bits = (g + __NVIC_PRIO_BITS) < 7u ? 0u : g - 7u + __NVIC_PRIO_BITS;
  return ((preempt & ((1u << preempt_bits) - 1u)) << sub_bits) | (sub & ((1u << sub_bits) - 1u));
}

/* ---- SysTick and SCB: plain memory the runtime keeps consistent with the device clock */
typedef struct {
  __IOM uint32_t CTRL;
  __IOM uint32_t LOAD;
  __IOM uint32_t VAL;
  __IM uint32_t CALIB;
} SysTick_Type;

typedef struct {
  __IM uint32_t CPUID;
  __IOM uint32_t ICSR;
  __IOM uint32_t VTOR;
  __IOM uint32_t AIRCR;
  __IOM uint32_t SCR;
  __IOM uint32_t CCR;
  __IOM uint8_t SHPR[12];
  __IOM uint32_t SHCSR;
} SCB_Type;

extern SysTick_Type mvhost_systick;
extern SCB_Type mvhost_scb;
/** Refreshes SysTick->VAL and SCB->ICSR from the host clock (called by the reads below). */
void mvhost_systick_sample(void);
#define SysTick (mvhost_systick_sample(), &mvhost_systick)
#define SCB (mvhost_systick_sample(), &mvhost_scb)

#define SysTick_CTRL_ENABLE_Pos 0U
#define SysTick_CTRL_ENABLE_Msk (1UL << SysTick_CTRL_ENABLE_Pos)
#define SysTick_CTRL_TICKINT_Pos 1U
#define SysTick_CTRL_TICKINT_Msk (1UL << SysTick_CTRL_TICKINT_Pos)
#define SysTick_CTRL_CLKSOURCE_Pos 2U
#define SysTick_CTRL_CLKSOURCE_Msk (1UL << SysTick_CTRL_CLKSOURCE_Pos)
#define SysTick_CTRL_COUNTFLAG_Pos 16U
#define SysTick_CTRL_COUNTFLAG_Msk (1UL << SysTick_CTRL_COUNTFLAG_Pos)
#define SysTick_LOAD_RELOAD_Msk 0xFFFFFFUL
#define SysTick_VAL_CURRENT_Msk 0xFFFFFFUL
#define SCB_ICSR_PENDSTSET_Pos 26U
#define SCB_ICSR_PENDSTSET_Msk (1UL << SCB_ICSR_PENDSTSET_Pos)
#define SCB_ICSR_VECTACTIVE_Msk 0x1FFUL

/** SysTick_Config: starts the 1 kHz-style tick at SystemCoreClock / ticks (host: bookkeeping only). */
uint32_t mvhost_systick_config(uint32_t ticks);
#define SysTick_Config(ticks) mvhost_systick_config((uint32_t)(ticks))

#ifdef __cplusplus
}
#endif

#endif
