// `mvdevice fleet --inspect` in a real browser (Debian's chromium through playwright-core): the
// fleet command serves the page and relays to its shard processes; the page lists every device
// of the fleet, and picking one shows what it had set up before anyone looked (the snapshot
// on attach) and then its calls live.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAedes, type AedesHarness } from '../../../test/support/brokers.js';
import { describeWithTools } from '../../../test/support/tools.js';

const REPO = resolve(import.meta.dirname, '../../..');
const MVDEVICE = join(REPO, 'packages/device/bin/mvdevice.js');
const OUTPUT = join(REPO, '.cache/test-output/inspector');
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = 30_000;
const DEVICES = 12;

describeWithTools(['chromium'], 'mvdevice fleet --inspect in chromium (playwright-core)', () => {
  let broker: AedesHarness;
  let fleet: ChildProcess;
  let fleetExited: Promise<number | null>;
  let output = '';
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    broker = await startAedes();
    fleet = spawn(process.execPath, [MVDEVICE, 'fleet', '--count', String(DEVICES), '--shards', '2', '--broker', broker.url, '--duration', '0', '--interval', '300', '--inspect', '--quiet'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    fleetExited = new Promise((r) => fleet.once('exit', (code) => r(code)));
    fleet.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    fleet.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const deadline = Date.now() + WAIT;
    let url: string | undefined;
    while (!(url = /^inspector: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output)?.[1])) {
      if (fleet.exitCode !== null || Date.now() > deadline) throw new Error(`the fleet never printed its inspector address:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    profile = mkdtempSync(join(tmpdir(), 'mvmqtt-chromium-'));
    const executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1600, height: 1000 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    await page.goto(url);
  });

  afterAll(async () => {
    await context?.close();
    if (fleet && fleet.exitCode === null) {
      fleet.kill('SIGINT');
      await fleetExited;
    }
    await broker?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('lists every device of the fleet, from every shard', async () => {
    // The shards come up after the page: the list grows as their servers report.
    await expect.poll(() => page.locator('#devices button').count(), { timeout: WAIT }).toBe(DEVICES);
    const names = await page.locator('#devices button').allTextContents();
    expect(new Set(names)).toEqual(new Set(Array.from({ length: DEVICES }, (_, i) => `device ${i}`)));
  });

  it('finds a device by name and shows what it set up before the page looked, then its calls live', async () => {
    const find = page.getByLabel('Find');
    await find.fill('device 11');
    await expect.poll(() => page.locator('#devices button').count()).toBeLessThanOrEqual(2);
    await page.locator('#devices button', { hasText: 'device 11' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('device')).toMatch(/^s1\.d\d+$/);
    await page.locator('#device-title', { hasText: 'device 11' }).waitFor();

    // The snapshot: the centre, the channel with its session and subscription, the network request.
    await page.locator('#timeline tr.k-attach', { hasText: /centre 0x[0-9a-f]+ on IRQ \d+: \d+ slots/ }).first().waitFor();
    await page.locator('#timeline tr.k-attach', { hasText: /MQTT 3\.1\.1 to 127\.0\.0\.1:\d+ as mvfleet-[0-9a-f]+-11, subscribed to mvfleet\/[0-9a-f]+\/11\/down/ }).first().waitFor();
    await page.locator('#timeline tr.k-attach', { hasText: /network request 0x/ }).first().waitFor();
    // State beside the timeline, and the publishes as they happen.
    await page.locator('#channels .chan', { hasText: 'connected' }).waitFor();
    await page.locator('#channels .subs li', { hasText: /\/11\/down/ }).waitFor();
    await page.locator('#rings .slot.w').first().waitFor();
    const publishes = page.locator('#timeline tr', { hasText: 'mvMqttRequestPublish' });
    await publishes.first().waitFor();
    const seen = await publishes.count();
    await expect.poll(() => publishes.count(), { timeout: WAIT }).toBeGreaterThan(seen);
  });

  it('the controls reach the device in its shard', async () => {
    await page.getByRole('button', { name: 'Lose network' }).click();
    await page.locator('#timeline tr', { hasText: 'NETWORKSTATUSCHANGED' }).first().waitFor();
    await page.locator('#sum-network', { hasText: 'down' }).waitFor();
    await page.getByRole('button', { name: 'Restore network' }).click();
    await page.locator('#sum-network', { hasText: 'connected' }).waitFor();
  });

  it('writes a screenshot of the fleet page', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    await page.getByLabel('Find').fill('');
    await page.screenshot({ path: join(OUTPUT, 'fleet.png') });
    expect(statSync(join(OUTPUT, 'fleet.png')).size).toBeGreaterThan(10_000);
  });

  it('logged no console errors, and the fleet ends cleanly on Ctrl-C', async () => {
    expect(consoleErrors).toEqual([]);
    fleet.kill('SIGINT');
    await fleetExited;
    expect(output).toMatch(/mvdevice fleet: 12 devices in 2 shard processes/);
  });
});
