/**
 * One device seen by the inspector: its trace events turned into view events (kept in a
 * bounded log), the MQTT sessions rebuilt from the packets, and the controls that drive the
 * simulated world around it.
 *
 * View events are generic: every one has a `kind` and an `area`, and a one-line `text`; the
 * page has richer renderers for the kinds it knows and shows the text for the others, so a
 * new area (config reads, server log lines) only has to publish its events.
 */
import type { Device, TraceEvent, DeviceState, MqttSessionState } from '@mvmqtt/device';
import { DEVICE_ABI, ENUM_NAMES, LAYOUTS, decodeMvNotification, statusName } from '@mvmqtt/sdk';
import { decodeArgs, FUNCTION_SHAPES, preview, quote, valueText, type DecodedArg, type Preview } from './decode.js';
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
 * than its own work), or a view event made by the inspector itself. Arguments are therefore
 * rendered when read, at most a tick later: a buffer the application rewrites within that
 * time shows its newer content.
 */
type Entry = TraceEvent | { kind: 'view'; view: ViewEvent };

/** Running totals since the attach, counted for every event (the timeline only keeps the latest in detail). */
export interface Totals {
  calls: number;
  errors: number;
  notifications: number;
  packetsIn: number;
  packetsOut: number;
  /** System calls by function name. */
  byFunction: Record<string, number>;
}

/** Events of one event-loop turn that share a clock reading at most. */
const CLOCK_EVENTS = 32;
const RECORD_SIZE = LAYOUTS.MvNotification[DEVICE_ABI].size;
const enumNames = ENUM_NAMES as unknown as Record<string, Record<number, string> | undefined>;
const enumText = (en: string, v: number): string => enumNames[en]?.[v] ?? String(v);

interface Subscription {
  topic: string;
  requestedQos: number;
  /** The broker's granted QoS or reason code (undefined until the SUBACK). */
  granted?: number;
}

/** What the packets say about a channel's session since the attach (where it connects, and what is granted, the device says). */
interface Session {
  channel: number;
  state: string | undefined;
  packetsIn: number;
  packetsOut: number;
  subscriptions: Map<string, Subscription>;
  /** SUBSCRIBE/UNSUBSCRIBE packets awaiting their ack, by packet id. */
  awaiting: Map<number, { cmd: string; topics: { topic: string; qos: number }[] }>;
  lastReasonCode?: number;
}

/** Where the device's broker is, for injecting messages: given, or the one its MQTT channel connected to. */
interface BrokerAddress {
  url: string;
  username?: string;
  password?: string;
  protocolVersion: 4 | 5;
}

function brokerOf(s: MqttSessionState): BrokerAddress {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return {
    url: `${s.tls ? 'mqtts' : 'mqtt'}://${host}:${s.port}`,
    protocolVersion: s.protocolVersion,
    ...(s.username ? { username: s.username } : {}),
    ...(s.password ? { password: s.password } : {}),
  };
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
  /** Renderings of log entries, made when first read (by sequence number modulo capacity). */
  private readonly views: (ViewEvent | undefined)[];
  private readonly t0 = performance.now();
  private readonly sessions = new Map<number, Session>();
  /** Records per IRQ line since the attach. */
  private readonly records = new Map<number, number>();
  private readonly counts = { calls: 0, errors: 0, notifications: 0 };
  private readonly byFunction = new Map<string, number>();
  private readonly stopObserving: () => void;
  private attached = true;
  /**
   * Reading the clock costs more than the rest of an event's bookkeeping (a system call on
   * some virtual machines), so events of one turn of the event loop share one reading: it is
   * taken at the turn's first event and again every CLOCK_EVENTS events within the turn.
   */
  private clock = 0;
  private clockUses = 0;
  private readonly clockExpires = (): void => {
    this.clockUses = 0;
  };

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly device: InspectableDevice,
    private readonly options: TapOptions = {},
  ) {
    this.log = new BoundedLog(options.capacity ?? 500);
    this.views = new Array<ViewEvent | undefined>(this.log.capacity).fill(undefined);
    this.snapshot();
    this.stopObserving = device.observe((e) => {
      // A receiver may be called once more while the device is detaching it: ignore it then.
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

  /** Milliseconds since the attach, to a tenth. */
  private ms(time: number): number {
    return Math.round((time - this.t0) * 10) / 10;
  }

  /** A view event from outside the trace (the inspector's own controls, other areas). */
  note(kind: string, area: string, text: string, channel?: number): void {
    const view: ViewEvent = { seq: 0, t: 0, kind, area, text };
    if (channel !== undefined) view.channel = channel;
    this.log.push({ kind: 'view', view }, this.now());
  }

  /**
   * What was there before the attach: the centres, channels and sessions, and the network,
   * as notes at the head of the timeline (their records and packets went by unseen).
   */
  private snapshot(): void {
    const st = this.device.inspectState();
    const hex = (h: number) => `0x${h.toString(16)}`;
    const before = 'before the inspector attached';
    this.note('attach', 'inspector', `attached: network ${st.networkUp ? 'up' : 'down'}, ${st.networkRequests.length} network request(s), ${st.centres.length} notification centre(s), ${st.channels.length} channel(s) ${before}`);
    for (const h of st.networkRequests) this.note('attach', 'network', `network request ${hex(h)} (${before})`);
    for (const c of st.centres) {
      this.note('attach', 'notifications', `centre ${hex(c.handle)} on IRQ ${c.irq}: ${c.slots} slots, next write slot ${c.writePosition}, ${c.irqsPending} IRQ(s) pending, ${c.overruns} overrun(s) (${before})`);
    }
    for (const ch of st.channels) {
      const se = ch.session;
      const state = ch.closed ? `closed: ${enumText('MvClosureReason', ch.closureReason)}` : ch.connected ? 'connected' : 'open';
      let text = `channel ${hex(ch.handle)} ${enumText('MvChannelType', ch.type)}, ${state}, notifies centre ${hex(ch.centre)} tag ${ch.tag}`;
      if (se) {
        text += `; MQTT ${se.protocolVersion === 5 ? '5' : '3.1.1'} to ${se.host}:${se.port}${se.tls ? ' (TLS)' : ''} as ${se.clientId}`;
        if (se.subscriptions.length) text += `, subscribed to ${se.subscriptions.map((x) => `${x.topic} (QoS ${x.granted})`).join(', ')}`;
        this.session(ch.handle).state = ch.connected ? 'connected' : undefined;
      }
      this.note('attach', 'channels', `${text} (${before})`, ch.handle);
    }
  }

  private now(): number {
    if (this.clockUses === 0) setImmediate(this.clockExpires);
    else if (this.clockUses < CLOCK_EVENTS) {
      this.clockUses++;
      return this.clock;
    }
    this.clockUses = 1;
    return (this.clock = performance.now());
  }

  /** Runs for every trace event while attached: counting and bookkeeping only, no formatting. */
  private onTrace(e: TraceEvent): void {
    this.log.push(e, this.now());
    switch (e.kind) {
      case 'syscall':
        this.counts.calls++;
        if (e.status !== 0) this.counts.errors++;
        this.byFunction.set(e.name, (this.byFunction.get(e.name) ?? 0) + 1);
        return;
      case 'notification':
        this.counts.notifications++;
        this.records.set(e.irq, (this.records.get(e.irq) ?? 0) + 1);
        return;
      case 'mqtt-packet': {
        const s = this.session(e.channel);
        if (e.direction === 'in') s.packetsIn++;
        else s.packetsOut++;
        // Publishes and their acks change nothing else the session view shows: the common case stops here.
        if (e.packet.cmd !== 'publish' && e.packet.cmd !== 'puback') this.track(s, e.direction, e.packet);
        return;
      }
    }
  }

  /** The totals since the attach (every event counted, whether the page got it in detail or not). */
  totals(): Totals {
    let packetsIn = 0;
    let packetsOut = 0;
    for (const s of this.sessions.values()) {
      packetsIn += s.packetsIn;
      packetsOut += s.packetsOut;
    }
    return { ...this.counts, packetsIn, packetsOut, byFunction: Object.fromEntries(this.byFunction) };
  }

  /** The view event with this sequence number (made once, on first read); undefined once overwritten. */
  view(seq: number): ViewEvent | undefined {
    const entry = this.log.at(seq);
    if (entry === undefined) return undefined;
    const i = seq % this.log.capacity;
    let view = this.views[i];
    if (view === undefined || view.seq !== seq) {
      const t = this.ms(this.log.timeAt(seq));
      view = entry.kind === 'view' ? { ...entry.view, t } : this.format(entry, t);
      view.seq = seq;
      this.views[i] = view;
    }
    return view;
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

  private session(channel: number): Session {
    let s = this.sessions.get(channel);
    if (!s) this.sessions.set(channel, (s = { channel, state: undefined, packetsIn: 0, packetsOut: 0, subscriptions: new Map(), awaiting: new Map() }));
    return s;
  }

  /** Session bookkeeping from the packets that are not publishes (connect, subscribe, disconnect and their acks). */
  private track(s: Session, direction: 'in' | 'out', p: Readonly<Record<string, unknown>>): void {
    const cmd = p.cmd;
    const id = p.messageId as number | undefined;
    const code = (p.reasonCode ?? p.returnCode) as number | undefined;
    switch (cmd) {
      case 'connect':
        s.state = 'connecting';
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
      const slots = [];
      for (let i = 0; i < c.slots; i++) {
        const r = decodeMvNotification(c.ring, i * RECORD_SIZE);
        slots.push({ eventType: enumText('MvEventType', r.event_type), eventValue: r.event_type as number, tag: r.tag, microseconds: r.microseconds.toString() });
      }
      return {
        handle: `0x${c.handle.toString(16)}`,
        irq: c.irq,
        slots,
        writePosition: c.writePosition,
        // The handler runs once per record, in order: records not yet delivered sit just behind the write position.
        deliveredPosition: (((c.writePosition - c.irqsPending) % c.slots) + c.slots) % c.slots,
        irqEnabled: c.irqEnabled,
        irqsPending: c.irqsPending,
        records: this.records.get(c.irq) ?? 0,
        overruns: c.overruns,
        dropped: c.dropped,
      };
    });
    const channels = st.channels.map((ch) => {
      const tracked = this.sessions.get(ch.handle);
      const se = ch.session;
      // Granted subscriptions as the device knows them (from before the attach too), then what is asked and not yet answered or refused.
      const subscriptions: Subscription[] = (se?.subscriptions ?? []).map((x) => ({ topic: x.topic, requestedQos: tracked?.subscriptions.get(x.topic)?.requestedQos ?? x.granted, granted: x.granted }));
      for (const sub of tracked?.subscriptions.values() ?? []) {
        if ((sub.granted === undefined || sub.granted >= 0x80) && !subscriptions.some((x) => x.topic === sub.topic)) subscriptions.push(sub);
      }
      return {
        handle: `0x${ch.handle.toString(16)}`,
        handleValue: ch.handle,
        type: enumText('MvChannelType', ch.type),
        centre: `0x${ch.centre.toString(16)}`,
        tag: ch.tag,
        state: ch.closed ? `closed: ${enumText('MvClosureReason', ch.closureReason)}` : ch.connected ? 'connected' : 'open',
        session: se && {
          broker: `${se.host}:${se.port}${se.tls ? ' (TLS)' : ''}`,
          clientId: se.clientId,
          protocol: se.protocolVersion === 5 ? 'MQTT 5' : 'MQTT 3.1.1',
          // A channel closed by the network or the broker sent no packet saying so.
          state: ch.closed ? 'ended' : (tracked?.state ?? (ch.connected ? 'connected' : 'connecting')),
          packetsIn: tracked?.packetsIn ?? 0,
          packetsOut: tracked?.packetsOut ?? 0,
          subscriptions,
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
      injectTo: this.options.broker ?? this.broker(st)?.url,
    };
  }

  /** The broker of the device's MQTT session (a connected one first, else the latest asked for). */
  private broker(st: DeviceState = this.device.inspectState()): BrokerAddress | undefined {
    const sessions = st.channels.filter((ch) => ch.session);
    const ch = sessions.find((x) => x.connected) ?? sessions.at(-1);
    return ch?.session && brokerOf(ch.session);
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
    const known = this.broker();
    const target = given ? { url: given, protocolVersion: known?.protocolVersion ?? 4 } : known;
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
