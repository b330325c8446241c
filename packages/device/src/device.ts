/**
 * The emulated Microvisor device: the generated `MvSyscalls` interface implemented over
 * simulated memory, handle tables, notification centres, a simulated network and MQTT
 * channels backed by mqtt.js.
 *
 * Every system call returns a status, never throws: malformed arguments become
 * PARAMETERFAULT (or LATEFAULT where the call's table has it), and with `debugChecks` on a
 * status the function's error table does not list is reported as an emulator bug.
 */
import {
  FUNCTIONS,
  MV_STATUS_LATEFAULT,
  MV_STATUS_OKAY,
  MV_STATUS_PARAMETERFAULT,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE,
  statusName,
} from '@mvmqtt/sdk';
import type {
  MvChannelHandle,
  MvClosureReason,
  MvCloseChannelStatus,
  MvCloseNotificationsStatus,
  MvFunctionName,
  MvGetChannelClosureReasonStatus,
  MvGetNetworkReasonsStatus,
  MvGetNetworkStatusStatus,
  MvMqttAcknowledgeMessageStatus,
  MvMqttConnectRequest,
  MvMqttConnectResponse,
  MvMqttDisconnectResponse,
  MvMqttGetNextReadableDataTypeStatus,
  MvMqttLostMessageInfo,
  MvMqttMessage,
  MvMqttPublishRequest,
  MvMqttPublishResponse,
  MvMqttReadableDataType,
  MvMqttReadConnectResponseStatus,
  MvMqttReadDisconnectResponseStatus,
  MvMqttReadPublishResponseStatus,
  MvMqttReadSubscribeResponseStatus,
  MvMqttReadUnsubscribeResponseStatus,
  MvMqttReceiveLostMessageInfoStatus,
  MvMqttReceiveMessageStatus,
  MvMqttRequestConnectStatus,
  MvMqttRequestDisconnectStatus,
  MvMqttRequestPublishStatus,
  MvMqttRequestSubscribeStatus,
  MvMqttRequestUnsubscribeStatus,
  MvMqttSubscribeRequest,
  MvMqttSubscribeResponse,
  MvMqttUnsubscribeRequest,
  MvMqttUnsubscribeResponse,
  MvNetworkHandle,
  MvNetworkReason,
  MvNetworkStatus,
  MvNotificationHandle,
  MvNotificationSetup,
  MvOpenChannelParams,
  MvOpenChannelStatus,
  MvOut,
  MvReleaseNetworkStatus,
  MvRequestNetworkParams,
  MvRequestNetworkStatus,
  MvSetupNotificationsStatus,
  MvStatus,
  MvSyscalls,
} from '@mvmqtt/sdk';
import type { IrqController } from '@mvmqtt/sdk/runtime';

export type { IrqController };
import { Fault, Refusal } from './kernel/args.js';
import { Kernel, type Diagnostics } from './kernel/kernel.js';
import { MqttChannel } from './mqtt/channel.js';
import { loseNetwork, restoreNetwork } from './network.js';
import { resolveOptions, type DeviceOptions, type ResolvedOptions } from './options.js';
import { closeChannel, getChannelClosureReason, openChannel } from './syscalls/channels.js';
import * as mqtt from './syscalls/mqtt.js';
import { getNetworkReasons, getNetworkStatus, releaseNetwork, requestNetwork } from './syscalls/network.js';
import { closeNotifications, setupNotifications } from './syscalls/notifications.js';
import { deviceState, type DeviceState } from './inspect.js';
import { loadInspector, type InspectOptions, type InspectorAttachment } from './inspector.js';
import type { TraceEvent } from './trace.js';

/** OKAY plus every status in each function's error table, from the generated metadata. */
const ALLOWED = Object.fromEntries(
  (Object.keys(FUNCTIONS) as MvFunctionName[]).map((fn) => [fn, new Set<number>([MV_STATUS_OKAY, ...FUNCTIONS[fn].errors.map((e) => e.status)])]),
) as unknown as Record<MvFunctionName, ReadonlySet<number>>;

export interface DeviceDiagnostics extends Diagnostics {
  /** Exceptions from malformed arguments that were turned into PARAMETERFAULT. */
  exceptionsAsFaults: number;
  lastException: unknown;
}

export class Device implements MvSyscalls {
  private readonly k: Kernel;
  private readonly options: ResolvedOptions;
  private readonly debug: boolean;
  readonly diagnostics: DeviceDiagnostics;
  /** Install and enable the handlers for the IRQs given to mvSetupNotifications here. */
  readonly nvic: IrqController;

  constructor(options: DeviceOptions = {}) {
    this.options = resolveOptions(options);
    this.k = new Kernel(this.options);
    this.debug = this.options.debugChecks;
    this.nvic = this.k.nvic;
    this.diagnostics = Object.assign(this.k.diagnostics, { exceptionsAsFaults: 0, lastException: undefined as unknown });
  }

  // ------------------------------------------------------------------ notifications

  mvSetupNotifications(notifications: MvNotificationSetup | null, handle_out: MvOut<MvNotificationHandle> | null): MvSetupNotificationsStatus {
    let s: MvSetupNotificationsStatus;
    try {
      s = setupNotifications(this.k, notifications, handle_out);
    } catch (err) {
      s = this.caught('mvSetupNotifications', err);
    }
    return this.done('mvSetupNotifications', s, notifications, handle_out);
  }

  mvCloseNotifications(handle_in_out: MvOut<MvNotificationHandle> | null): MvCloseNotificationsStatus {
    let s: MvCloseNotificationsStatus;
    try {
      s = closeNotifications(this.k, handle_in_out);
    } catch (err) {
      s = this.caught('mvCloseNotifications', err);
    }
    return this.done('mvCloseNotifications', s, handle_in_out);
  }

  // ------------------------------------------------------------------ network

  mvRequestNetwork(params: MvRequestNetworkParams | null, handle: MvOut<MvNetworkHandle> | null): MvRequestNetworkStatus {
    let s: MvRequestNetworkStatus;
    try {
      s = requestNetwork(this.k, params, handle);
    } catch (err) {
      s = this.caught('mvRequestNetwork', err);
    }
    return this.done('mvRequestNetwork', s, params, handle);
  }

  mvReleaseNetwork(handle: MvOut<MvNetworkHandle> | null): MvReleaseNetworkStatus {
    let s: MvReleaseNetworkStatus;
    try {
      s = releaseNetwork(this.k, handle);
    } catch (err) {
      s = this.caught('mvReleaseNetwork', err);
    }
    return this.done('mvReleaseNetwork', s, handle);
  }

  mvGetNetworkStatus(handle: MvNetworkHandle, status: MvOut<MvNetworkStatus> | null): MvGetNetworkStatusStatus {
    let s: MvGetNetworkStatusStatus;
    try {
      s = getNetworkStatus(this.k, handle, status);
    } catch (err) {
      s = this.caught('mvGetNetworkStatus', err);
    }
    return this.done('mvGetNetworkStatus', s, handle, status);
  }

  mvGetNetworkReasons(reasons: MvOut<MvNetworkReason> | null, request_ref_count: MvOut<number> | null): MvGetNetworkReasonsStatus {
    let s: MvGetNetworkReasonsStatus;
    try {
      s = getNetworkReasons(this.k, reasons, request_ref_count);
    } catch (err) {
      s = this.caught('mvGetNetworkReasons', err);
    }
    return this.done('mvGetNetworkReasons', s, reasons, request_ref_count);
  }

  // ------------------------------------------------------------------ channels

  mvOpenChannel(params: MvOpenChannelParams | null, handle: MvOut<MvChannelHandle> | null): MvOpenChannelStatus {
    let s: MvOpenChannelStatus;
    try {
      s = openChannel(this.k, params, handle);
    } catch (err) {
      s = this.caught('mvOpenChannel', err);
    }
    return this.done('mvOpenChannel', s, params, handle);
  }

  mvCloseChannel(handle: MvOut<MvChannelHandle> | null): MvCloseChannelStatus {
    let s: MvCloseChannelStatus;
    try {
      s = closeChannel(this.k, handle);
    } catch (err) {
      s = this.caught('mvCloseChannel', err);
    }
    return this.done('mvCloseChannel', s, handle);
  }

  mvGetChannelClosureReason(handle: MvChannelHandle, reason_out: MvOut<MvClosureReason> | null): MvGetChannelClosureReasonStatus {
    let s: MvGetChannelClosureReasonStatus;
    try {
      s = getChannelClosureReason(this.k, handle, reason_out);
    } catch (err) {
      s = this.caught('mvGetChannelClosureReason', err);
    }
    return this.done('mvGetChannelClosureReason', s, handle, reason_out);
  }

  // ------------------------------------------------------------------ MQTT

  mvMqttGetNextReadableDataType(handle: MvChannelHandle, data_type: MvOut<MvMqttReadableDataType> | null): MvMqttGetNextReadableDataTypeStatus {
    let s: MvMqttGetNextReadableDataTypeStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttGetNextReadableDataType', handle);
      s = typeof ch === 'number' ? ch : mqtt.getNextReadableDataType(ch, data_type);
    } catch (err) {
      s = this.caught('mvMqttGetNextReadableDataType', err);
    }
    return this.done('mvMqttGetNextReadableDataType', s, handle, data_type);
  }

  mvMqttRequestConnect(handle: MvChannelHandle, request: MvMqttConnectRequest | null): MvMqttRequestConnectStatus {
    let s: MvMqttRequestConnectStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttRequestConnect', handle);
      s = typeof ch === 'number' ? ch : mqtt.requestConnect(this.k, ch, request);
    } catch (err) {
      s = this.caught('mvMqttRequestConnect', err);
    }
    return this.done('mvMqttRequestConnect', s, handle, request);
  }

  mvMqttReadConnectResponse(handle: MvChannelHandle, response_data: MvMqttConnectResponse | null): MvMqttReadConnectResponseStatus {
    let s: MvMqttReadConnectResponseStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttReadConnectResponse', handle);
      s = typeof ch === 'number' ? ch : mqtt.readConnectResponse(ch, response_data);
    } catch (err) {
      s = this.caught('mvMqttReadConnectResponse', err);
    }
    return this.done('mvMqttReadConnectResponse', s, handle, response_data);
  }

  mvMqttRequestSubscribe(handle: MvChannelHandle, request: MvMqttSubscribeRequest | null): MvMqttRequestSubscribeStatus {
    let s: MvMqttRequestSubscribeStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttRequestSubscribe', handle);
      s = typeof ch === 'number' ? ch : mqtt.requestSubscribe(ch, request);
    } catch (err) {
      s = this.caught('mvMqttRequestSubscribe', err);
    }
    return this.done('mvMqttRequestSubscribe', s, handle, request);
  }

  mvMqttReadSubscribeResponse(handle: MvChannelHandle, response_data: MvMqttSubscribeResponse | null): MvMqttReadSubscribeResponseStatus {
    let s: MvMqttReadSubscribeResponseStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttReadSubscribeResponse', handle);
      s = typeof ch === 'number' ? ch : mqtt.readReasonCodes(ch, response_data, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE, this.options.reasonCodesSizeUnit);
    } catch (err) {
      s = this.caught('mvMqttReadSubscribeResponse', err);
    }
    return this.done('mvMqttReadSubscribeResponse', s, handle, response_data);
  }

  mvMqttRequestUnsubscribe(handle: MvChannelHandle, request: MvMqttUnsubscribeRequest | null): MvMqttRequestUnsubscribeStatus {
    let s: MvMqttRequestUnsubscribeStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttRequestUnsubscribe', handle);
      s = typeof ch === 'number' ? ch : mqtt.requestUnsubscribe(ch, request);
    } catch (err) {
      s = this.caught('mvMqttRequestUnsubscribe', err);
    }
    return this.done('mvMqttRequestUnsubscribe', s, handle, request);
  }

  mvMqttReadUnsubscribeResponse(handle: MvChannelHandle, response_data: MvMqttUnsubscribeResponse | null): MvMqttReadUnsubscribeResponseStatus {
    let s: MvMqttReadUnsubscribeResponseStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttReadUnsubscribeResponse', handle);
      s = typeof ch === 'number' ? ch : mqtt.readReasonCodes(ch, response_data, MV_MQTTREADABLEDATATYPE_UNSUBSCRIBERESPONSE, this.options.reasonCodesSizeUnit);
    } catch (err) {
      s = this.caught('mvMqttReadUnsubscribeResponse', err);
    }
    return this.done('mvMqttReadUnsubscribeResponse', s, handle, response_data);
  }

  mvMqttRequestPublish(handle: MvChannelHandle, request: MvMqttPublishRequest | null): MvMqttRequestPublishStatus {
    let s: MvMqttRequestPublishStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttRequestPublish', handle);
      s = typeof ch === 'number' ? ch : mqtt.requestPublish(ch, request);
    } catch (err) {
      s = this.caught('mvMqttRequestPublish', err);
    }
    return this.done('mvMqttRequestPublish', s, handle, request);
  }

  mvMqttReadPublishResponse(handle: MvChannelHandle, response_data: MvMqttPublishResponse | null): MvMqttReadPublishResponseStatus {
    let s: MvMqttReadPublishResponseStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttReadPublishResponse', handle);
      s = typeof ch === 'number' ? ch : mqtt.readPublishResponse(ch, response_data);
    } catch (err) {
      s = this.caught('mvMqttReadPublishResponse', err);
    }
    return this.done('mvMqttReadPublishResponse', s, handle, response_data);
  }

  mvMqttReceiveMessage(handle: MvChannelHandle, message_data: MvMqttMessage | null): MvMqttReceiveMessageStatus {
    let s: MvMqttReceiveMessageStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttReceiveMessage', handle);
      s = typeof ch === 'number' ? ch : mqtt.receiveMessage(ch, message_data);
    } catch (err) {
      s = this.caught('mvMqttReceiveMessage', err);
    }
    return this.done('mvMqttReceiveMessage', s, handle, message_data);
  }

  mvMqttReceiveLostMessageInfo(handle: MvChannelHandle, lost_message_info: MvMqttLostMessageInfo | null): MvMqttReceiveLostMessageInfoStatus {
    let s: MvMqttReceiveLostMessageInfoStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttReceiveLostMessageInfo', handle);
      s = typeof ch === 'number' ? ch : mqtt.receiveLostMessageInfo(ch, lost_message_info);
    } catch (err) {
      s = this.caught('mvMqttReceiveLostMessageInfo', err);
    }
    return this.done('mvMqttReceiveLostMessageInfo', s, handle, lost_message_info);
  }

  mvMqttAcknowledgeMessage(handle: MvChannelHandle, correlation_id: number): MvMqttAcknowledgeMessageStatus {
    let s: MvMqttAcknowledgeMessageStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttAcknowledgeMessage', handle);
      s = typeof ch === 'number' ? ch : mqtt.acknowledgeMessage(ch, correlation_id);
    } catch (err) {
      s = this.caught('mvMqttAcknowledgeMessage', err);
    }
    return this.done('mvMqttAcknowledgeMessage', s, handle, correlation_id);
  }

  mvMqttRequestDisconnect(handle: MvChannelHandle): MvMqttRequestDisconnectStatus {
    let s: MvMqttRequestDisconnectStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttRequestDisconnect', handle);
      s = typeof ch === 'number' ? ch : mqtt.requestDisconnect(ch);
    } catch (err) {
      s = this.caught('mvMqttRequestDisconnect', err);
    }
    return this.done('mvMqttRequestDisconnect', s, handle);
  }

  mvMqttReadDisconnectResponse(handle: MvChannelHandle, response_data: MvMqttDisconnectResponse | null): MvMqttReadDisconnectResponseStatus {
    let s: MvMqttReadDisconnectResponseStatus;
    try {
      const ch = mqtt.mqttChannel(this.k, 'mvMqttReadDisconnectResponse', handle);
      s = typeof ch === 'number' ? ch : mqtt.readDisconnectResponse(ch, response_data);
    } catch (err) {
      s = this.caught('mvMqttReadDisconnectResponse', err);
    }
    return this.done('mvMqttReadDisconnectResponse', s, handle, response_data);
  }

  // ------------------------------------------------------------------ entry/exit of every call

  /** An exception escaped a call: malformed arguments the decoders did not anticipate, or a Fault/Refusal. */
  private caught<S extends number>(fn: MvFunctionName, err: unknown): S {
    const allowed = ALLOWED[fn];
    if (err instanceof Refusal && allowed.has(err.status)) return err.status as S;
    if (err instanceof Fault && err.late && allowed.has(MV_STATUS_LATEFAULT)) return MV_STATUS_LATEFAULT as S;
    if (!(err instanceof Fault)) {
      this.diagnostics.exceptionsAsFaults++;
      this.diagnostics.lastException = err;
    }
    if (allowed.has(MV_STATUS_PARAMETERFAULT)) return MV_STATUS_PARAMETERFAULT as S;
    // Calls that take only values cannot fault: reaching this is an emulator bug.
    throw err;
  }

  /** Every system call ends here. Fixed parameters, not rest args: no array per call unless tracing. */
  private done<S extends MvStatus>(fn: MvFunctionName, status: S, arg0?: unknown, arg1?: unknown): S {
    // OKAY is in every set (see ALLOWED): the common case skips the keyed look-up.
    if (this.debug && status !== MV_STATUS_OKAY && !ALLOWED[fn].has(status)) {
      this.k.diagnostics.statusViolations++;
      throw new Error(`emulator bug: ${fn} returned ${statusName(status)}, which its error table does not list`);
    }
    const trace = this.options.trace;
    if (trace) trace({ kind: 'syscall', name: fn, args: [arg0, arg1].slice(0, arguments.length - 2), status });
    return status;
  }

  // ------------------------------------------------------------------ the simulated world

  /** The link to the Microvisor cloud goes down: NETWORKSTATUSCHANGED to every request, every channel closes with NETWORKDISCONNECTED. */
  simulateNetworkLoss(): void {
    loseNetwork(this.k);
  }

  restoreNetwork(): void {
    restoreNetwork(this.k);
  }

  get networkUp(): boolean {
    return this.k.networkUp;
  }

  /** The next `count` mvOpenChannel calls return UNAVAILABLE (as when Microvisor cannot open a channel right now). */
  injectOpenChannelUnavailable(count = 1): void {
    this.k.unavailableOpens += count;
  }

  /** The simulated address of a buffer view (base of its ArrayBuffer + byteOffset). */
  addressOf(view: ArrayBufferView): number {
    return this.k.memory.addressOf(view);
  }

  /** mvGetMicroseconds' clock: microseconds since the device started; notification timestamps use it. */
  microseconds(): bigint {
    return this.k.clock.microseconds();
  }

  /** Live channels (not yet closed with mvCloseChannel). */
  get openChannels(): number {
    return this.k.channels.size;
  }

  /** Resolves once no IRQ handler invocation is pending. */
  async idle(): Promise<void> {
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.k.nvic.busy);
  }

  /** Resolves when `predicate()` holds (checked every few milliseconds); rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
  }

  // ------------------------------------------------------------------ observers (the inspector)

  private observers: ((event: TraceEvent) => void)[] = [];
  /** `options.trace` as constructed (null until the first observer arrives). */
  private ownTrace: ((event: TraceEvent) => void) | undefined | null = null;

  /**
   * Adds a receiver of trace events beside `options.trace`; returns its removal. While no
   * observer is attached the device pays nothing for this. A notification centre reports its
   * records to the receivers present when it was set up.
   */
  observe(observer: (event: TraceEvent) => void): () => void {
    if (this.ownTrace === null) this.ownTrace = this.options.trace;
    this.observers = [...this.observers, observer];
    this.retrace();
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
      this.retrace();
    };
  }

  private retrace(): void {
    const receivers = this.ownTrace ? [this.ownTrace, ...this.observers] : this.observers;
    this.options.trace =
      receivers.length <= 1
        ? receivers[0]
        : (event: TraceEvent) => {
            for (const receive of receivers) receive(event);
          };
  }

  /** Centres, IRQ lines, network requests and channels as they are now. */
  inspectState(): DeviceState {
    return deviceState(this.k);
  }

  /**
   * Serves the live inspector page for this device on 127.0.0.1 (devices of one process share
   * a server per port). Loads the optional package `@mvmqtt/inspector` on first use.
   */
  async inspect(options: InspectOptions = {}): Promise<InspectorAttachment> {
    return (await loadInspector()).inspect(this, options);
  }

  /** Every MQTT connection drops as if the broker went away: each channel gets its unsolicited DISCONNECTRESPONSE. */
  simulateBrokerDisconnect(): void {
    for (const ch of this.k.channels.values()) if (ch instanceof MqttChannel) ch.dropTransport();
  }

  /** Ends everything: every channel is closed (MQTT connections end with DISCONNECT), centres and network requests are released. */
  async powerOff(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [h, ch] of [...this.k.channels.entries()]) {
      ch.release();
      if (ch instanceof MqttChannel) closing.push(ch.whenTransportClosed());
      this.k.channels.delete(h);
    }
    for (const [h, c] of [...this.k.centres.entries()]) {
      c.closed = true;
      this.k.centres.delete(h);
    }
    for (const [h] of [...this.k.networks.entries()]) this.k.networks.delete(h);
    await Promise.all(closing);
  }
}
