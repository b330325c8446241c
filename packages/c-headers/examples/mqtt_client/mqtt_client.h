/*
 * A firmware-style MQTT client on the Microvisor system calls: one notification centre,
 * one network request and one MQTT channel, driven by a state machine that advances only
 * when a notification arrives. It connects, subscribes to a topic, publishes to it, reads
 * the echo back (acknowledging it), unsubscribes and disconnects, and reads every kind of
 * readable data on the way.
 *
 * Wiring: call mqtt_client_start() once, call mqtt_client_isr() from the interrupt handler
 * of the IRQ named in the configuration, and call mqtt_client_poll() from the main loop
 * (system calls are made there, never in the interrupt handler).
 */
#ifndef MQTT_CLIENT_H
#define MQTT_CLIENT_H

#include <stdint.h>
#include <mvmqtt/mvmqtt.h>

#ifdef __cplusplus
extern "C" {
#endif

enum mqtt_client_state {
    MQTT_CLIENT_IDLE,
    MQTT_CLIENT_WAITING_FOR_NETWORK,
    MQTT_CLIENT_CONNECTING,
    MQTT_CLIENT_SUBSCRIBING,
    MQTT_CLIENT_PUBLISHING,
    MQTT_CLIENT_WAITING_FOR_ECHO,
    MQTT_CLIENT_UNSUBSCRIBING,
    MQTT_CLIENT_DISCONNECTING,
    MQTT_CLIENT_DONE,
    MQTT_CLIENT_FAILED
};

struct mqtt_client_config {
    const char *host;
    uint16_t port;
    const char *client_id;
    /** Subscribed to, then published to: the broker sends the message straight back. */
    const char *topic;
    const char *payload;
    /** QoS for the subscription and the publication (the spec's limits allow 0 or 1 here). */
    uint32_t qos;
    /** IRQ that Microvisor pends for the notification centre. */
    uint32_t irq;
    /** How many times to open a channel and connect before giving up. */
    uint32_t connect_attempts;
    /** Optional: TLS credentials for the broker. */
    const struct MvTlsCredentials *tls;
    /** Optional: called with a short fixed text and a number at each step (for logging). */
    void (*trace)(const char *what, uint32_t value);
    /** Optional: called for every message received. */
    void (*on_message)(const uint8_t *topic, uint32_t topic_len, const uint8_t *payload, uint32_t payload_len);
    /** Non-zero: connect with MQTT 3.1.1 instead of MQTT 5 (for brokers without MQTT 5). */
    int mqtt_3_1_1;
};

/** Sets up notifications and requests the network. Returns MV_STATUS_OKAY or the failing call's status. */
enum MvStatus mqtt_client_start(const struct mqtt_client_config *config);

/** The notification interrupt's work: takes the new record out of the ring. Makes no system call. */
void mqtt_client_isr(void);

/**
 * True when mqtt_client_isr() has taken notifications that mqtt_client_poll() has not handled.
 * Check it with interrupts disabled before sleeping, or a notification that arrives just
 * before the sleep waits for the next one.
 */
int mqtt_client_has_work(void);

/** Handles the notifications taken by mqtt_client_isr(). Returns the state afterwards. */
enum mqtt_client_state mqtt_client_poll(void);

enum mqtt_client_state mqtt_client_state(void);

#ifdef __cplusplus
}
#endif

#endif /* MQTT_CLIENT_H */
