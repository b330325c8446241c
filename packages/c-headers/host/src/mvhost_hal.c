/*
 * The part of the STM32U5 HAL a typical Microvisor application uses, with host behaviour:
 * ticks and delays on the host clock, RCC keeping SystemCoreClock, GPIO pin states kept and
 * (with MVHOST_GPIO_TRACE=1) printed, UART transmit to stdout, I2C to pluggable device models
 * (mvhost_i2c_read / mvhost_i2c_write), and a TIM time base that calls
 * HAL_TIM_PeriodElapsedCallback from the RTOS tick. Every function is weak: the application's
 * own definition (a HAL_InitTick of its own, say) wins, as on the device.
 */
#include "stm32u5xx_hal.h"
#include "mvhost_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WEAK __attribute__((weak))

__IO uint32_t uwTick;
uint32_t uwTickPrio = (1UL << __NVIC_PRIO_BITS);
HAL_TickFreqTypeDef uwTickFreq = HAL_TICK_FREQ_DEFAULT;

static uint64_t start_ms;
static uint64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- core */
WEAK void HAL_MspInit(void) {}
WEAK HAL_StatusTypeDef HAL_InitTick(uint32_t TickPriority) {
  uwTickPrio = TickPriority;
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_Init(void) {
  start_ms = monotonic_ms();
  if (HAL_InitTick(TICK_INT_PRIORITY) != HAL_OK) return HAL_ERROR;
  HAL_MspInit();
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_DeInit(void) { return HAL_OK; }
WEAK void HAL_IncTick(void) { uwTick += (uint32_t)uwTickFreq; }
/* The host clock, so delays work whether or not a time base interrupt is running. */
WEAK uint32_t HAL_GetTick(void) { return (uint32_t)(monotonic_ms() - start_ms); }
WEAK uint32_t HAL_GetTickPrio(void) { return uwTickPrio; }
WEAK void HAL_Delay(uint32_t Delay) { usleep((useconds_t)Delay * 1000u); }
WEAK void HAL_SuspendTick(void) {}
WEAK void HAL_ResumeTick(void) {}

/* ---- NVIC through HAL */
WEAK void HAL_NVIC_SetPriorityGrouping(uint32_t PriorityGroup) { NVIC_SetPriorityGrouping(PriorityGroup); }
WEAK void HAL_NVIC_SetPriority(IRQn_Type IRQn, uint32_t PreemptPriority, uint32_t SubPriority) {
  NVIC_SetPriority(IRQn, NVIC_EncodePriority(NVIC_GetPriorityGrouping(), PreemptPriority, SubPriority));
}
WEAK void HAL_NVIC_EnableIRQ(IRQn_Type IRQn) { NVIC_EnableIRQ(IRQn); }
WEAK void HAL_NVIC_DisableIRQ(IRQn_Type IRQn) { NVIC_DisableIRQ(IRQn); }
WEAK void HAL_NVIC_SystemReset(void) { NVIC_SystemReset(); }
WEAK void HAL_NVIC_ClearPendingIRQ(IRQn_Type IRQn) { NVIC_ClearPendingIRQ(IRQn); }
WEAK void HAL_NVIC_SetPendingIRQ(IRQn_Type IRQn) { NVIC_SetPendingIRQ(IRQn); }

/* ---- RCC: the emulated clock tree runs at whatever the application asks for */
WEAK HAL_StatusTypeDef HAL_RCC_OscConfig(RCC_OscInitTypeDef *RCC_OscInitStruct) {
  (void)RCC_OscInitStruct;
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_RCC_ClockConfig(const RCC_ClkInitTypeDef *RCC_ClkInitStruct, uint32_t FLatency) {
  (void)RCC_ClkInitStruct;
  (void)FLatency;
  return HAL_OK;
}
WEAK uint32_t HAL_RCC_GetSysClockFreq(void) { return SystemCoreClock; }
WEAK uint32_t HAL_RCC_GetHCLKFreq(void) { return SystemCoreClock; }
WEAK uint32_t HAL_RCC_GetPCLK1Freq(void) { return SystemCoreClock; }
WEAK uint32_t HAL_RCC_GetPCLK2Freq(void) { return SystemCoreClock; }
WEAK HAL_StatusTypeDef HAL_RCCEx_PeriphCLKConfig(RCC_PeriphCLKInitTypeDef *PeriphClkInit) {
  (void)PeriphClkInit;
  return HAL_OK;
}
WEAK void SystemCoreClockUpdate(void) {}
WEAK void SystemInit(void) {}
WEAK HAL_StatusTypeDef HAL_PWREx_ControlVoltageScaling(uint32_t VoltageScaling) {
  (void)VoltageScaling;
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_PWREx_ConfigSupply(uint32_t SupplySource) {
  (void)SupplySource;
  return HAL_OK;
}

/* ---- GPIO: pin states kept per port (the port's register block is plain memory on the host) */
static int gpio_trace(void) {
  static int cached = -1;
  if (cached < 0) cached = getenv("MVHOST_GPIO_TRACE") && strcmp(getenv("MVHOST_GPIO_TRACE"), "1") == 0;
  return cached;
}
static char port_letter(const GPIO_TypeDef *port) { return (char)('A' + (((uintptr_t)port - GPIOA_BASE) / (GPIOB_BASE - GPIOA_BASE))); }
static void gpio_show(GPIO_TypeDef *port, uint16_t pins) {
  if (!gpio_trace()) return;
  for (unsigned pin = 0; pin < 16; pin++)
    if (pins & (1u << pin)) printf("[gpio] P%c%u = %u\n", port_letter(port), pin, (unsigned)((port->ODR >> pin) & 1u));
  fflush(stdout);
}
WEAK void HAL_GPIO_Init(GPIO_TypeDef *GPIOx, const GPIO_InitTypeDef *GPIO_Init) {
  (void)GPIOx;
  (void)GPIO_Init;
}
WEAK void HAL_GPIO_DeInit(GPIO_TypeDef *GPIOx, uint32_t GPIO_Pin) {
  GPIOx->ODR &= ~GPIO_Pin;
}
WEAK GPIO_PinState HAL_GPIO_ReadPin(GPIO_TypeDef *GPIOx, uint16_t GPIO_Pin) {
  return ((GPIOx->IDR | GPIOx->ODR) & GPIO_Pin) ? GPIO_PIN_SET : GPIO_PIN_RESET;
}
WEAK void HAL_GPIO_WritePin(GPIO_TypeDef *GPIOx, uint16_t GPIO_Pin, GPIO_PinState PinState) {
  if (PinState != GPIO_PIN_RESET) GPIOx->ODR |= GPIO_Pin;
  else GPIOx->ODR &= ~(uint32_t)GPIO_Pin;
  gpio_show(GPIOx, GPIO_Pin);
}
WEAK void HAL_GPIO_TogglePin(GPIO_TypeDef *GPIOx, uint16_t GPIO_Pin) {
  GPIOx->ODR ^= GPIO_Pin;
  gpio_show(GPIOx, GPIO_Pin);
}

/* ---- UART: transmit goes to stdout, as a serial console would show it */
WEAK void HAL_UART_MspInit(UART_HandleTypeDef *huart) { (void)huart; }
WEAK HAL_StatusTypeDef HAL_UART_Init(UART_HandleTypeDef *huart) {
  if (!huart) return HAL_ERROR;
  HAL_UART_MspInit(huart);
  huart->gState = HAL_UART_STATE_READY;
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_UART_Transmit(UART_HandleTypeDef *huart, const uint8_t *pData, uint16_t Size, uint32_t Timeout) {
  (void)huart;
  (void)Timeout;
  if (!pData) return HAL_ERROR;
  fwrite(pData, 1, Size, stdout);
  fflush(stdout);
  return HAL_OK;
}

/* ---- I2C: devices are models a team plugs in (strong definitions of these two hooks) */
WEAK HAL_StatusTypeDef mvhost_i2c_read(uint16_t address, uint16_t reg, uint8_t *data, uint16_t size) {
  (void)address;
  (void)reg;
  (void)data;
  (void)size;
  return HAL_ERROR; /* no device answers */
}
WEAK HAL_StatusTypeDef mvhost_i2c_write(uint16_t address, uint16_t reg, const uint8_t *data, uint16_t size) {
  (void)address;
  (void)reg;
  (void)data;
  (void)size;
  return HAL_ERROR;
}
WEAK void HAL_I2C_MspInit(I2C_HandleTypeDef *hi2c) { (void)hi2c; }
WEAK HAL_StatusTypeDef HAL_I2C_Init(I2C_HandleTypeDef *hi2c) {
  if (!hi2c) return HAL_ERROR;
  HAL_I2C_MspInit(hi2c);
  hi2c->State = HAL_I2C_STATE_READY;
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_I2C_Mem_Read(I2C_HandleTypeDef *hi2c, uint16_t DevAddress, uint16_t MemAddress, uint16_t MemAddSize, uint8_t *pData,
                                        uint16_t Size, uint32_t Timeout) {
  (void)hi2c;
  (void)MemAddSize;
  (void)Timeout;
  return mvhost_i2c_read(DevAddress, MemAddress, pData, Size);
}
WEAK HAL_StatusTypeDef HAL_I2C_Mem_Write(I2C_HandleTypeDef *hi2c, uint16_t DevAddress, uint16_t MemAddress, uint16_t MemAddSize,
                                         uint8_t *pData, uint16_t Size, uint32_t Timeout) {
  (void)hi2c;
  (void)MemAddSize;
  (void)Timeout;
  return mvhost_i2c_write(DevAddress, MemAddress, pData, Size);
}
WEAK HAL_StatusTypeDef HAL_I2C_IsDeviceReady(I2C_HandleTypeDef *hi2c, uint16_t DevAddress, uint32_t Trials, uint32_t Timeout) {
  uint8_t probe;
  (void)hi2c;
  (void)Trials;
  (void)Timeout;
  return mvhost_i2c_read(DevAddress, 0, &probe, 0);
}

/* ---- TIM time base: the period elapses on RTOS ticks, in interrupt context */
static TIM_HandleTypeDef *time_base;
static uint32_t time_base_ticks, time_base_count;

WEAK void HAL_TIM_Base_MspInit(TIM_HandleTypeDef *htim) { (void)htim; }
WEAK void HAL_TIM_PeriodElapsedCallback(TIM_HandleTypeDef *htim) { (void)htim; }
WEAK HAL_StatusTypeDef HAL_TIM_Base_Init(TIM_HandleTypeDef *htim) {
  if (!htim) return HAL_ERROR;
  HAL_TIM_Base_MspInit(htim);
  htim->State = HAL_TIM_STATE_READY;
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_TIM_Base_Start_IT(TIM_HandleTypeDef *htim) {
  /* Period in ms from the timer's prescaler and period at the core clock; at least one tick. */
  uint64_t hz = SystemCoreClock ? SystemCoreClock : 1u;
  uint64_t ms = ((uint64_t)htim->Init.Prescaler + 1u) * ((uint64_t)htim->Init.Period + 1u) * 1000u / hz;
  time_base_ticks = ms ? (uint32_t)ms : 1u;
  time_base_count = 0;
  time_base = htim;
  htim->State = HAL_TIM_STATE_BUSY;
  return HAL_OK;
}
WEAK HAL_StatusTypeDef HAL_TIM_Base_Stop_IT(TIM_HandleTypeDef *htim) {
  if (time_base == htim) time_base = NULL;
  htim->State = HAL_TIM_STATE_READY;
  return HAL_OK;
}
WEAK void HAL_TIM_IRQHandler(TIM_HandleTypeDef *htim) { HAL_TIM_PeriodElapsedCallback(htim); }

void mvhost_tick_hook(void) {
  if (time_base && ++time_base_count >= time_base_ticks) {
    time_base_count = 0;
    HAL_TIM_PeriodElapsedCallback(time_base);
  }
}
