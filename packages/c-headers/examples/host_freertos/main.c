/*
 * An MQTT device application in the shape of the vendor's demos: the STM32U5 HAL for the clock,
 * an LED and a UART console; FreeRTOS through CMSIS-RTOS2; a notification interrupt
 * (TIM8_BRK_IRQHandler) that feeds a message queue; a work task that owns the network, the MQTT
 * channel and the connection, publishes a reading every few seconds, acts on commands sent to
 * command/<client id>, and reconnects after the network or the broker goes away.
 *
 * Commands: `interval <ms>` changes the publishing period, `led on` / `led off` drive the LED,
 * `stop` disconnects and ends the program (host builds only; a device would carry on).
 *
 * Settings come from the config store, as in the vendor demos: once the network is up the work
 * task opens a config-fetch channel and asks for
 *   device config  broker-host, broker-port, client (optional: the device id by default),
 *                  topic, command-topic (optional: reading/<client id>, command/<client id>)
 *   device secret  root-CA, cert, private-key (DER; optional: all three turn on mutual TLS)
 * On a host build the store is the runner's --config file. Progress goes to the UART console and,
 * through mvServerLog, to the server log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmsis_os2.h"
#include "mv_syscalls.h"
#include "stm32u5xx_hal.h"

#define NOTIFICATION_IRQ TIM8_BRK_IRQn
#define RING_RECORDS 16u
#define TAG_NETWORK 1u
#define TAG_CHANNEL 2u
#define TAG_CONFIG 3u
#define CHANNEL_BUFFER (4u * 1024u)
#define CONFIG_RECEIVE_BUFFER (8u * 1024u)
#define CONFIG_SEND_BUFFER 512u
#define CERT_MAX 2048u
#define LOG_BUFFER (4u * 1024u)
#define LED_PORT GPIOA
#define LED_PIN GPIO_PIN_5

struct event {
    uint32_t type;
    uint32_t tag;
};

static struct MvNotification ring[RING_RECORDS] __attribute__((aligned(8)));
static volatile uint32_t ring_index;
static uint8_t receive_buffer[CHANNEL_BUFFER] __attribute__((aligned(512)));
static uint8_t send_buffer[CHANNEL_BUFFER] __attribute__((aligned(512)));
static uint8_t log_buffer[LOG_BUFFER] __attribute__((aligned(512)));

static osMessageQueueId_t events;
static osMutexId_t console;
static UART_HandleTypeDef uart;

/* What the config store holds for this device (filled in by the config fetch). */
static struct {
    char host[128];
    uint16_t port;
    char client_id[64];
    char device_id[35];
    char command_topic[96];
    char reading_topic[96];
    uint8_t ca[CERT_MAX], cert[CERT_MAX], key[CERT_MAX];
    uint32_t ca_len, cert_len, key_len;
    int fetched;
} settings;

static struct {
    MvNotificationHandle notifications;
    MvNetworkHandle network;
    MvChannelHandle channel;
    MvChannelHandle config_channel;
    int connected;   /* MQTT session up */
    int stopping;
    int logging;     /* mvServerLoggingInit succeeded */
    uint32_t interval_ms;
    uint32_t next_id;
    uint32_t readings;
} app = { 0, 0, 0, 0, 0, 0, 0, 2000u, 1u, 0u };

void example_assert_failed(const char *file, int line) {
    fprintf(stderr, "assertion failed at %s:%d\n", file, line);
    abort();
}

/* A line to the UART console and, once logging is set up, to the server log. */
static void say(const char *format, ...) {
    char line[256];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    osMutexAcquire(console, osWaitForever);
    HAL_UART_Transmit(&uart, (const uint8_t *)line, (uint16_t)n, 100);
    HAL_UART_Transmit(&uart, (const uint8_t *)"\n", 1, 100);
    /* Best effort, as on a device: a full buffer or a server that turned logging off drops it. */
    if (app.logging) (void)mvServerLog((const uint8_t *)line, (uint16_t)n);
    osMutexRelease(console);
}

static struct MvSizedString sized(const void *data, uint32_t length) {
    struct MvSizedString s = { (const uint8_t *)data, length };
    return s;
}

static struct MvSizedString text(const char *s) { return sized(s, (uint32_t)strlen(s)); }

/* ------------------------------------------------------------------ interrupt */

/* Microvisor writes one record and pends this IRQ per event: hand each to the work task. */
void TIM8_BRK_IRQHandler(void) {
    volatile struct MvNotification *record = &ring[ring_index];
    if (record->event_type != MV_EVENTTYPE_NOEVENT) {
        struct event e = { record->event_type, record->tag };
        (void)osMessageQueuePut(events, &e, 0, 0); /* in an ISR: CMSIS-RTOS2 takes the FromISR path */
        record->event_type = MV_EVENTTYPE_NOEVENT;
        ring_index = (ring_index + 1u) % RING_RECORDS;
    }
}

/* ------------------------------------------------------------------ config fetch */

enum { KEY_HOST, KEY_PORT, KEY_CLIENT, KEY_TOPIC, KEY_COMMAND_TOPIC, KEY_CA, KEY_CERT, KEY_KEY, KEY_COUNT };

static const struct {
    const char *key;
    enum MvConfigKeyFetchStore store;
} config_keys[KEY_COUNT] = {
    [KEY_HOST] = { "broker-host", MV_CONFIGKEYFETCHSTORE_CONFIG },
    [KEY_PORT] = { "broker-port", MV_CONFIGKEYFETCHSTORE_CONFIG },
    [KEY_CLIENT] = { "client", MV_CONFIGKEYFETCHSTORE_CONFIG },
    [KEY_TOPIC] = { "topic", MV_CONFIGKEYFETCHSTORE_CONFIG },
    [KEY_COMMAND_TOPIC] = { "command-topic", MV_CONFIGKEYFETCHSTORE_CONFIG },
    [KEY_CA] = { "root-CA", MV_CONFIGKEYFETCHSTORE_SECRET },
    [KEY_CERT] = { "cert", MV_CONFIGKEYFETCHSTORE_SECRET },
    [KEY_KEY] = { "private-key", MV_CONFIGKEYFETCHSTORE_SECRET },
};

static void close_config_channel(void) {
    if (app.config_channel) (void)mvCloseChannel(&app.config_channel);
    app.config_channel = 0;
}

/* Opens a config-fetch channel and asks for every key; the answer arrives as a notification. */
static void request_config(void) {
    static uint8_t receive[CONFIG_RECEIVE_BUFFER] __attribute__((aligned(512)));
    static uint8_t send[CONFIG_SEND_BUFFER] __attribute__((aligned(512)));
    struct MvOpenChannelParams params;
    memset(&params, 0, sizeof params);
    params.version = 1;
    params.v1.notification_handle = app.notifications;
    params.v1.notification_tag = TAG_CONFIG;
    params.v1.network_handle = app.network;
    params.v1.receive_buffer = receive;
    params.v1.receive_buffer_len = sizeof receive;
    params.v1.send_buffer = send;
    params.v1.send_buffer_len = sizeof send;
    params.v1.channel_type = MV_CHANNELTYPE_CONFIGFETCH;
    params.v1.endpoint = text("");
    enum MvStatus status = mvOpenChannel(&params, &app.config_channel);
    if (status != MV_STATUS_OKAY) {
        say("config channel failed: %d", (int)status);
        app.config_channel = 0;
        return;
    }
    struct MvConfigKeyToFetch keys[KEY_COUNT];
    for (int i = 0; i < KEY_COUNT; i++) {
        keys[i].scope = MV_CONFIGKEYFETCHSCOPE_DEVICE;
        keys[i].store = config_keys[i].store;
        keys[i].key = text(config_keys[i].key);
    }
    struct MvConfigKeyFetchParams request = { KEY_COUNT, keys };
    status = mvSendConfigFetchRequest(app.config_channel, &request);
    if (status != MV_STATUS_OKAY) {
        say("config request failed: %d", (int)status);
        close_config_channel();
    }
}

/* Reads item `index` into `buffer` (`size` bytes); returns its length, or -1 if it is not there. */
static int32_t read_config_item(uint32_t index, uint8_t *buffer, uint32_t size) {
    enum MvConfigKeyFetchResult result = MV_CONFIGKEYFETCHRESULT_KEYNOTFOUND;
    uint32_t length = 0;
    struct MvConfigResponseReadItemParams item = { index, &result, { buffer, size, &length } };
    if (mvReadConfigResponseItem(app.config_channel, &item) != MV_STATUS_OKAY || result != MV_CONFIGKEYFETCHRESULT_OK) return -1;
    return (int32_t)length;
}

/* Reads a text item into `out` (NUL-terminated); returns 0 if the store has no such key. */
static int read_config_text(uint32_t index, char *out, uint32_t size) {
    int32_t n = read_config_item(index, (uint8_t *)out, size - 1u);
    if (n < 0) return 0;
    out[n] = 0;
    return 1;
}

/* The answer is here: take the settings, close the channel. */
static int read_config(void) {
    struct MvConfigResponseData response;
    char port[8];
    if (mvReadConfigFetchResponseData(app.config_channel, &response) != MV_STATUS_OKAY || response.result != MV_CONFIGFETCHRESULT_OK) {
        say("config fetch failed");
        close_config_channel();
        return 0;
    }
    int ok = read_config_text(KEY_HOST, settings.host, sizeof settings.host) && read_config_text(KEY_PORT, port, sizeof port);
    if (!read_config_text(KEY_CLIENT, settings.client_id, sizeof settings.client_id))
        memcpy(settings.client_id, settings.device_id, sizeof settings.device_id);
    int32_t ca = read_config_item(KEY_CA, settings.ca, sizeof settings.ca);
    int32_t cert = read_config_item(KEY_CERT, settings.cert, sizeof settings.cert);
    int32_t key = read_config_item(KEY_KEY, settings.key, sizeof settings.key);
    int command_topic = read_config_text(KEY_COMMAND_TOPIC, settings.command_topic, sizeof settings.command_topic);
    int reading_topic = read_config_text(KEY_TOPIC, settings.reading_topic, sizeof settings.reading_topic);
    close_config_channel();
    if (!ok) {
        say("the config store needs broker-host and broker-port");
        return 0;
    }
    settings.port = (uint16_t)atoi(port);
    if (ca >= 0 && cert >= 0 && key >= 0) {
        settings.ca_len = (uint32_t)ca;
        settings.cert_len = (uint32_t)cert;
        settings.key_len = (uint32_t)key;
    }
    if (!command_topic) snprintf(settings.command_topic, sizeof settings.command_topic, "command/%s", settings.client_id);
    if (!reading_topic)
        snprintf(settings.reading_topic, sizeof settings.reading_topic, "reading/%s", settings.client_id);
    settings.fetched = 1;
    say("config: broker %s:%u, client %s%s", settings.host, (unsigned)settings.port, settings.client_id, settings.ca_len ? ", mutual TLS" : "");
    return 1;
}

/* ------------------------------------------------------------------ MQTT */

static void open_and_connect(void) {
    struct MvOpenChannelParams params;
    struct MvMqttConnectRequest request;
    static struct MvSizedString ca_chain, own_chain;
    static struct MvTlsCredentials tls;

    memset(&params, 0, sizeof params);
    params.version = 1;
    params.v1.notification_handle = app.notifications;
    params.v1.notification_tag = TAG_CHANNEL;
    params.v1.network_handle = app.network;
    params.v1.receive_buffer = receive_buffer;
    params.v1.receive_buffer_len = sizeof receive_buffer;
    params.v1.send_buffer = send_buffer;
    params.v1.send_buffer_len = sizeof send_buffer;
    params.v1.channel_type = MV_CHANNELTYPE_MQTT;
    params.v1.endpoint = text("");
    enum MvStatus status = mvOpenChannel(&params, &app.channel);
    if (status != MV_STATUS_OKAY) {
        say("open channel failed: %d", (int)status);
        app.channel = 0;
        return;
    }
    memset(&request, 0, sizeof request);
    request.protocol_version = MV_MQTTPROTOCOLVERSION_V5;
    request.host = text(settings.host);
    request.port = settings.port;
    request.clientid = text(settings.client_id);
    request.authentication.method = MV_MQTTAUTHENTICATIONMETHOD_NONE;
    if (settings.ca_len) {
        ca_chain = sized(settings.ca, settings.ca_len);
        own_chain = sized(settings.cert, settings.cert_len);
        tls.cacert.num_certs = 1;
        tls.cacert.certs = &ca_chain;
        tls.clientcert.chain.num_certs = 1;
        tls.clientcert.chain.certs = &own_chain;
        tls.clientcert.key = sized(settings.key, settings.key_len);
        request.tls_credentials = &tls;
    }
    request.keepalive = 60;
    request.clean_start = 1;
    status = mvMqttRequestConnect(app.channel, &request);
    say("connecting to %s:%u%s: %d", settings.host, (unsigned)settings.port, settings.ca_len ? " (mutual TLS)" : "", (int)status);
}

static void close_channel(void) {
    if (app.channel) (void)mvCloseChannel(&app.channel);
    app.channel = 0;
    app.connected = 0;
}

static void subscribe(void) {
    struct MvMqttSubscription subscription;
    struct MvMqttSubscribeRequest request;
    memset(&subscription, 0, sizeof subscription);
    subscription.topic = text(settings.command_topic);
    subscription.desired_qos = 1;
    request.correlation_id = app.next_id++;
    request.subscriptions = &subscription;
    request.num_subscriptions = 1;
    (void)mvMqttRequestSubscribe(app.channel, &request);
}

static void publish_reading(void) {
    char payload[64];
    struct MvMqttPublishRequest request;
    int n = snprintf(payload, sizeof payload, "{\"reading\":%u}", (unsigned)app.readings);
    memset(&request, 0, sizeof request);
    request.correlation_id = app.next_id++;
    request.topic = text(settings.reading_topic);
    request.payload = sized(payload, (uint32_t)n);
    request.desired_qos = 1;
    if (mvMqttRequestPublish(app.channel, &request) == MV_STATUS_OKAY) {
        say("published reading %u", (unsigned)app.readings);
        app.readings++;
    }
}

static void act_on(const char *command) {
    if (strncmp(command, "interval ", 9) == 0) {
        app.interval_ms = (uint32_t)atoi(command + 9);
        if (app.interval_ms < 50u) app.interval_ms = 50u;
        say("interval now %u ms", (unsigned)app.interval_ms);
    } else if (strcmp(command, "led on") == 0 || strcmp(command, "led off") == 0) {
        HAL_GPIO_WritePin(LED_PORT, LED_PIN, command[5] == 'n' ? GPIO_PIN_SET : GPIO_PIN_RESET);
        say("led %s", command + 4);
    } else if (strcmp(command, "stop") == 0) {
        app.stopping = 1;
        (void)mvMqttRequestDisconnect(app.channel);
        say("stopping");
    } else {
        say("unknown command: %s", command);
    }
}

static void read_message(void) {
    char topic[128], payload[256];
    uint32_t correlation_id = 0, topic_len = 0, payload_len = 0, qos = 0;
    uint8_t retain = 0;
    struct MvMqttMessage message;
    message.correlation_id = &correlation_id;
    message.topic.data = (uint8_t *)topic;
    message.topic.size = sizeof topic - 1;
    message.topic.length = &topic_len;
    message.payload.data = (uint8_t *)payload;
    message.payload.size = sizeof payload - 1;
    message.payload.length = &payload_len;
    message.qos = &qos;
    message.retain = &retain;
    if (mvMqttReceiveMessage(app.channel, &message) != MV_STATUS_OKAY) return;
    topic[topic_len] = 0;
    payload[payload_len] = 0;
    say("command on %s: %s", topic, payload);
    (void)mvMqttAcknowledgeMessage(app.channel, correlation_id);
    act_on(payload);
}

static void drain_channel(void) {
    enum MvMqttReadableDataType type;
    while (app.channel && mvMqttGetNextReadableDataType(app.channel, &type) == MV_STATUS_OKAY && type != MV_MQTTREADABLEDATATYPE_NONE) {
        switch (type) {
            case MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE: {
                struct MvMqttConnectResponse r;
                if (mvMqttReadConnectResponse(app.channel, &r) == MV_STATUS_OKAY && r.request_state == MV_MQTTREQUESTSTATE_REQUESTCOMPLETED && r.reason_code == 0) {
                    say("connected");
                    subscribe();
                } else {
                    say("connect refused");
                    close_channel();
                }
                break;
            }
            case MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE: {
                enum MvMqttRequestState state;
                uint32_t id, codes[1], codes_len = 0;
                struct MvMqttSubscribeResponse r = { &state, &id, codes, sizeof codes, &codes_len };
                (void)mvMqttReadSubscribeResponse(app.channel, &r);
                app.connected = 1;
                say("subscribed to %s", settings.command_topic);
                break;
            }
            case MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED:
                read_message();
                break;
            case MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE: {
                struct MvMqttPublishResponse r;
                (void)mvMqttReadPublishResponse(app.channel, &r);
                break;
            }
            case MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE: {
                struct MvMqttDisconnectResponse r;
                (void)mvMqttReadDisconnectResponse(app.channel, &r);
                close_channel();
                if (app.stopping) {
                    (void)mvReleaseNetwork(&app.network);
                    (void)mvCloseNotifications(&app.notifications);
                    say("stopped after %u readings", (unsigned)app.readings);
                    exit(0);
                }
                break;
            }
            default: {
                /* Lost-message information and the like: read past it. */
                enum MvMqttLostMessageReason reason;
                uint32_t len = 0, topic_len = 0;
                uint8_t topic[64];
                struct MvMqttLostMessageInfo info = { &reason, { topic, sizeof topic, &topic_len }, &len };
                (void)mvMqttReceiveLostMessageInfo(app.channel, &info);
                break;
            }
        }
    }
}

/* Up: fetch the settings once, then (re)connect. Down: drop the channels; they reopen when it is back. */
static void network_changed(void) {
    enum MvNetworkStatus status = MV_NETWORKSTATUS_DELIBERATELYOFFLINE;
    (void)mvGetNetworkStatus(app.network, &status);
    if (status == MV_NETWORKSTATUS_CONNECTED && !app.channel && !app.config_channel) {
        say("network up");
        if (!settings.fetched) request_config();
        else open_and_connect();
    } else if (status != MV_NETWORKSTATUS_CONNECTED && (app.channel || app.config_channel)) {
        say("network down");
        close_config_channel();
        close_channel();
    }
}

static void work_task(void *argument) {
    (void)argument;
    app.logging = mvServerLoggingInit(log_buffer, sizeof log_buffer) == MV_STATUS_OKAY;
    uint8_t id[34];
    if (mvGetDeviceId(id, sizeof id) == MV_STATUS_OKAY) memcpy(settings.device_id, id, sizeof id);
    say("device %s", settings.device_id);
    struct MvNotificationSetup setup = { NOTIFICATION_IRQ, ring, sizeof ring };
    if (mvSetupNotifications(&setup, &app.notifications) != MV_STATUS_OKAY) example_assert_failed(__FILE__, __LINE__);
    NVIC_ClearPendingIRQ(NOTIFICATION_IRQ);
    NVIC_EnableIRQ(NOTIFICATION_IRQ);
    struct MvRequestNetworkParams network;
    memset(&network, 0, sizeof network);
    network.version = 1;
    network.v1.notification_handle = app.notifications;
    network.v1.notification_tag = TAG_NETWORK;
    if (mvRequestNetwork(&network, &app.network) != MV_STATUS_OKAY) example_assert_failed(__FILE__, __LINE__);
    network_changed(); /* it may be up already, with no event to say so */

    uint32_t last_publish = HAL_GetTick();
    for (;;) {
        struct event e;
        uint32_t now = HAL_GetTick();
        uint32_t wait = app.interval_ms > now - last_publish ? app.interval_ms - (now - last_publish) : 0u;
        if (osMessageQueueGet(events, &e, NULL, wait) == osOK) {
            if (e.tag == TAG_NETWORK) network_changed();
            else if (e.tag == TAG_CONFIG) {
                if (e.type == MV_EVENTTYPE_CHANNELDATAREADABLE && app.config_channel && read_config()) open_and_connect();
                else close_config_channel();
            } else if (e.type == MV_EVENTTYPE_CHANNELNOTCONNECTED) {
                say("channel lost");
                close_channel();
                network_changed();
            } else drain_channel();
        }
        if (HAL_GetTick() - last_publish >= app.interval_ms) {
            last_publish = HAL_GetTick();
            if (app.connected && !app.stopping) publish_reading();
            else if (!app.channel && !app.config_channel && !app.stopping) network_changed(); /* retry after a refusal */
        }
    }
}

static void led_task(void *argument) {
    (void)argument;
    for (;;) {
        osDelay(1000);
        if (!app.connected) HAL_GPIO_TogglePin(LED_PORT, LED_PIN); /* blink while offline */
    }
}

static void system_clock_config(void) {
    RCC_OscInitTypeDef osc = { 0 };
    RCC_ClkInitTypeDef clk = { 0 };
    osc.OscillatorType = RCC_OSCILLATORTYPE_HSI;
    osc.HSIState = RCC_HSI_ON;
    (void)HAL_RCC_OscConfig(&osc);
    clk.ClockType = RCC_CLOCKTYPE_SYSCLK | RCC_CLOCKTYPE_HCLK;
    clk.SYSCLKSource = RCC_SYSCLKSOURCE_PLLCLK;
    (void)HAL_RCC_ClockConfig(&clk, FLASH_LATENCY_4);
}

int main(void) {
    HAL_Init();
    system_clock_config();
    /* In Microvisor's HAL this is mvPeriphPoke32 on RCC: the device core keeps the register. */
    __HAL_RCC_GPIOA_CLK_ENABLE();
    GPIO_InitTypeDef led = { LED_PIN, GPIO_MODE_OUTPUT_PP, GPIO_NOPULL, GPIO_SPEED_FREQ_LOW, 0 };
    HAL_GPIO_Init(LED_PORT, &led);
    uart.Instance = USART2;
    uart.Init.BaudRate = 115200;
    (void)HAL_UART_Init(&uart);

    osKernelInitialize();
    console = osMutexNew(NULL);
    events = osMessageQueueNew(RING_RECORDS, sizeof(struct event), NULL);
    const osThreadAttr_t work = { .name = "work", .stack_size = 8192, .priority = osPriorityNormal };
    const osThreadAttr_t blink = { .name = "led", .stack_size = 2048, .priority = osPriorityLow };
    osThreadNew(work_task, NULL, &work);
    osThreadNew(led_task, NULL, &blink);
    say("starting");
    osKernelStart();
    return 1;
}
