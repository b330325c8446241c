/*
 * Bare-metal entry point for the MQTT client example: set up the interrupt, start the client,
 * then sleep until an interrupt and let the client handle what it brought, until it is done.
 * Arguments (host builds): broker host, port, client id, topic, and `3.1.1` to use MQTT 3.1.1.
 */
#include "board.h"
#include "mqtt_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void notification_irq_handler(void) {
    mqtt_client_isr();
}

static void log_step(const char *what, uint32_t value) {
    printf("step: %s (%u)\n", what, (unsigned)value);
    fflush(stdout);
}

static void log_message(const uint8_t *topic, uint32_t topic_len, const uint8_t *payload, uint32_t payload_len) {
    printf("message on %.*s: %.*s\n", (int)topic_len, (const char *)topic, (int)payload_len, (const char *)payload);
    fflush(stdout);
}

int main(int argc, char **argv) {
    struct mqtt_client_config config = {
        argc > 1 ? argv[1] : "127.0.0.1",
        (uint16_t)(argc > 2 ? atoi(argv[2]) : 1883),
        argc > 3 ? argv[3] : "mvmqtt-host-example",
        argc > 4 ? argv[4] : "mvmqtt/example/echo",
        "{\"hello\":\"from a host build\"}",
        1,
        NOTIFICATION_IRQn,
        3,
        NULL,
        log_step,
        log_message,
        argc > 5 && strcmp(argv[5], "3.1.1") == 0,
    };
    enum mqtt_client_state state;

    NVIC_SetVector(NOTIFICATION_IRQn, (uint32_t)(uintptr_t)notification_irq_handler);
    NVIC_ClearPendingIRQ(NOTIFICATION_IRQn);
    NVIC_EnableIRQ(NOTIFICATION_IRQn);
    if (mqtt_client_start(&config) != MV_STATUS_OKAY) return 1;
    do {
        /* Sleep only if nothing is waiting; WFI still wakes for an interrupt masked by PRIMASK. */
        __disable_irq();
        if (!mqtt_client_has_work()) __WFI();
        __enable_irq();
        state = mqtt_client_poll();
    } while (state != MQTT_CLIENT_DONE && state != MQTT_CLIENT_FAILED);
    printf("finished: %s\n", state == MQTT_CLIENT_DONE ? "done" : "failed");
    return state == MQTT_CLIENT_DONE ? 0 : 1;
}
