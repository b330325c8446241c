/*
 * Bare-metal entry point for the MQTT client example: fetch the settings from the config store,
 * set up the interrupt, start the client, then sleep until an interrupt and let the client
 * handle what it brought, until it is done. Each step also goes to the server log.
 *
 * The config store (on a host build, the runner's --config file) holds, for this device:
 *   config  broker-host, broker-port, and optionally client (default: the device id),
 *           topic (default mvmqtt/example/echo) and mqtt-version ("3.1.1" for brokers without MQTT 5)
 */
#include "board.h"
#include "mqtt_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_TAG 1u
#define NETWORK_TAG 2u

static uint8_t log_buffer[4096] __attribute__((aligned(512)));
static int logging;

static struct MvNotification config_ring[8] __attribute__((aligned(8)));
static volatile uint32_t config_events;
static uint32_t config_next;

static struct {
    char host[128], port[8], client_id[64], topic[96], version[8];
} settings;

static void server_log(const char *line) {
    if (logging) (void)mvServerLog((const uint8_t *)line, (uint16_t)strlen(line));
}

static void log_step(const char *what, uint32_t value) {
    char line[160];
    snprintf(line, sizeof line, "step: %s (%u)", what, (unsigned)value);
    printf("%s\n", line);
    fflush(stdout);
    server_log(line);
}

static void log_message(const uint8_t *topic, uint32_t topic_len, const uint8_t *payload, uint32_t payload_len) {
    char line[320];
    snprintf(line, sizeof line, "message on %.*s: %.*s", (int)topic_len, (const char *)topic, (int)payload_len, (const char *)payload);
    printf("%s\n", line);
    fflush(stdout);
    server_log(line);
}

static void notification_irq_handler(void) {
    mqtt_client_isr();
}

/* The config fetch's own notification line: count the records, mark them read. */
static void config_irq_handler(void) {
    while (config_ring[config_next].event_type != MV_EVENTTYPE_NOEVENT) {
        config_ring[config_next].event_type = MV_EVENTTYPE_NOEVENT;
        config_next = (config_next + 1u) % 8u;
        config_events++;
    }
}

static void wait_for_config_event(uint32_t seen) {
    while (config_events == seen) {
        __disable_irq();
        if (config_events == seen) __WFI();
        __enable_irq();
    }
}

static struct MvSizedString text(const char *s) {
    struct MvSizedString t = { (const uint8_t *)s, (uint32_t)strlen(s) };
    return t;
}

enum { KEY_HOST, KEY_PORT, KEY_CLIENT, KEY_TOPIC, KEY_VERSION, KEY_COUNT };

/* Item `index` of the answer into `out` as text; leaves `out` alone if the store lacks the key. */
static void read_item(MvChannelHandle channel, uint32_t index, char *out, uint32_t size) {
    enum MvConfigKeyFetchResult result = MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND;
    uint32_t length = 0;
    struct MvConfigResponseReadItemParams item = { index, &result, { (uint8_t *)out, size - 1u, &length } };
    if (mvReadConfigResponseItem(channel, &item) == MV_STATUS_OKAY && result == MV_CONFIGKEYFETCHRESULT_OK) out[length] = 0;
}

/* Brings the network up on a notification centre of its own, fetches the settings, lets both go. */
static int fetch_settings(void) {
    static uint8_t receive[1024] __attribute__((aligned(512)));
    static uint8_t send[512] __attribute__((aligned(512)));
    MvNotificationHandle notifications = 0;
    MvNetworkHandle network = 0;
    MvChannelHandle channel = 0;
    int ok = 0;

    NVIC_SetVector(CONFIG_IRQn, (uint32_t)(uintptr_t)config_irq_handler);
    NVIC_ClearPendingIRQ(CONFIG_IRQn);
    NVIC_EnableIRQ(CONFIG_IRQn);
    struct MvNotificationSetup setup = { CONFIG_IRQn, config_ring, sizeof config_ring };
    if (mvSetupNotifications(&setup, &notifications) != MV_STATUS_OKAY) return 0;
    struct MvRequestNetworkParams net;
    memset(&net, 0, sizeof net);
    net.version = 1;
    net.v1.notification_handle = notifications;
    net.v1.notification_tag = NETWORK_TAG;
    if (mvRequestNetwork(&net, &network) == MV_STATUS_OKAY) {
        enum MvNetworkStatus status = MV_NETWORKSTATUS_DELIBERATELYOFFLINE;
        for (;;) {
            uint32_t seen = config_events;
            (void)mvGetNetworkStatus(network, &status);
            if (status == MV_NETWORKSTATUS_CONNECTED) break;
            wait_for_config_event(seen);
        }
        struct MvOpenChannelParams params;
        memset(&params, 0, sizeof params);
        params.version = 1;
        params.v1.notification_handle = notifications;
        params.v1.notification_tag = CONFIG_TAG;
        params.v1.network_handle = network;
        params.v1.receive_buffer = receive;
        params.v1.receive_buffer_len = sizeof receive;
        params.v1.send_buffer = send;
        params.v1.send_buffer_len = sizeof send;
        params.v1.channel_type = MV_CHANNELTYPE_CONFIGFETCH;
        if (mvOpenChannel(&params, &channel) == MV_STATUS_OKAY) {
            static const char *const names[KEY_COUNT] = { "broker-host", "broker-port", "client", "topic", "mqtt-version" };
            struct MvConfigKeyToFetch keys[KEY_COUNT];
            for (int i = 0; i < KEY_COUNT; i++) {
                keys[i].scope = MV_CONFIGKEYFETCHSCOPE_DEVICE;
                keys[i].store = MV_CONFIGKEYFETCHSTORE_CONFIG;
                keys[i].key = text(names[i]);
            }
            struct MvConfigKeyFetchParams request = { KEY_COUNT, keys };
            uint32_t seen = config_events;
            struct MvConfigResponseData response;
            if (mvSendConfigFetchRequest(channel, &request) == MV_STATUS_OKAY) {
                /* Wait for the answer: CHANNELDATAREADABLE on this centre. */
                while (mvReadConfigFetchResponseData(channel, &response) == MV_STATUS_RESPONSENOTPRESENT) {
                    wait_for_config_event(seen);
                    seen = config_events;
                }
                if (response.result == MV_CONFIGFETCHRESULT_OK) {
                    read_item(channel, KEY_HOST, settings.host, sizeof settings.host);
                    read_item(channel, KEY_PORT, settings.port, sizeof settings.port);
                    read_item(channel, KEY_CLIENT, settings.client_id, sizeof settings.client_id);
                    read_item(channel, KEY_TOPIC, settings.topic, sizeof settings.topic);
                    read_item(channel, KEY_VERSION, settings.version, sizeof settings.version);
                    ok = settings.host[0] && settings.port[0];
                }
            }
            (void)mvCloseChannel(&channel);
        }
        (void)mvReleaseNetwork(&network);
    }
    (void)mvCloseNotifications(&notifications);
    NVIC_DisableIRQ(CONFIG_IRQn);
    return ok;
}

int main(void) {
    logging = mvServerLoggingInit(log_buffer, sizeof log_buffer) == MV_STATUS_OKAY;
    uint8_t device_id[34];
    if (mvGetDeviceId(device_id, sizeof device_id) == MV_STATUS_OKAY) memcpy(settings.client_id, device_id, sizeof device_id);
    strcpy(settings.topic, "mvmqtt/example/echo");
    if (!fetch_settings()) {
        printf("the config store needs broker-host and broker-port\n");
        return 1;
    }
    char line[400];
    snprintf(line, sizeof line, "config: broker %s:%s, client %s, topic %s", settings.host, settings.port, settings.client_id, settings.topic);
    printf("%s\n", line);
    server_log(line);

    struct mqtt_client_config config = {
        settings.host,
        (uint16_t)atoi(settings.port),
        settings.client_id,
        settings.topic,
        "{\"hello\":\"from a host build\"}",
        1,
        NOTIFICATION_IRQn,
        3,
        NULL,
        log_step,
        log_message,
        strcmp(settings.version, "3.1.1") == 0,
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
    snprintf(line, sizeof line, "finished: %s", state == MQTT_CLIENT_DONE ? "done" : "failed");
    printf("%s\n", line);
    server_log(line);
    return state == MQTT_CLIENT_DONE ? 0 : 1;
}
