/**
 * A rig: one runtime (the emulated device core or the mock) with the few lines of "firmware"
 * every provocation needs (a notification centre with its IRQ handler, a network request, an
 * MQTT channel, a connection to a broker that accepts everything), and the handles on the
 * simulated world (network loss, a message from the broker). Provocations are written once,
 * against this interface, and run on both runtimes.
 */
import {
  LIMITS,
  MV_CHANNELTYPE_MQTT,
  MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE,
  MV_MQTTREADABLEDATATYPE_NONE,
  MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE,
  MV_MQTTREQUESTSTATE_REQUESTCOMPLETED,
  MV_NETWORKSTATUS_CONNECTED,
  MV_NETWORKSTATUS_CONNECTING,
  MV_STATUS_OKAY,
  MvStatus,
  newMvMqttConnectResponse,
  out,
  statusName,
  type MvChannelHandle,
  type MvFunctionName,
  type MvMqttReadableDataType,
  type MvNetworkHandle,
  type MvNotificationHandle,
  type MvOpenChannelParams,
  type MvSyscalls,
} from '@mvmqtt/sdk';
import { Device } from '@mvmqtt/device';
import type { KernelState } from '@mvmqtt/sdk/runtime';
import { MockMicrovisor } from '@mvmqtt/mock';
import { connectAsync, type MqttClient } from 'mqtt';
import { startAedes, type AedesHarness } from '../../support/brokers.js';
import { connectRequest, str, subscribeRequest, topicsResponse } from './args.js';

export type RuntimeName = 'device' | 'mock';

export interface ChannelOptions {
  rx?: Uint8Array;
  tx?: Uint8Array;
}

export interface Rig {
  readonly name: RuntimeName;
  readonly sys: MvSyscalls;
  /** Host and port of a broker that accepts every client. */
  readonly broker: { host: string; port: number };
  /** Set when the provocation needed a status forced on the mock (no real condition exists). */
  forced: boolean;
  /** A new notification centre (its own IRQ line and ring) with a handler that counts interrupts. */
  centre(): MvNotificationHandle;
  network(centre?: MvNotificationHandle): MvNetworkHandle;
  openParams(options?: ChannelOptions): MvOpenChannelParams;
  /** An open MQTT channel, not connected. */
  channel(options?: ChannelOptions): MvChannelHandle;
  /** An MQTT channel connected to the broker, its CONNECTRESPONSE read. */
  connected(options?: ChannelOptions): Promise<MvChannelHandle>;
  /** Resolves once the next unread item on the channel is of `type`. */
  waitFor(channel: MvChannelHandle, type: MvMqttReadableDataType): Promise<void>;
  /** Subscribes a connected channel to `topic` (QoS 1) and reads the answer. */
  subscribe(channel: MvChannelHandle, topic: string): Promise<void>;
  /** Another client publishes to `topic`; resolves once the broker has taken the message. */
  publishFromOutside(channel: MvChannelHandle, topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void>;
  /** The link to the cloud drops: every channel closes. */
  loseNetwork(): void;
  /** The next mvOpenChannel returns UNAVAILABLE (device: fault injection; mock: a forced status). */
  openChannelUnavailable(): void;
  /** The next call of `fn` returns `status` (the mock only: the device core has no such switch). */
  force(fn: MvFunctionName, status: keyof typeof MvStatus): void;
  /** Lets interrupts and kernel work run. */
  settle(): Promise<void>;
  /** What the kernel holds (live handles, channels, unread items) and the interrupts taken so far. */
  state(): KernelState & { interrupts: number };
  dispose(): Promise<void>;
}

function expectOkay(status: MvStatus, what: string): void {
  if (status !== MV_STATUS_OKAY) throw new Error(`rig: ${what} returned ${statusName(status)}`);
}

/** Runs one shared aedes broker and an outside publisher for every device rig of a suite. */
export class World {
  private aedes?: AedesHarness;
  private publisher?: MqttClient;

  async start(): Promise<void> {
    this.aedes = await startAedes();
    this.publisher = await connectAsync(this.aedes.url, { clientId: 'conformance-publisher', reconnectPeriod: 0 });
  }

  get broker(): { host: string; port: number } {
    return this.aedes ? { host: this.aedes.host, port: this.aedes.port } : { host: '127.0.0.1', port: 1 };
  }

  async publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void> {
    await this.publisher!.publishAsync(topic, Buffer.from(payload), { qos });
  }

  async stop(): Promise<void> {
    await this.publisher?.endAsync();
    await this.aedes?.close();
  }
}

let clientIds = 0;

abstract class BaseRig implements Rig {
  abstract readonly name: RuntimeName;
  abstract readonly sys: MvSyscalls;
  forced = false;
  private nextIrq = LIMITS.NOTIFICATION_IRQ_RANGE.min;
  private defaultCentre?: MvNotificationHandle;
  private defaultNetwork?: MvNetworkHandle;
  interrupts = 0;

  constructor(readonly world: World) {}

  get broker() {
    return this.world.broker;
  }

  protected abstract installHandler(irq: number, handler: () => void): void;
  abstract waitFor(channel: MvChannelHandle, type: MvMqttReadableDataType): Promise<void>;
  abstract publishFromOutside(channel: MvChannelHandle, topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void>;
  abstract loseNetwork(): void;
  abstract openChannelUnavailable(): void;
  abstract force(fn: MvFunctionName, status: keyof typeof MvStatus): void;
  abstract settle(): Promise<void>;
  abstract dispose(): Promise<void>;
  protected abstract kernelState(): KernelState;

  state(): KernelState & { interrupts: number } {
    return { ...this.kernelState(), interrupts: this.interrupts };
  }

  centre(): MvNotificationHandle {
    const irq = this.nextIrq++;
    const buffer = new Uint8Array(16 * 16);
    const h = out(0 as MvNotificationHandle);
    expectOkay(this.sys.mvSetupNotifications({ irq, buffer, buffer_size: buffer.byteLength }, h), 'mvSetupNotifications');
    this.installHandler(irq, () => this.interrupts++);
    return h.value;
  }

  network(centre = this.sharedCentre()): MvNetworkHandle {
    const h = out(0 as MvNetworkHandle);
    expectOkay(this.sys.mvRequestNetwork({ version: 1, v1: { notification_handle: centre, notification_tag: 1 } }, h), 'mvRequestNetwork');
    return h.value;
  }

  private sharedCentre(): MvNotificationHandle {
    return (this.defaultCentre ??= this.centre());
  }

  openParams(options: ChannelOptions = {}): MvOpenChannelParams {
    const rx = options.rx ?? new Uint8Array(4096);
    const tx = options.tx ?? new Uint8Array(1024);
    return {
      version: 1,
      v1: {
        notification_handle: this.sharedCentre(),
        notification_tag: 101,
        network_handle: (this.defaultNetwork ??= this.network()),
        receive_buffer: rx,
        receive_buffer_len: rx.byteLength,
        send_buffer: tx,
        send_buffer_len: tx.byteLength,
        channel_type: MV_CHANNELTYPE_MQTT,
        endpoint: str(''),
      },
    };
  }

  channel(options: ChannelOptions = {}): MvChannelHandle {
    const h = out(0 as MvChannelHandle);
    expectOkay(this.sys.mvOpenChannel(this.openParams(options), h), 'mvOpenChannel');
    return h.value;
  }

  async connected(options: ChannelOptions = {}): Promise<MvChannelHandle> {
    const ch = this.channel(options);
    expectOkay(this.sys.mvMqttRequestConnect(ch, connectRequest(this.broker, `conformance-${process.pid}-${++clientIds}`)), 'mvMqttRequestConnect');
    await this.waitFor(ch, MV_MQTTREADABLEDATATYPE_CONNECTRESPONSE);
    const response = newMvMqttConnectResponse();
    expectOkay(this.sys.mvMqttReadConnectResponse(ch, response), 'mvMqttReadConnectResponse');
    if (response.request_state !== MV_MQTTREQUESTSTATE_REQUESTCOMPLETED || response.reason_code !== 0) throw new Error(`rig: the broker refused the connection (${response.request_state}/${response.reason_code})`);
    return ch;
  }

  async subscribe(channel: MvChannelHandle, topic: string): Promise<void> {
    expectOkay(this.sys.mvMqttRequestSubscribe(channel, subscribeRequest([topic], 1)), 'mvMqttRequestSubscribe');
    await this.waitFor(channel, MV_MQTTREADABLEDATATYPE_SUBSCRIBERESPONSE);
    expectOkay(this.sys.mvMqttReadSubscribeResponse(channel, topicsResponse(4).response), 'mvMqttReadSubscribeResponse');
  }

  /** The type of the next unread item (NONE when there is none or the call fails). */
  protected head(channel: MvChannelHandle): MvMqttReadableDataType {
    const t = out<MvMqttReadableDataType>(MV_MQTTREADABLEDATATYPE_NONE);
    return this.sys.mvMqttGetNextReadableDataType(channel, t) === MV_STATUS_OKAY ? t.value : MV_MQTTREADABLEDATATYPE_NONE;
  }
}

export class DeviceRig extends BaseRig {
  readonly name = 'device' as const;
  readonly device: Device;

  constructor(world: World) {
    super(world);
    this.device = new Device();
  }

  get sys(): MvSyscalls {
    return this.device;
  }

  protected installHandler(irq: number, handler: () => void): void {
    this.device.nvic.setHandler(irq, handler);
    this.device.nvic.enable(irq);
  }

  async waitFor(channel: MvChannelHandle, type: MvMqttReadableDataType): Promise<void> {
    await this.device.waitFor(() => this.head(channel) === type, 10_000, `readable item ${type} on channel ${channel}`);
  }

  async publishFromOutside(_channel: MvChannelHandle, topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void> {
    await this.world.publish(topic, payload, qos);
  }

  loseNetwork(): void {
    this.device.simulateNetworkLoss();
  }

  openChannelUnavailable(): void {
    this.device.injectOpenChannelUnavailable(1);
  }

  force(fn: MvFunctionName, status: keyof typeof MvStatus): void {
    throw new Error(`the device core cannot be made to return ${status} from ${fn}; the spec needs a device waiver for this row`);
  }

  async settle(): Promise<void> {
    await this.device.idle();
  }

  protected kernelState(): KernelState {
    return this.device.kernelState();
  }

  async dispose(): Promise<void> {
    await this.device.powerOff();
  }
}

export class MockRig extends BaseRig {
  readonly name = 'mock' as const;
  readonly mock = new MockMicrovisor();

  get sys(): MvSyscalls {
    return this.mock;
  }

  protected installHandler(irq: number, handler: () => void): void {
    this.mock.nvic.setHandler(irq, handler);
    this.mock.nvic.enable(irq);
  }

  async waitFor(channel: MvChannelHandle, type: MvMqttReadableDataType): Promise<void> {
    this.mock.flush();
    const head = this.head(channel);
    if (head !== type) throw new Error(`mock rig: the next item on channel ${channel} is ${head}, not ${type}`);
  }

  async publishFromOutside(channel: MvChannelHandle, topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void> {
    this.mock.channel(channel).receive({ topic, payload, qos });
  }

  loseNetwork(): void {
    this.mock.setNetworkStatus(MV_NETWORKSTATUS_CONNECTING);
  }

  openChannelUnavailable(): void {
    this.force('mvOpenChannel', 'MV_STATUS_UNAVAILABLE');
  }

  force(fn: MvFunctionName, status: keyof typeof MvStatus): void {
    this.forced = true;
    this.mock.force(fn, status);
  }

  protected kernelState(): KernelState {
    return this.mock.kernelState();
  }

  async settle(): Promise<void> {
    this.mock.flush();
  }

  async dispose(): Promise<void> {
    this.mock.flush();
    if (this.mock.networkStatus !== MV_NETWORKSTATUS_CONNECTED) this.mock.setNetworkStatus(MV_NETWORKSTATUS_CONNECTED);
  }
}

export function makeRig(name: RuntimeName, world: World): Rig {
  return name === 'device' ? new DeviceRig(world) : new MockRig(world);
}
