/**
 * Channels: what every channel type shares (buffers, notification target, closure state).
 * A channel that the server, the network or an error ended is "closed": its handle stays
 * valid for mvGetChannelClosureReason and mvCloseChannel, every other call gets
 * CHANNELCLOSED. mvCloseChannel releases it; after that nothing more is ever emitted for it.
 */
import { MV_EVENTTYPE_CHANNELNOTCONNECTED } from '@mvmqtt/sdk';
import type { MvChannelType, MvClosureReason } from '@mvmqtt/sdk';
import type { AddressRange } from './kernel/memory.js';
import { ChannelBase, type NotificationTarget } from '@mvmqtt/sdk/runtime';

export interface ChannelBuffers {
  receive: AddressRange;
  receiveLength: number;
  send: AddressRange;
  sendLength: number;
  /** The application's receive buffer (the first `receiveLength` bytes): raw channels hand out pointers into it. */
  receiveView: Uint8Array;
  /** The application's send buffer (the first `sendLength` bytes): raw channels queue outgoing bytes in it. */
  sendView: Uint8Array;
  /** The endpoint the channel was opened on ('' for the default one). */
  endpoint: string;
}

/** What a channel type's factory gets: where to notify, the buffers, and the handle (known once the channel is in the table). */
export type ChannelArgs = [type: MvChannelType, target: NotificationTarget, buffers: ChannelBuffers, handle: () => number];

/** A channel on the device: its buffers, and (in subclasses) its transport. Closed: ended by the server, the network or an error. */
export class Channel extends ChannelBase {
  /** mvCloseChannel has been called: the handle is gone, and nothing more is emitted. */
  released = false;

  constructor(
    readonly type: MvChannelType,
    target: NotificationTarget,
    readonly buffers: ChannelBuffers,
  ) {
    super(type, target);
  }

  /** The connection is gone for good (network loss): close, tell the app once with CHANNELNOTCONNECTED. */
  fail(reason: MvClosureReason): void {
    if (this.closed || this.released) return;
    this.closed = true;
    this.closureReason = reason;
    this.dropConnection();
    this.target.centre.post(MV_EVENTTYPE_CHANNELNOTCONNECTED, this.target.tag);
  }

  /** mvCloseChannel. */
  release(): void {
    this.released = true;
    this.closeConnection();
  }

  /** Resolves once the transport (if any) has closed after `release()`. */
  whenTransportClosed(): Promise<void> {
    return Promise.resolve();
  }

  /** The connection drops under the channel, as when the server goes away (channel types without a transport: nothing). */
  dropTransport(): void {}

  /** Tear the transport down abruptly (as a lost link would). Subclasses with a transport override this. */
  protected dropConnection(): void {}

  /** Tear the transport down politely on mvCloseChannel. */
  protected closeConnection(): void {}
}
