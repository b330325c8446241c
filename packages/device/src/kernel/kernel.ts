/** The device's kernel state, shared by the system-call implementations. */
import { Channel, type ChannelArgs } from '../channels.js';
import type { NetworkRequest } from '@mvmqtt/sdk/runtime';
import type { ResolvedOptions } from '../options.js';
import { DeviceSystem } from '../system.js';
import { DeviceClock } from './clock.js';
import { IRQ_SCHEDULERS } from './delivery.js';
import {
  AreaStates,
  ArgumentCheck,
  ChannelTypes,
  HandleAllocator,
  HandleTable,
  NetworkLink,
  Nvic,
  SimulatedMemory,
  type AreaStateClass,
  type HandleTarget,
  type LimitBook,
  type NotificationCentre,
  type NotificationCounters,
} from '@mvmqtt/sdk/runtime';

export interface Diagnostics extends NotificationCounters {
  /** System calls that returned a status their error table does not list (always 0 unless the emulator has a bug). */
  statusViolations: number;
}

export class Kernel {
  readonly memory = new SimulatedMemory();
  readonly clock = new DeviceClock();
  readonly nvic: Nvic;
  readonly centres: HandleTable<NotificationCentre>;
  readonly networks: HandleTable<NetworkRequest>;
  readonly channels: HandleTable<Channel>;
  /** How each channel type is built; areas that carry traffic register theirs. */
  readonly channelTypes = new ChannelTypes<ChannelArgs, Channel>((type, target, buffers) => new Channel(type, target, buffers));
  readonly diagnostics: Diagnostics = { notificationOverruns: 0, notificationsDropped: 0, statusViolations: 0 };
  /** State the areas own, one of each kind (see `state`). */
  private readonly areaStates = new AreaStates<Kernel>(this);
  /** Everything outside networking: clocks, registers, logging, power, system notifications. */
  readonly system: DeviceSystem;
  /** The live objects behind each handle type (typedef name), for the argument checks; an area with handles of its own registers its table. */
  readonly handleTables = new Map<string, HandleTable<object>>();
  /** The spec's limits as this device applies them (the `limits` option overrides them by spec name). */
  readonly limits: LimitBook;
  /** The generated argument checks' state (the SDK's decoder, shared with the mock), reused by every call. */
  readonly args: ArgumentCheck;

  constructor(readonly options: ResolvedOptions) {
    const allocator = new HandleAllocator(options.random);
    this.centres = new HandleTable(allocator);
    this.networks = new HandleTable(allocator);
    this.channels = new HandleTable(allocator);
    this.nvic = new Nvic(IRQ_SCHEDULERS[options.irqDelivery], options.onIrqError);
    const link = this.state(NetworkLink);
    this.system = new DeviceSystem(options.system, allocator, () => this.centres.values(), () => link.online(this.networks.size));
    this.handleTables.set('MvNotificationHandle', this.centres);
    this.handleTables.set('MvNetworkHandle', this.networks);
    this.handleTables.set('MvChannelHandle', this.channels);
    this.handleTables.set('MvSystemEventHandle', this.system.subscriptions);
    this.limits = options.limits;
    this.args = new ArgumentCheck({
      lookup: (type, value) => this.handleTables.get(type)?.get(value) as HandleTarget | undefined,
      limit: (name) => this.limits.get(name),
      addressOf: (view) => this.memory.addressOf(view),
    });
  }

  /** The state of kind `owner` an area keeps (see `AreaStates`). */
  state<T>(owner: AreaStateClass<Kernel, T>): T {
    return this.areaStates.of(owner);
  }
}
