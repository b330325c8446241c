// The inspector in a real browser: Debian's chromium, headless, driven by playwright-core
// (never a downloaded browser). The demo (`npm start -- --inspect --forever`) runs as a child
// process against its embedded broker; the page must show its calls live, and the page's
// controls must reach the device: network loss and recovery, an injected command.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools, hasTool } from '../../../test/support/tools.js';

const REPO = resolve(import.meta.dirname, '../../..');
const OUTPUT = join(REPO, '.cache/test-output/inspector');
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = 30_000;

describeWithTools(['chromium'], 'inspector page in chromium (playwright-core)', () => {
  let demo: ChildProcess;
  let demoExited: Promise<number | null>;
  const lines: string[] = [];
  let lineWaiters: (() => void)[] = [];
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const consoleErrors: string[] = [];

  /** Resolves with the match of the first demo output line (from index `from`) matching `re`. */
  async function demoLine(re: RegExp, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + WAIT;
    for (;;) {
      for (let i = from; i < lines.length; i++) {
        const m = re.exec(lines[i]);
        if (m) return m;
      }
      if (demo.exitCode !== null) throw new Error(`the demo exited (${demo.exitCode}) before printing ${re}:\n${lines.slice(-30).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`the demo never printed ${re}; its last lines:\n${lines.slice(-30).join('\n')}`);
      await new Promise<void>((r) => {
        lineWaiters.push(r);
        setTimeout(r, 500);
      });
    }
  }

  beforeAll(async () => {
    demo = spawn(process.execPath, [join(REPO, 'scripts/start.mjs'), '--inspect', '--forever'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    demoExited = new Promise((r) => demo.once('exit', (code) => r(code)));
    let partial = '';
    const onData = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      const waiters = lineWaiters;
      lineWaiters = [];
      for (const w of waiters) w();
    };
    demo.stdout!.on('data', onData);
    demo.stderr!.on('data', onData);
    url = (await demoLine(/^inspector: (http:\/\/127\.0\.0\.1:\d+\/)$/))[1];
    await demoLine(/== publishing every second/);

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
    if (demo && demo.exitCode === null) {
      demo.kill('SIGINT');
      await demoExited;
    }
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('lists the demo device and shows its system calls as they happen', async () => {
    await page.locator('#devices button[aria-current="true"]', { hasText: 'demo UV' }).waitFor();
    const publishes = page.locator('#timeline tr', { hasText: 'mvMqttRequestPublish' });
    await publishes.first().waitFor();
    const seen = await publishes.count();
    // The demo publishes every second: a new call must arrive without reloading the page.
    await expect.poll(() => publishes.count(), { timeout: WAIT }).toBeGreaterThan(seen);
    // Decoded arguments and statuses, by name.
    await expect.poll(() => publishes.first().textContent()).toMatch(/topic=.*sensor\/device\/UV.*MV_STATUS_OKAY|OKAY/);
    // The ring, the channel and its session with the subscription.
    await page.locator('#rings .slot.w').first().waitFor();
    await page.locator('#channels .chan', { hasText: 'connected' }).waitFor();
    await page.locator('#channels .subs li', { hasText: 'command/device/UV' }).waitFor();
    // Filters: only failing calls (the demo makes none) leaves no syscall row.
    await page.selectOption('#f-status', 'error');
    await expect.poll(() => page.locator('#timeline tr .status.ok').count()).toBe(0);
    await page.selectOption('#f-status', '');
  });

  it('network loss from the page reaches the device (NETWORKSTATUSCHANGED) and the demo reconnects after recovery', async () => {
    const from = lines.length;
    await page.getByRole('button', { name: 'Lose network' }).click();
    await demoLine(/notification irq \d+ slot \d+: MV_EVENTTYPE_NETWORKSTATUSCHANGED/, from);
    await demoLine(/network(?: status)?: MV_NETWORKSTATUS_CONNECTING/, from);
    await page.locator('#timeline tr', { hasText: 'NETWORKSTATUSCHANGED' }).first().waitFor();
    await page.locator('#sum-network', { hasText: 'down' }).waitFor();
    // Every open channel is told (the demo then closes it and waits for the network).
    await page.locator('#timeline tr', { hasText: 'CHANNELNOTCONNECTED' }).first().waitFor();

    await page.getByRole('button', { name: 'Restore network' }).click();
    await demoLine(/network(?: status)?: MV_NETWORKSTATUS_CONNECTED/, from);
    await demoLine(/== reconnected/, from);
    await page.locator('#sum-network', { hasText: 'connected' }).waitFor();
    await page.locator('#channels .chan', { hasText: 'connected' }).waitFor();
  });

  it('a message injected from the page reaches the application', async () => {
    const topic = (await demoLine(/subscribe to (command\/device\/UV[0-9A-Za-z]+)/))[1];
    const payload = `{"action":"blink","nonce":"${Date.now().toString(36)}"}`;
    const from = lines.length;
    await page.getByLabel('Topic').fill(topic);
    await page.getByLabel('Payload').fill(payload);
    await page.getByLabel('QoS').selectOption('1');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('#inject-result', { hasText: `published on ${topic}` }).waitFor();
    await demoLine(new RegExp(`command on ${topic} \\(QoS 1\\): ${payload.replace(/[{}()[\]^$.*+?|\\]/g, '\\$&')}`), from);
    // The inbound PUBLISH is in the packet view with its payload as text.
    await page.getByRole('tab', { name: 'MQTT packets' }).click();
    await page.locator('#packets tr', { hasText: payload }).first().waitFor();
    await page.getByRole('tab', { name: 'Timeline' }).click();
  });

  it('has labelled controls, keyboard focus and keyboard tabs', async () => {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('button, input, select, textarea, [tabindex="0"]')]
        .filter((e) => {
          const labels = (e as HTMLInputElement).labels;
          const name = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (labels && labels.length ? 'label' : '') || (e.tagName === 'BUTTON' ? e.textContent?.trim() : '');
          return !name;
        })
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);

    // Tab moves focus through the controls, and focus is visible.
    // From a freshly loaded page, Tab starts at the top of the document.
    await page.reload();
    await page.locator('#devices button[aria-current="true"]').waitFor();
    const focused: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      focused.push(
        await page.evaluate(() => {
          const e = document.activeElement as HTMLElement;
          const outline = getComputedStyle(e).outlineStyle;
          return `${e.tagName}:${e.textContent?.trim().slice(0, 20) ?? ''}:${outline}`;
        }),
      );
    }
    expect(focused.some((f) => f.startsWith('BUTTON:Lose network')), focused.join(' | ')).toBe(true);
    for (const f of focused) expect(f.endsWith(':none'), f).toBe(false);

    // Arrow keys switch the view tabs.
    await page.getByRole('tab', { name: 'Timeline' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: 'Sequence' }).getAttribute('aria-selected')).toBe('true');
    await page.locator('#sequence .msg.call').first().waitFor();
    await page.locator('#sequence .msg.irq').first().waitFor();
    await page.locator('#sequence .msg.out').first().waitFor();
  });

  it('writes screenshots of the page for people to look at', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    await page.getByRole('tab', { name: 'Sequence' }).click();
    await page.screenshot({ path: join(OUTPUT, 'sequence.png') });
    await page.getByRole('tab', { name: 'MQTT packets' }).click();
    await page.screenshot({ path: join(OUTPUT, 'packets.png') });
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.screenshot({ path: join(OUTPUT, 'timeline.png') });
    expect(statSync(join(OUTPUT, 'timeline.png')).size).toBeGreaterThan(10_000);
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});

if (!hasTool('chromium')) console.warn('inspector browser suite: chromium is not installed (apt-get install chromium)');
