/**
 * One device seen by the inspector: its trace events turned into view events (kept in a
 * bounded log), the MQTT sessions rebuilt from the packets, and the controls that drive the
 * simulated world around it.
 *
 * View events are generic: every one has a `kind` and an `area`, and a one-line `text`; the
 * page has richer renderers for the kinds it knows and shows the text for the others, so a
 * new area (config reads, server log lines) only has to publish its events.
 */
import type { Device, TraceEvent, DeviceState } from '@mvmqtt/device';
import { DEVICE_ABI, ENUM_NAMES, LAYOUTS, MV_MQTTPROTOCOLVERSION_V5, decodeMvNotification, statusName } from '@mvmqtt/sdk';
import { decodeArgs, FUNCTION_SHAPES, preview, quote, sizedText, valueText, type DecodedArg, type Preview } from './decode.js';
import { BoundedLog } from './log.js';

/** What the inspector needs from a device: the observer hook, its state and the simulated-world controls. */
export type InspectableDevice = Pick<Device, 'observe' | 'inspectState' | 'networkUp' | 'simulateNetworkLoss' | 'restoreNetwork' | 'simulateBrokerDisconnect'>;

interface Base {
  seq: number;
  /** Milliseconds since the inspector attached. */
  t: number;
  kind: string;
  area: string;
  /** One line for any renderer (and the only thing a page needs to show an unknown kind). */
  text: string;
  /** The channel handle the event concerns, when it concerns one. */
  channel?: number;
}

export interface SyscallEvent extends Base {
  kind: 'syscall';
  name: string;
  status: number;
  statusName: string;
  args: DecodedArg[];
}

export interface NotificationEvent extends Base {
  kind: 'notification';
  irq: number;
  slot: number;
  eventType: string;
  tag: number;
  outcome: string;
}

export interface PacketEvent extends Base {
  kind: 'mqtt';
  direction: 'in' | 'out';
  cmd: string;
  topic?: string;
  qos?: number;
  messageId?: number;
  payload?: Preview;
  reasonCode?: number;
}

export type ViewEvent = Base | SyscallEvent | NotificationEvent | PacketEvent;

/**
 * What the log keeps: the trace event as the device reported it, turned into a view event
 * only when a page reads it (formatting every event as it happens would cost the device more
 * than its own work). Arguments are therefore rendered when read, at most a tick later: a
 * buffer the application rewrites within that time shows its newer content.
 */
interface Entry {
  seq: number;
  t: number;
  raw?: TraceEvent;
  view?: ViewEvent;
}

const RECORD_SIZE = LAYOUTS.MvNotification[DEVICE_ABI].size;
const enumNames = ENUM_NAMES as unknown as Record<string, Record<number, string> | undefined>;
const enumText = (en: string, v: number): string => enumNames[en]?.[v] ?? String(v);

interface Subscription {
  topic: string;
  requestedQos: number;
  /** The broker's granted QoS or reason code (undefined until the SUBACK). */
  granted?: number;
}

interface Session {
  channel: number;
  broker?: string;
  clientId?: string;
  protocol?: string;
  state: string;
  packetsIn: number;
  packetsOut: number;
  subscriptions: Map<string, Subscription>;
  /** SUBSCRIBE/UNSUBSCRIBE packets awaiting their ack, by packet id. */
  awaiting: Map<number, { cmd: string; topics: { topic: string; qos: number }[] }>;
  lastReasonCode?: number;
}

interface IrqStats {
  records: number;
  overruns: number;
  dropped: number;
  /** The slot the next record goes to (known once a record was written). */
  writePosition?: number;
}

/** Where the device's broker is, for injecting messages: given, or read from its last connect request. */
interface BrokerAddress {
  url: string;
  username?: string;
  password?: string;
  protocolVersion: 4 | 5;
}

export interface TapOptions {
  name?: string;
  /** Broker URL used to inject messages (default: the host and port of the device's last connect request). */
  broker?: string;
  /** Events kept (default 500; the oldest are dropped). Kept small: a retained event outlives the young generation and costs the device a garbage collector promotion. */
  capacity?: number;
}

export class DeviceTap {
  readonly log: BoundedLog<Entry>;
  private readonly t0 = performance.now();
  private readonly sessions = new Map<number, Session>();
  private readonly irqs = new Map<number, IrqStats>();
  private brokerAddress: BrokerAddress | undefined;
  private readonly stopObserving: () => void;
  private attached = true;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly device: InspectableDevice,
    private readonly options: TapOptions = {},
  ) {
    this.log = new BoundedLog(options.capacity ?? 500);
    this.stopObserving = device.observe((e) => {
      // A centre set up while attached keeps this receiver after detach: ignore it then.
      if (this.attached) this.onTrace(e);
    });
  }

  get networkUp(): boolean {
    return this.device.networkUp;
  }

  detach(): void {
    this.attached = false;
    this.stopObserving();
  }

  private now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  /** A view event from outside the trace (the inspector's own controls, other areas). */
  note(kind: string, area: string, text: string): void {
    const t = this.now();
    this.log.push({ t, view: { seq: 0, t, kind, area, text } });
  }

  /** Runs for every trace event while attached: only bookkeeping, no formatting. */
  private onTrace(e: TraceEvent): void {
    this.log.push({ t: this.now(), raw: e });
    switch (e.kind) {
      case 'syscall':
        if (e.name === 'mvMqttRequestConnect' && e.status === 0) this.rememberBroker(e.args[0] as number, e.args[1]);
        return;
      case 'notification': {
        const stats = this.irqStats(e.irq);
        stats.records++;
        if (e.outcome === 'overwrote-unnotified') stats.overruns++;
        if (e.outcome === 'dropped') stats.dropped++;
        else stats.writePosition = e.slot + 1;
        return;
      }
      case 'mqtt-packet':
        return this.track(e.channel, e.direction, e.packet);
    }
  }

  /** The view event of a log entry (made once, on first read). */
  view(entry: Entry): ViewEvent {
    if (!entry.view) {
      entry.view = this.format(entry.raw as TraceEvent, entry.t);
      entry.raw = undefined;
    }
    entry.view.seq = entry.seq;
    return entry.view;
  }

  private format(e: TraceEvent, t: number): ViewEvent {
    switch (e.kind) {
      case 'syscall':
        return this.formatSyscall(t, e.name, e.args, e.status);
      case 'notification': {
        const eventType = enumText('MvEventType', e.eventType);
        const what = e.outcome === 'written' ? '' : ` (${e.outcome})`;
        return { seq: 0, t, kind: 'notification', area: 'notifications', irq: e.irq, slot: e.slot, eventType, tag: e.tag, outcome: e.outcome, text: `IRQ ${e.irq} slot ${e.slot}: ${eventType} tag ${e.tag}${what}` } as NotificationEvent;
      }
      case 'readable': {
        const { type, ...fields } = e.item as unknown as { type: number } & Record<string, unknown>;
        const typeName = enumText('MvMqttReadableDataType', type);
        const parts = Object.entries(fields).map(([k, v]) => `${k}: ${k === 'requestState' ? enumText('MvMqttRequestState', v as number) : valueText(v)}`);
        return { seq: 0, t, kind: 'readable', area: 'mqtt', channel: e.channel, text: `${typeName} {${parts.join(', ')}}` };
      }
      case 'network': {
        const status = enumText('MvNetworkStatus', e.status);
        return { seq: 0, t, kind: 'network', area: 'network', text: `network status ${status}` };
      }
      case 'mqtt-packet':
        return this.formatPacket(t, e.channel, e.direction, e.packet);
      default: {
        // An area this inspector does not know yet: keep it, with whatever it says.
        const other = e as { kind: string; area?: string; text?: string };
        return { seq: 0, t, kind: other.kind, area: other.area ?? other.kind, text: other.text ?? valueText(other) };
      }
    }
  }

  private irqStats(irq: number): IrqStats {
    let s = this.irqs.get(irq);
    if (!s) this.irqs.set(irq, (s = { records: 0, overruns: 0, dropped: 0 }));
    return s;
  }

  private formatSyscall(t: number, name: string, args: readonly unknown[], status: number): SyscallEvent {
    const shape = FUNCTION_SHAPES.get(name);
    const decoded = decodeArgs(name, args);
    const channel = shape && shape.channelParam >= 0 ? (args[shape.channelParam] as number) : undefined;
    const sName = statusName(status);
    const ev: SyscallEvent = {
      seq: 0,
      t,
      kind: 'syscall',
      area: shape?.area ?? 'unknown',
      name,
      status,
      statusName: sName,
      args: decoded,
      text: `${name}(${decoded.map((a) => a.text).join(', ')}) → ${sName}`,
    };
    if (channel !== undefined) ev.channel = channel;
    return ev;
  }

  private rememberBroker(channel: number, request: unknown): void {
    const r = request as Record<string, unknown> | null;
    if (!r) return;
    const host = sizedText(r.host);
    const port = r.port as number;
    const tls = r.tls_credentials !== null && r.tls_credentials !== undefined;
    const auth = r.authentication as { username_password?: { username?: unknown; password?: unknown } } | undefined;
    const protocolVersion = r.protocol_version === MV_MQTTPROTOCOLVERSION_V5 ? 5 : 4;
    if (!host) return;
    const url = `${tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const session = this.session(channel);
    session.broker = `${host}:${port}${tls ? ' (TLS)' : ''}`;
    session.clientId = sizedText(r.clientid);
    session.protocol = protocolVersion === 5 ? 'MQTT 5' : 'MQTT 3.1.1';
    const username = sizedText(auth?.username_password?.username) || undefined;
    const password = sizedText(auth?.username_password?.password) || undefined;
    this.brokerAddress = { url, protocolVersion, ...(username ? { username } : {}), ...(password ? { password } : {}) };
  }

  private session(channel: number): Session {
    let s = this.sessions.get(channel);
    if (!s) this.sessions.set(channel, (s = { channel, state: 'opened', packetsIn: 0, packetsOut: 0, subscriptions: new Map(), awaiting: new Map() }));
    return s;
  }

  /** Session bookkeeping from the packets (cheap: publishes only count). */
  private track(channel: number, direction: 'in' | 'out', p: Readonly<Record<string, unknown>>): void {
    const s = this.session(channel);
    if (direction === 'in') s.packetsIn++;
    else s.packetsOut++;
    const cmd = p.cmd;
    if (cmd === 'publish' || cmd === 'puback') return;
    const id = p.messageId as number | undefined;
    const code = (p.reasonCode ?? p.returnCode) as number | undefined;
    switch (cmd) {
      case 'connect':
        s.state = 'connecting';
        s.clientId = (p.clientId as string) ?? s.clientId;
        break;
      case 'connack':
        s.state = code ? `refused (${code})` : 'connected';
        s.lastReasonCode = code;
        break;
      case 'subscribe': {
        const subs = ((p.subscriptions as { topic: string; qos: number }[]) ?? []).map((x) => ({ topic: x.topic, qos: x.qos }));
        if (id !== undefined) s.awaiting.set(id, { cmd, topics: subs });
        for (const sub of subs) s.subscriptions.set(sub.topic, { topic: sub.topic, requestedQos: sub.qos });
        break;
      }
      case 'suback': {
        const granted = (p.granted as number[]) ?? [];
        const req = id !== undefined ? s.awaiting.get(id) : undefined;
        if (req) {
          s.awaiting.delete(id as number);
          req.topics.forEach((t, i) => {
            const sub = s.subscriptions.get(t.topic);
            if (sub) sub.granted = granted[i];
          });
        }
        break;
      }
      case 'unsubscribe': {
        const topics = ((p.unsubscriptions as string[]) ?? []).map((topic) => ({ topic, qos: 0 }));
        if (id !== undefined) s.awaiting.set(id, { cmd, topics });
        break;
      }
      case 'unsuback': {
        const req = id !== undefined ? s.awaiting.get(id) : undefined;
        if (req) {
          s.awaiting.delete(id as number);
          for (const t of req.topics) s.subscriptions.delete(t.topic);
        }
        break;
      }
      case 'disconnect':
        s.state = direction === 'out' ? 'disconnecting' : `disconnected by broker (${code ?? 0})`;
        break;
    }
  }

  private formatPacket(t: number, channel: number, direction: 'in' | 'out', p: Readonly<Record<string, unknown>>): PacketEvent {
    const cmd = String(p.cmd);
    const ev: PacketEvent = { seq: 0, t, kind: 'mqtt', area: 'mqtt', channel, direction, cmd, text: '' };
    const id = p.messageId as number | undefined;
    if (id !== undefined) ev.messageId = id;
    const code = (p.reasonCode ?? p.returnCode) as number | undefined;
    if (typeof code === 'number') ev.reasonCode = code;
    let detail = '';
    switch (cmd) {
      case 'publish': {
        ev.topic = p.topic as string;
        ev.qos = p.qos as number;
        const payload = p.payload;
        const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload instanceof Uint8Array ? payload : new Uint8Array(0);
        ev.payload = preview(bytes);
        detail = `${ev.topic} QoS ${ev.qos}${p.retain ? ' retain' : ''}: ${ev.payload.text !== undefined ? quote(ev.payload.text) : `<${bytes.length} bytes: ${ev.payload.hex}>`}`;
        break;
      }
      case 'connect':
        detail = `client ${p.clientId} keepalive ${p.keepalive}${p.clean ? ' clean' : ''}`;
        break;
      case 'connack':
        detail = `code ${code ?? 0}${p.sessionPresent ? ' session present' : ''}`;
        break;
      case 'subscribe':
        detail = ((p.subscriptions as { topic: string; qos: number }[]) ?? []).map((x) => `${x.topic} (QoS ${x.qos})`).join(', ');
        break;
      case 'suback':
        detail = `granted [${((p.granted as number[]) ?? []).join(', ')}]`;
        break;
      case 'unsubscribe':
        detail = ((p.unsubscriptions as string[]) ?? []).join(', ');
        break;
    }
    const idText = id ? ` #${id}` : '';
    const codeText = typeof code === 'number' && cmd !== 'connack' ? ` rc ${code}` : '';
    ev.text = `${direction === 'out' ? '→' : '←'} ${cmd.toUpperCase()}${idText}${detail ? ` ${detail}` : ''}${codeText}`;
    return ev;
  }

  /** The device's state with everything the page shows beside the timeline. */
  state(): InspectorState {
    const st: DeviceState = this.device.inspectState();
    const centres = st.centres.map((c) => {
      const stats = this.irqs.get(c.irq);
      const write = stats?.writePosition !== undefined ? stats.writePosition % c.slots : undefined;
      const slots = [];
      for (let i = 0; i < c.slots; i++) {
        const r = decodeMvNotification(c.ring, i * RECORD_SIZE);
        slots.push({ eventType: enumText('MvEventType', r.event_type), eventValue: r.event_type as number, tag: r.tag, microseconds: r.microseconds.toString() });
      }
      return {
        handle: `0x${c.handle.toString(16)}`,
        irq: c.irq,
        slots,
        writePosition: write,
        // The handler runs once per record, in order: records not yet delivered sit just behind the write position.
        deliveredPosition: write === undefined ? undefined : (((write - c.irqsPending) % c.slots) + c.slots) % c.slots,
        irqEnabled: c.irqEnabled,
        irqsPending: c.irqsPending,
        records: stats?.records ?? 0,
        overruns: stats?.overruns ?? 0,
        dropped: stats?.dropped ?? 0,
      };
    });
    const channels = st.channels.map((ch) => {
      const session = this.sessions.get(ch.handle);
      return {
        handle: `0x${ch.handle.toString(16)}`,
        handleValue: ch.handle,
        type: enumText('MvChannelType', ch.type),
        centre: `0x${ch.centre.toString(16)}`,
        tag: ch.tag,
        state: ch.closed ? `closed: ${enumText('MvClosureReason', ch.closureReason)}` : ch.connected ? 'connected' : 'open',
        session: session && {
          broker: session.broker,
          clientId: session.clientId,
          protocol: session.protocol,
          state: session.state,
          packetsIn: session.packetsIn,
          packetsOut: session.packetsOut,
          subscriptions: [...session.subscriptions.values()],
        },
      };
    });
    return {
      id: this.id,
      name: this.name,
      networkUp: st.networkUp,
      networkRequests: st.networkRequests.map((h) => `0x${h.toString(16)}`),
      centres,
      channels,
      overruns: st.notificationOverruns,
      dropped: st.notificationsDropped,
      eventsDropped: this.log.dropped,
      injectTo: this.options.broker ?? this.brokerAddress?.url,
    };
  }

  // ------------------------------------------------------------------ controls

  loseNetwork(): string {
    this.note('control', 'inspector', 'network loss (inspector control)');
    this.device.simulateNetworkLoss();
    return 'network lost';
  }

  restoreNetwork(): string {
    this.note('control', 'inspector', 'network restored (inspector control)');
    this.device.restoreNetwork();
    return 'network restored';
  }

  brokerDisconnect(): string {
    this.note('control', 'inspector', 'broker drops the connections (inspector control)');
    this.device.simulateBrokerDisconnect();
    return 'broker connections dropped';
  }

  /** Publishes through the device's broker with a separate client, as a back end would. */
  async inject(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean): Promise<string> {
    const given = this.options.broker;
    const target = given ? { url: given, protocolVersion: this.brokerAddress?.protocolVersion ?? 4 } : this.brokerAddress;
    if (!target) throw new InspectorInputError('the device has not connected to a broker yet, and no broker was given');
    const { default: mqtt } = await import('mqtt');
    const client = await mqtt.connectAsync(target.url, {
      protocolVersion: target.protocolVersion,
      clientId: `mvmqtt-inspector-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...('username' in target && target.username ? { username: target.username } : {}),
      ...('password' in target && target.password ? { password: target.password } : {}),
    });
    try {
      await client.publishAsync(topic, payload, { qos, retain });
    } finally {
      await client.endAsync();
    }
    this.note('control', 'inspector', `injected on ${topic} (QoS ${qos}): ${JSON.stringify(payload.length > 60 ? `${payload.slice(0, 60)}…` : payload)}`);
    return `published on ${topic}`;
  }
}

/** A control request the inspector refuses (answered 400 with this message). */
export class InspectorInputError extends Error {}

export interface InspectorState {
  id: string;
  name: string;
  networkUp: boolean;
  networkRequests: string[];
  centres: unknown[];
  channels: unknown[];
  overruns: number;
  dropped: number;
  eventsDropped: number;
  injectTo: string | undefined;
}
