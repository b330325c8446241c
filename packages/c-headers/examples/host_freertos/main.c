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
 * Settings come from the command line on a host build: broker host, port, client id, and for
 * mutual TLS the CA, client certificate and key (DER files). The vendor demos fetch them from
 * the config store (mvGetConfig...); those calls join when the spec covers them.
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
#define CHANNEL_BUFFER (4u * 1024u)
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

static osMessageQueueId_t events;
static osMutexId_t console;
static UART_HandleTypeDef uart;

static struct {
    const char *host;
    uint16_t port;
    const char *client_id;
    char command_topic[96];
    char reading_topic[96];
    uint8_t *ca, *cert, *key;
    uint32_t ca_len, cert_len, key_len;
} settings;

static struct {
    MvNotificationHandle notifications;
    MvNetworkHandle network;
    MvChannelHandle channel;
    int connected;   /* MQTT session up */
    int stopping;
    uint32_t interval_ms;
    uint32_t next_id;
    uint32_t readings;
} app = { 0, 0, 0, 0, 0, 2000u, 1u, 0u };

void example_assert_failed(const char *file, int line) {
    fprintf(stderr, "assertion failed at %s:%d\n", file, line);
    abort();
}

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
    if (settings.ca) {
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
    say("connecting to %s:%u%s: %d", settings.host, (unsigned)settings.port, settings.ca ? " (mutual TLS)" : "", (int)status);
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

static void network_changed(void) {
    enum MvNetworkStatus status = MV_NETWORKSTATUS_DELIBERATELYOFFLINE;
    (void)mvGetNetworkStatus(app.network, &status);
    if (status == MV_NETWORKSTATUS_CONNECTED && !app.channel) {
        say("network up");
        open_and_connect();
    } else if (status != MV_NETWORKSTATUS_CONNECTED && app.channel) {
        say("network down");
        close_channel();
    }
}

static void work_task(void *argument) {
    (void)argument;
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
            else if (e.type == MV_EVENTTYPE_CHANNELNOTCONNECTED) {
                say("channel lost");
                close_channel();
                network_changed();
            } else drain_channel();
        }
        if (HAL_GetTick() - last_publish >= app.interval_ms) {
            last_publish = HAL_GetTick();
            if (app.connected && !app.stopping) publish_reading();
            else if (!app.channel && !app.stopping) network_changed(); /* retry after a refusal */
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

static uint8_t *read_file(const char *path, uint32_t *length) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static uint8_t store[3][8192];
    static int used;
    uint8_t *buffer = store[used++ % 3];
    *length = (uint32_t)fread(buffer, 1, sizeof store[0], f);
    fclose(f);
    return buffer;
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

int main(int argc, char **argv) {
    settings.host = argc > 1 ? argv[1] : "127.0.0.1";
    settings.port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 1883);
    settings.client_id = argc > 3 ? argv[3] : "mvmqtt-freertos";
    if (argc > 6) {
        settings.ca = read_file(argv[4], &settings.ca_len);
        settings.cert = read_file(argv[5], &settings.cert_len);
        settings.key = read_file(argv[6], &settings.key_len);
        if (!settings.ca || !settings.cert || !settings.key) {
            fprintf(stderr, "cannot read the TLS files\n");
            return 2;
        }
    }
    snprintf(settings.command_topic, sizeof settings.command_topic, "command/%s", settings.client_id);
    snprintf(settings.reading_topic, sizeof settings.reading_topic, "reading/%s", settings.client_id);

    HAL_Init();
    system_clock_config();
    /* __HAL_RCC_GPIOA_CLK_ENABLE() goes through mvPeriphPoke32 in Microvisor's HAL: it joins when
     * the spec covers the peripheral-access calls. */
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
    say("starting %s", settings.client_id);
    osKernelStart();
    return 1;
}
