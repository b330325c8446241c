/** Messages between the fleet command and its shard processes (IPC, structured clone). */

export interface ShardSpec {
  shard: number;
  firmware: string;
  loader: string;
  /** This shard runs devices first … first+count−1 of a fleet of `total`. */
  first: number;
  count: number;
  total: number;
  broker: { host: string; port: number; username?: string; password?: string };
  protocolVersion: 4 | 5;
  qos: 0 | 1;
  prefix: string;
  clientIdPrefix: string;
  payloadBytes: number;
  intervalMs: number;
  /** Publish slots per device; 0 = until told to stop. */
  ticks: number;
  connectConcurrency: number;
  connectTimeoutMs: number;
  settings: Record<string, unknown>;
  /** Serve this shard's devices to the fleet's inspector (`--inspect`). */
  inspect: boolean;
}

export interface ShardCounters {
  connected: number;
  failed: number;
  published: number;
  refused: number;
  received: number;
  errors: number;
  /** The first few distinct problems, for the report. */
  problems: string[];
}

export interface ShardMemory {
  /** RSS and heap after a forced GC before the first device, and after the publishing phase. */
  rssBaselineBytes: number;
  rssAfterBytes: number;
  heapBaselineBytes: number;
  heapAfterBytes: number;
}

export type ToShard =
  | { type: 'start'; spec: ShardSpec }
  /** Start publishing: device i's slot k is at startMs + (i/total + k) × intervalMs. */
  | { type: 'go'; startMs: number }
  /** Stop publishing early (Ctrl-C). */
  | { type: 'stop' }
  | { type: 'poweroff' };

export type FromShard =
  | { type: 'stats'; counters: ShardCounters }
  /** Every device booted or failed; when the first was powered on and the last connected (epoch ms), and the CPU time it took. */
  | { type: 'ready'; counters: ShardCounters; bootStartMs: number; lastConnectedMs: number; connectCpuMs: number; firmwareName: string }
  | { type: 'done'; counters: ShardCounters; memory: ShardMemory; cpuMs: number; publishPhaseMs: number }
  | { type: 'fatal'; message: string }
  /** The shard's inspector server (with --inspect), for the fleet's inspector to relay. */
  | { type: 'inspector'; url: string };
