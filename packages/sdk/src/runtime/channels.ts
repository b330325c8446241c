import { MV_CLOSUREREASON_NONE, type MvClosureReason } from '../generated/index.js';
import type { HandleTarget } from './arguments.js';
import type { NotificationTarget } from './notifications.js';

/**
 * Channel types: the generic kernel opens channels without knowing any channel type; each area
 * that carries traffic (MQTT, later HTTP) registers how to build its channels. A type nobody
 * registered gets the runtime's plain channel (it opens and counts, and carries nothing).
 */
export class ChannelTypes<Args extends unknown[], C> {
  private readonly factories = new Map<number, (...args: Args) => C>();

  constructor(private readonly plain: (...args: Args) => C) {}

  register(type: number, factory: (...args: Args) => C): void {
    if (this.factories.has(type)) throw new Error(`channel type ${type} is registered twice`);
    this.factories.set(type, factory);
  }

  create(type: number, ...args: Args): C {
    return (this.factories.get(type) ?? this.plain)(...args);
  }
}

/**
 * What a channel is in either runtime, whatever its type: the type the argument checks compare
 * with a parameter's object kind, where its notifications go, and whether and why it ended.
 * A closed channel's handle stays valid for mvGetChannelClosureReason and mvCloseChannel;
 * every other call gets CHANNELCLOSED.
 */
export class ChannelBase implements HandleTarget {
  closed = false;
  closureReason: MvClosureReason = MV_CLOSUREREASON_NONE;

  constructor(
    /** The channel type (`MvChannelType`). */
    readonly kind: number,
    readonly target: NotificationTarget,
  ) {}

  /** Items the application has not read yet (channel types without readable items: 0). */
  get unread(): number {
    return 0;
  }
}
