/*
 * The MQTT client state machine. See mqtt_client.h for how to wire it up.
 *
 * The shape follows the Microvisor MQTT flow: request the network; once it is connected,
 * open an MQTT channel and ask for the connection straight away; then every
 * CHANNELDATAREADABLE notification means "ask mvMqttGetNextReadableDataType what arrived
 * and read it with the matching call". Each response moves the machine one step on.
 * Buffer sizes and alignments come from the limit macros of <mvmqtt/mvmqtt.h>.
 */
#include "mqtt_client.h"

#include <string.h>

#define NOTIFICATION_RECORDS 8u
#define TAG_NETWORK 1u
#define TAG_MQTT 2u
/* Channel buffers: whole multiples of the unit Microvisor requires. */
#define CHANNEL_BUFFER_SIZE (4u * MVMQTT_LIMIT_CHANNEL_BUFFER_SIZE_MULTIPLE)
#define MAX_TOPIC 128u
#define MAX_PAYLOAD 512u

static struct MvNotification notification_ring[NOTIFICATION_RECORDS]
    __attribute__((aligned(MVMQTT_LIMIT_NOTIFICATION_BUFFER_ALIGNMENT)));
static uint8_t receive_buffer[CHANNEL_BUFFER_SIZE] __attribute__((aligned(MVMQTT_LIMIT_CHANNEL_RECEIVE_BUFFER_ALIGNMENT)));
static uint8_t send_buffer[CHANNEL_BUFFER_SIZE] __attribute__((aligned(MVMQTT_LIMIT_CHANNEL_SEND_BUFFER_ALIGNMENT)));

/* Records copied out of the ring by the interrupt handler, for mqtt_client_poll(). */
struct pending_event {
    enum MvEventType event;
    uint32_t tag;
};
static volatile struct pending_event pending[NOTIFICATION_RECORDS];
static volatile uint32_t pending_head; /* written by the interrupt handler */
static volatile uint32_t pending_tail; /* written by mqtt_client_poll() */
static uint32_t ring_index;            /* next record of the ring to read */

static struct {
    const struct mqtt_client_config *config;
    enum mqtt_client_state state;
    MvNotificationHandle notifications;
    MvNetworkHandle network;
    MvChannelHandle channel;
    uint32_t attempts;
    uint32_t next_correlation_id;
    uint32_t awaited_correlation_id;
    int published;  /* the publish response has arrived */
    int echo_seen;  /* our own message has come back */
} client;

static void trace(const char *what, uint32_t value) {
    if (client.config->trace) client.config->trace(what, value);
}

static uint32_t text_length(const char *s) {
    return (uint32_t)strlen(s);
}

static struct MvSizedString sized(const char *s) {
    struct MvSizedString out;
    out.data = (const uint8_t *)s;
    out.length = text_length(s);
    return out;
}

static uint32_t take_correlation_id(void) {
    client.awaited_correlation_id = client.next_correlation_id++;
    return client.awaited_correlation_id;
}

/* ------------------------------------------------------------------ teardown */

static void close_channel(void) {
    if (client.channel) {
        enum MvStatus status = mvCloseChannel(&client.channel);
        trace("close channel", status);
    }
}

static void finish(enum mqtt_client_state final_state) {
    close_channel();
    if (client.network) (void)mvReleaseNetwork(&client.network);
    if (client.notifications) (void)mvCloseNotifications(&client.notifications);
    client.state = final_state;
    trace(final_state == MQTT_CLIENT_DONE ? "done" : "failed", 0);
}

static void fail(const char *what, uint32_t value) {
    trace(what, value);
    finish(MQTT_CLIENT_FAILED);
}

/* ------------------------------------------------------------------ requests */

static void open_and_connect(void);

/* A connection attempt did not work out: try again on a fresh channel, or give up. */
static void connect_failed(const char *what, uint32_t value) {
    trace(what, value);
    close_channel();
    if (client.attempts < client.config->connect_attempts)
        open_and_connect();
    else
        fail("giving up connecting", client.attempts);
}

static void open_and_connect(void) {
    struct MvOpenChannelParams channel;
    struct MvMqttConnectRequest connect;
    enum MvStatus status;

    client.attempts++;
    memset(&channel, 0, sizeof channel);
    channel.version = 1;
    channel.v1.notification_handle = client.notifications;
    channel.v1.notification_tag = TAG_MQTT;
    channel.v1.network_handle = client.network;
    channel.v1.receive_buffer = receive_buffer;
    channel.v1.receive_buffer_len = sizeof receive_buffer;
    channel.v1.send_buffer = send_buffer;
    channel.v1.send_buffer_len = sizeof send_buffer;
    channel.v1.channel_type = MV_CHANNELTYPE_MQTT;
    channel.v1.endpoint = sized("");
    status = mvOpenChannel(&channel, &client.channel);
    if (status != MV_STATUS_OKAY) {
        connect_failed("open channel", status);
        return;
    }

    /* No need to wait for anything: the connect request can follow the open at once. */
    memset(&connect, 0, sizeof connect);
    connect.protocol_version = client.config->mqtt_3_1_1 ? MV_MQTTPROTOCOLVERSION_V3_1_1 : MV_MQTTPROTOCOLVERSION_V5;
    connect.host = sized(client.config->host);
    connect.port = client.config->port;
    connect.clientid = sized(client.config->client_id);
    connect.authentication.method = MV_MQTTAUTHENTICATIONMETHOD_NONE;
    connect.tls_credentials = client.config->tls;
    connect.keepalive = 60;
    connect.clean_start = 1;
    connect.will = NULL;
    status = mvMqttRequestConnect(client.channel, &connect);
    if (status != MV_STATUS_OKAY) {
        connect_failed("request connect", status);
        return;
    }
    client.state = MQTT_CLIENT_CONNECTING;
}

static void subscribe(void) {
    struct MvMqttSubscription subscription;
    struct MvMqttSubscribeRequest request;
    enum MvStatus status;

    memset(&subscription, 0, sizeof subscription);
    subscription.topic = sized(client.config->topic);
    subscription.desired_qos = client.config->qos;
    request.correlation_id = take_correlation_id();
    request.subscriptions = &subscription;
    request.num_subscriptions = 1;
    status = mvMqttRequestSubscribe(client.channel, &request);
    if (status != MV_STATUS_OKAY) {
        fail("request subscribe", status);
        return;
    }
    client.state = MQTT_CLIENT_SUBSCRIBING;
}

static void publish(void) {
    struct MvMqttPublishRequest request;
    enum MvStatus status;

    memset(&request, 0, sizeof request);
    request.correlation_id = take_correlation_id();
    request.topic = sized(client.config->topic);
    request.payload = sized(client.config->payload);
    request.desired_qos = client.config->qos;
    request.retain = 0;
    status = mvMqttRequestPublish(client.channel, &request);
    if (status != MV_STATUS_OKAY) {
        fail("request publish", status);
        return;
    }
    client.state = MQTT_CLIENT_PUBLISHING;
}

static void unsubscribe(void) {
    struct MvSizedString topic = sized(client.config->topic);
    struct MvMqttUnsubscribeRequest request;
    enum MvStatus status;

    request.correlation_id = take_correlation_id();
    request.topics = &topic;
    request.num_topics = 1;
    status = mvMqttRequestUnsubscribe(client.channel, &request);
    if (status != MV_STATUS_OKAY) {
        fail("request unsubscribe", status);
        return;
    }
    client.state = MQTT_CLIENT_UNSUBSCRIBING;
}

static void disconnect(void) {
    enum MvStatus status = mvMqttRequestDisconnect(client.channel);
    if (status != MV_STATUS_OKAY) {
        fail("request disconnect", status);
        return;
    }
    client.state = MQTT_CLIENT_DISCONNECTING;
}

/* Publishing is finished once the broker has confirmed it and the echo has come back, in either order. */
static void after_publish_step(void) {
    if (client.published && client.echo_seen && client.state == MQTT_CLIENT_WAITING_FOR_ECHO) unsubscribe();
}

/* ------------------------------------------------------------------ readable data */

static void read_connect_response(void) {
    struct MvMqttConnectResponse response;
    enum MvStatus status = mvMqttReadConnectResponse(client.channel, &response);
    if (status != MV_STATUS_OKAY) {
        connect_failed("read connect response", status);
    } else if (response.request_state != MV_MQTTREQUESTSTATE_REQUESTCOMPLETED) {
        connect_failed("connect request state", response.request_state);
    } else if (response.reason_code != 0) {
        connect_failed("connect reason code", response.reason_code);
    } else {
        trace("connected", client.attempts);
        subscribe();
    }
}

/* Subscribe and unsubscribe responses have the same shape: state, id and one reason code per topic. */
static int read_topic_response(int subscribing) {
    enum MvMqttRequestState state;
    uint32_t correlation_id = 0;
    uint32_t codes[1];
    uint32_t codes_len = 0;
    enum MvStatus status;

    if (subscribing) {
        struct MvMqttSubscribeResponse response;
        response.request_state = &state;
        response.correlation_id = &correlation_id;
        response.reason_codes = codes;
        response.reason_codes_size = sizeof codes; /* bytes, as the vendor header documents */
        response.reason_codes_len = &codes_len;
        status = mvMqttReadSubscribeResponse(client.channel, &response);
    } else {
        struct MvMqttUnsubscribeResponse response;
        response.request_state = &state;
        response.correlation_id = &correlation_id;
        response.reason_codes = codes;
        response.reason_codes_size = sizeof codes;
        response.reason_codes_len = &codes_len;
        status = mvMqttReadUnsubscribeResponse(client.channel, &response);
    }
    if (status != MV_STATUS_OKAY) {
        fail(subscribing ? "read subscribe response" : "read unsubscribe response", status);
        return 0;
    }
    /* MQTT 5 reason codes below 0x80 mean success (for a subscription: the QoS granted). */
    if (state != MV_MQTTREQUESTSTATE_REQUESTCOMPLETED || correlation_id != client.awaited_correlation_id || codes_len != 1 || codes[0] >= 0x80) {
        fail(subscribing ? "subscribe refused" : "unsubscribe refused", codes_len == 1 ? codes[0] : (uint32_t)state);
        return 0;
    }
    trace(subscribing ? "subscribed, granted QoS" : "unsubscribed", codes[0]);
    return 1;
}

static void read_publish_response(void) {
    struct MvMqttPublishResponse response;
    enum MvStatus status = mvMqttReadPublishResponse(client.channel, &response);
    if (status != MV_STATUS_OKAY) {
        fail("read publish response", status);
    } else if (response.request_state != MV_MQTTREQUESTSTATE_REQUESTCOMPLETED || response.reason_code >= 0x80) {
        fail("publish refused", response.reason_code);
    } else {
        trace("published", response.correlation_id);
        client.published = 1;
        client.state = MQTT_CLIENT_WAITING_FOR_ECHO;
        after_publish_step();
    }
}

static void receive_message(void) {
    static uint8_t topic[MAX_TOPIC];
    static uint8_t payload[MAX_PAYLOAD];
    uint32_t correlation_id = 0, qos = 0, topic_len = 0, payload_len = 0;
    uint8_t retain = 0;
    struct MvMqttMessage message;
    enum MvStatus status;

    message.correlation_id = &correlation_id;
    message.topic.data = topic;
    message.topic.size = sizeof topic;
    message.topic.length = &topic_len;
    message.payload.data = payload;
    message.payload.size = sizeof payload;
    message.payload.length = &payload_len;
    message.qos = &qos;
    message.retain = &retain;
    status = mvMqttReceiveMessage(client.channel, &message);
    if (status != MV_STATUS_OKAY) {
        fail("receive message", status);
        return;
    }
    trace("message received, QoS", qos);
    if (client.config->on_message) client.config->on_message(topic, topic_len, payload, payload_len);
    /* QoS 1 and 2 deliveries must be acknowledged, or the broker sends them again. */
    if (qos > 0) {
        status = mvMqttAcknowledgeMessage(client.channel, correlation_id);
        if (status != MV_STATUS_OKAY) {
            fail("acknowledge message", status);
            return;
        }
        trace("acknowledged", correlation_id);
    }
    if (topic_len == text_length(client.config->topic) && memcmp(topic, client.config->topic, topic_len) == 0) {
        client.echo_seen = 1;
        after_publish_step();
    }
}

static void receive_lost_message_info(void) {
    static uint8_t topic[MAX_TOPIC];
    enum MvMqttLostMessageReason reason;
    uint32_t topic_len = 0, message_len = 0;
    struct MvMqttLostMessageInfo info;
    enum MvStatus status;

    info.reason = &reason;
    info.topic.data = topic;
    info.topic.size = sizeof topic;
    info.topic.length = &topic_len;
    info.message_len = &message_len;
    status = mvMqttReceiveLostMessageInfo(client.channel, &info);
    if (status != MV_STATUS_OKAY) {
        fail("receive lost message info", status);
        return;
    }
    /* Nothing to recover: note how big the receive buffer would have had to be. */
    trace("message lost, bytes", message_len);
}

static void read_disconnect_response(void) {
    struct MvMqttDisconnectResponse response;
    enum MvStatus status = mvMqttReadDisconnectResponse(client.channel, &response);
    int requested = client.state == MQTT_CLIENT_DISCONNECTING;
    if (status != MV_STATUS_OKAY) {
        fail("read disconnect response", status);
        return;
    }
    trace("disconnected, code", response.disconnect_code);
    /* A disconnect response nobody asked for means the broker connection is gone. */
    finish(requested && response.request_state == MV_MQTTREQUESTSTATE_REQUESTCOMPLETED ? MQTT_CLIENT_DONE : MQTT_CLIENT_FAILED);
}

/* One CHANNELDATAREADABLE notification: read until nothing more is waiting. */
static void read_channel(void) {
    while (client.channel && client.state != MQTT_CLIENT_DONE && client.state != MQTT_CLIENT_FAILED) {
        enum MvMqttReadableDataType type;
        enum MvStatus status = mvMqttGetNextReadableDataType(client.channel, &type);
        if (status != MV_STATUS_OKAY) {
            fail("next readable data type", status);
            return;
        }
        switch (type) {
        case MV_MQTTREADABLEDATATYPE_NONE:
            return;
        case MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE:
            read_connect_response();
            break;
        case MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE:
            if (read_topic_response(1)) publish();
            break;
        case MV_MQTTREADABLEDATATYPE_PUBLISHRESPONSE:
            read_publish_response();
            break;
        case MV_MQTTREADABLEDATATYPE_MESSAGERECEIVED:
            receive_message();
            break;
        case MV_MQTTREADABLEDATATYPE_MESSAGELOST:
            receive_lost_message_info();
            break;
        case MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE:
            if (read_topic_response(0)) disconnect();
            break;
        case MV_MQTTREADABLEDATATYPE_DISCONNECTRESPONSE:
            read_disconnect_response();
            break;
        default:
            fail("unknown readable data type", (uint32_t)type);
            return;
        }
    }
}

/* ------------------------------------------------------------------ events */

static void network_changed(void) {
    enum MvNetworkStatus status;
    enum MvStatus result = mvGetNetworkStatus(client.network, &status);
    if (result != MV_STATUS_OKAY) {
        fail("network status", result);
        return;
    }
    trace("network status", status);
    if (status == MV_NETWORKSTATUS_CONNECTED && client.state == MQTT_CLIENT_WAITING_FOR_NETWORK) open_and_connect();
}

static void channel_lost(void) {
    enum MvClosureReason reason = MV_CLOSUREREASON_NONE;
    (void)mvGetChannelClosureReason(client.channel, &reason);
    if (client.state == MQTT_CLIENT_CONNECTING)
        connect_failed("channel closed while connecting", reason);
    else
        fail("channel closed", reason);
}

static void handle(enum MvEventType event, uint32_t tag) {
    if (tag == TAG_NETWORK && event == MV_EVENTTYPE_NETWORKSTATUSCHANGED)
        network_changed();
    else if (tag == TAG_MQTT && event == MV_EVENTTYPE_CHANNELDATAREADABLE)
        read_channel();
    else if (tag == TAG_MQTT && event == MV_EVENTTYPE_CHANNELNOTCONNECTED && client.channel)
        channel_lost();
    /* Anything else (write space, events for a channel already closed) needs no action. */
}

/* ------------------------------------------------------------------ public */

enum MvStatus mqtt_client_start(const struct mqtt_client_config *config) {
    struct MvNotificationSetup setup;
    struct MvRequestNetworkParams network;
    enum MvStatus status;

    memset(&client, 0, sizeof client);
    client.config = config;
    client.next_correlation_id = 1;
    ring_index = 0;
    pending_head = pending_tail = 0;
    memset(notification_ring, 0, sizeof notification_ring);

    setup.irq = config->irq;
    setup.buffer = notification_ring;
    setup.buffer_size = sizeof notification_ring;
    status = mvSetupNotifications(&setup, &client.notifications);
    if (status != MV_STATUS_OKAY) {
        client.state = MQTT_CLIENT_FAILED;
        return status;
    }

    memset(&network, 0, sizeof network);
    network.version = 1;
    network.v1.notification_handle = client.notifications;
    network.v1.notification_tag = TAG_NETWORK;
    status = mvRequestNetwork(&network, &client.network);
    if (status != MV_STATUS_OKAY) {
        finish(MQTT_CLIENT_FAILED);
        return status;
    }
    client.state = MQTT_CLIENT_WAITING_FOR_NETWORK;
    /* The network is often up already, and then no status-change notification comes: look now. */
    network_changed();
    return MV_STATUS_OKAY;
}

void mqtt_client_isr(void) {
    volatile struct MvNotification *record = &notification_ring[ring_index];
    uint32_t next = (pending_head + 1u) % NOTIFICATION_RECORDS;
    if (next != pending_tail) {
        pending[pending_head].event = record->event_type;
        pending[pending_head].tag = record->tag;
        pending_head = next;
    }
    /* Mark the slot as handled, then move on: Microvisor writes the ring in order. */
    record->event_type = MV_EVENTTYPE_NOEVENT;
    ring_index = (ring_index + 1u) % NOTIFICATION_RECORDS;
}

int mqtt_client_has_work(void) {
    return pending_tail != pending_head;
}

enum mqtt_client_state mqtt_client_poll(void) {
    while (pending_tail != pending_head) {
        enum MvEventType event = pending[pending_tail].event;
        uint32_t tag = pending[pending_tail].tag;
        pending_tail = (pending_tail + 1u) % NOTIFICATION_RECORDS;
        if (client.state != MQTT_CLIENT_DONE && client.state != MQTT_CLIENT_FAILED) handle(event, tag);
    }
    return client.state;
}

enum mqtt_client_state mqtt_client_state(void) {
    return client.state;
}
