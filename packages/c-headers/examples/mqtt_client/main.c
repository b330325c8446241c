/*
 * Firmware entry point for the MQTT client example on a Microvisor device (STM32U585).
 *
 * Startup code and the vector table come from your board support package: point the vector
 * of EXAMPLE_NOTIFICATION_IRQ at example_notification_irq_handler(). Link with
 * ld/mvmqtt_nsc.ld (or the vendor's mv_syscalls.o) to resolve the system calls.
 */
#include "mqtt_client.h"

#include <stddef.h>

/* Any IRQ the application does not otherwise use; the vendor demos use a timer's break interrupt. */
#define EXAMPLE_NOTIFICATION_IRQ 43u

#if defined(__arm__)
/* Microvisor pends the IRQ but leaves the NVIC to the application: enable it (NVIC_ISER). */
static void enable_irq(uint32_t irq) {
    volatile uint32_t *iser = (volatile uint32_t *)0xE000E100u;
    iser[irq / 32u] = 1u << (irq % 32u);
}
static void wait_for_interrupt(void) {
    __asm__ volatile("wfi");
}
#else
static void enable_irq(uint32_t irq) {
    (void)irq;
}
static void wait_for_interrupt(void) {
}
#endif

void example_notification_irq_handler(void);
void example_notification_irq_handler(void) {
    mqtt_client_isr();
}

int main(void) {
    static const struct mqtt_client_config config = {
        "broker.example.com",  /* host */
        8883,                  /* port */
        "mvmqtt-example",      /* client_id */
        "mvmqtt/example/echo", /* topic */
        "{\"hello\":\"microvisor\"}",
        1,                     /* qos */
        EXAMPLE_NOTIFICATION_IRQ,
        3,                     /* connect_attempts */
        NULL,                  /* tls: add MvTlsCredentials for a broker that needs them */
        NULL,                  /* trace */
        NULL,                  /* on_message */
        0                      /* mqtt_3_1_1: MQTT 5 */
    };
    enum mqtt_client_state state;

    enable_irq(EXAMPLE_NOTIFICATION_IRQ);
    if (mqtt_client_start(&config) != MV_STATUS_OKAY) return 1;
    do {
        wait_for_interrupt();
        state = mqtt_client_poll();
    } while (state != MQTT_CLIENT_DONE && state != MQTT_CLIENT_FAILED);
    return state == MQTT_CLIENT_DONE ? 0 : 1;
}
