// `npm start`: the demo device runs against the embedded broker, prints every call, notification and item, exits 0.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('npm start (scripts/start.mjs)', () => {
  it('runs the demo flow in order and exits 0', { timeout: 120_000 }, () => {
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), '--readings', '2'], { cwd: root, encoding: 'utf8', timeout: 110_000 });
    const out = run.stdout;
    expect(run.status, `${out}\n${run.stderr}`).toBe(0);
    const steps = [
      /mvSetupNotifications\(.*\) -> MV_STATUS_OKAY/,
      /mvRequestNetwork\(.*\) -> MV_STATUS_OKAY/,
      /mvOpenChannel\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttRequestConnect\(.*\) -> MV_STATUS_OKAY/,
      /readable item .*CONNECTRESPONSE .*REQUESTCOMPLETED/,
      /notification irq 41 slot 0: MV_EVENTTYPE_CHANNELDATAREADABLE/,
      /mvMqttReadConnectResponse\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttRequestSubscribe\(.*"command\/device\/UV[0-9A-F]{32}".*\) -> MV_STATUS_OKAY/,
      /readable item .*SUBSCRIBERESPONSE/,
      /mvMqttRequestPublish\(.*"sensor\/device\/UV.*temperature_celsius.*\) -> MV_STATUS_OKAY/,
      /readable item .*PUBLISHRESPONSE/,
      /mvMqttRequestPublish\(.*\) -> MV_STATUS_OKAY/,
      /readable item .*MESSAGERECEIVED .*restart/,
      /mvMqttReceiveMessage\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttAcknowledgeMessage\(.*\) -> MV_STATUS_OKAY/,
      /mvMqttRequestDisconnect\(.*\) -> MV_STATUS_OKAY/,
      /readable item .*DISCONNECTRESPONSE/,
      /mvMqttReadDisconnectResponse\(.*\) -> MV_STATUS_OKAY/,
      /mvCloseChannel\(.*\) -> MV_STATUS_OKAY/,
      /mvReleaseNetwork\(.*\) -> MV_STATUS_OKAY/,
      /mvCloseNotifications\(.*\) -> MV_STATUS_OKAY/,
      /== done/,
    ];
    const lines = out.split('\n');
    let at = 0;
    for (const step of steps) {
      const found = lines.findIndex((l, i) => i >= at && step.test(l));
      expect(found, `${step} after line ${at}:\n${out}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    expect(out).not.toMatch(/-> MV_STATUS_(?!OKAY)/);
  });

  it('refuses a bad --config store with one line naming the file and the JSON pointer, before anything starts', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-start-'));
    try {
      const file = join(dir, 'store.json');
      writeFileSync(file, JSON.stringify({ account: { config: { 'broker-host': ['not', 'a', 'string'] } } }));
      const run = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), '--config', file], { cwd: root, encoding: 'utf8', timeout: 50_000 });
      expect(run.status).toBe(2);
      expect(run.stdout).not.toMatch(/aedes/);
      expect(run.stderr.trim()).toBe(`start: --config: ${file}: /account/config/broker-host: a value must be a string or { "file": PATH, "encoding": "raw" | "hex" | "base64" }`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
