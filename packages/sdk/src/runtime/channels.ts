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
