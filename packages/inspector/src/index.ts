/**
 * @mvmqtt/inspector: a live page for emulated Microvisor devices. `inspect(device)` (or
 * `device.inspect()`) serves it on 127.0.0.1; devices of one process share a server.
 */
import { InspectorServer, type AttachOptions, type Attachment } from './server.js';
import type { InspectableDevice } from './tap.js';

export { InspectorServer, type AttachOptions, type Attachment } from './server.js';
export { DeviceTap, type InspectableDevice, type ViewEvent, type SyscallEvent, type NotificationEvent, type PacketEvent, type InspectorState } from './tap.js';
export { decodeArgs, preview, valueText } from './decode.js';
export { BoundedLog } from './log.js';

export interface InspectOptions extends AttachOptions {
  /** Port on 127.0.0.1 (default: the server this process already runs, else a free port). */
  port?: number;
}

/** Shared servers of this process, by port; each closes when its last device detaches. */
const shared = new Map<number, Promise<InspectorServer>>();

/** Attaches a device to this process's inspector server (started on first use) and returns its page. */
export async function inspect(device: InspectableDevice, options: InspectOptions = {}): Promise<Attachment> {
  const { port, ...attach } = options;
  let pending = port ? shared.get(port) : shared.values().next().value;
  if (!pending) {
    pending = InspectorServer.start(port ?? 0);
    const started = pending;
    pending.then(
      (server) => {
        shared.set(server.port, started);
        server.onEmpty = () => {
          shared.delete(server.port);
          void server.close();
        };
      },
      () => undefined,
    );
    if (port) shared.set(port, pending);
  }
  const server = await pending.catch((err) => {
    if (port) shared.delete(port);
    throw err;
  });
  return server.attach(device, attach);
}

/** `--inspect` / `--inspect=PORT` as a command line gives it: undefined when absent, 0 for "any free port". */
export function parseInspectFlag(argv: readonly string[]): number | undefined {
  let port: number | undefined;
  for (const a of argv) {
    if (a === '--inspect') port = 0;
    else if (a.startsWith('--inspect=')) {
      const v = Number(a.slice('--inspect='.length));
      if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`--inspect=PORT: PORT must be 0..65535, got ${a.slice('--inspect='.length)}`);
      port = v;
    }
  }
  return port;
}
