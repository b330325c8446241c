/**
 * Raw byte channels (MV_CHANNELTYPE_OPAQUEBYTES). Both buffers are rings in the application's
 * memory, as on the device:
 * - receive: bytes from the endpoint are copied into the receive buffer; mvReadChannel hands
 *   back a view into it (a pointer into the buffer, zero-copy) of the bytes readable without
 *   wrapping, and mvReadChannelComplete frees what the application used. Bytes that do not fit
 *   wait on the host side (like a TCP window) and flow in as space frees up.
 * - send: mvWriteChannel / mvWriteChannelStream copy into the send buffer; the kernel drains it
 *   to the endpoint on a later turn of the event loop and then posts CHANNELDATAWRITESPACE.
 * What sits at the other end is the `opaqueEndpoint` device option (default: a sink).
 */
import { MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER, MV_EVENTTYPE_CHANNELDATAREADABLE, MV_EVENTTYPE_CHANNELDATAWRITESPACE } from '@mvmqtt/sdk';
import type { MvChannelType } from '@mvmqtt/sdk';
import { ByteRing, type NotificationTarget } from '@mvmqtt/sdk/runtime';
import { Channel, type ChannelBuffers } from './channels.js';

/** The far end's side of one raw channel, given to the `opaqueEndpoint` option. */
export interface OpaquePeer {
  /** The endpoint name the application opened ('' for the default). */
  readonly endpoint: string;
  /** The channel handle, for logs. */
  readonly handle: number;
  /** Bytes from the far end to the application (queued until its receive buffer has room). */
  deliver(bytes: Uint8Array): void;
  /** The far end closes the channel (closure reason CHANNELCLOSEDBYSERVER). */
  close(): void;
}

/**
 * Connects a newly opened raw channel to something; returns what receives the bytes the
 * application sends (called once per drain, in order), or nothing to drop them.
 */
export type OpaqueEndpoint = (peer: OpaquePeer) => ((bytes: Uint8Array) => void) | void;

export class OpaqueChannel extends Channel {
  private readonly rx: ByteRing;
  private readonly tx: ByteRing;
  /** Bytes from the far end that did not fit yet. */
  private readonly backlog: Uint8Array[] = [];
  private drainScheduled = false;
  private readonly sink: ((bytes: Uint8Array) => void) | void;

  constructor(type: MvChannelType, target: NotificationTarget, buffers: ChannelBuffers, endpoint: OpaqueEndpoint, handle: () => number) {
    super(type, target, buffers);
    this.rx = new ByteRing(buffers.receiveView);
    this.tx = new ByteRing(buffers.sendView);
    this.sink = endpoint({
      endpoint: buffers.endpoint,
      get handle() {
        return handle();
      },
      deliver: (bytes) => this.receive(bytes),
      close: () => this.fail(MV_CLOSUREREASON_CHANNELCLOSEDBYSERVER),
    });
  }

  /** mvReadChannel: the readable bytes up to the end of the buffer (the rest comes after the wrap). */
  readable(): Uint8Array {
    return this.rx.readable();
  }

  /** mvReadChannelComplete: frees `consumed` bytes (at most what is readable), then takes in waiting bytes. */
  consume(consumed: number): void {
    this.rx.consume(consumed);
    if (this.fill() > 0) this.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, this.target.tag);
  }

  get sendSpace(): number {
    return this.tx.space;
  }

  /** Queues as many of the first `len` bytes of `data` as fit; returns how many. */
  queue(data: Uint8Array, len: number): number {
    const n = this.tx.push(data, len);
    if (n > 0) this.scheduleDrain();
    return n;
  }

  override get unread(): number {
    return this.rx.length + this.backlog.reduce((sum, b) => sum + b.byteLength, 0);
  }

  private receive(bytes: Uint8Array): void {
    if (this.closed || this.released || bytes.byteLength === 0) return;
    this.backlog.push(Uint8Array.from(bytes));
    if (this.fill() > 0) this.target.centre.post(MV_EVENTTYPE_CHANNELDATAREADABLE, this.target.tag);
  }

  /** Moves backlog bytes into the receive ring; returns how many moved. */
  private fill(): number {
    return this.rx.pushFrom(this.backlog);
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      if (this.closed || this.released || this.tx.length === 0) return;
      const out = this.tx.takeAll();
      if (this.sink) this.sink(out);
      this.target.centre.post(MV_EVENTTYPE_CHANNELDATAWRITESPACE, this.target.tag);
    });
  }

  protected override dropConnection(): void {
    this.backlog.length = 0;
  }

  protected override closeConnection(): void {
    this.backlog.length = 0;
  }
}
