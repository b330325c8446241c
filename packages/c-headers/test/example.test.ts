/**
 * The example MQTT client (examples/mqtt_client): compiled strict for the host and the
 * device, linked into a Cortex-M33 image against the linker fragment, and run on the host
 * against a scripted fake Microvisor (test/fixtures) that echoes publications back.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { FACTS, vendorStandIn } from './support/facts.js';
import { compile, DEVICE, DEVICE_CC, EXAMPLES, expectOk, INCLUDE, LINKER_FRAGMENT, MATRIX, run, STRICT, tempDir, type TempDir } from './support/toolchain.js';

const EXAMPLE = join(EXAMPLES, 'mqtt_client');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const SOURCES = ['mqtt_client.c', 'main.c'].map((f) => join(EXAMPLE, f));

const readableTypes = FACTS.enums.MvMqttReadableDataType.constants;
const status = FACTS.enums.MvStatus.constants;

for (const cc of MATRIX.filter((c) => c.lang === 'c')) {
  describeWithTools([cc.tool], `example builds with ${cc.label} (${cc.abi})`, () => {
    it('compiles warning-free', async () => {
      for (const src of SOURCES) expectOk(await compile(cc, src, [`-I${EXAMPLE}`]), `${cc.label} ${src}`);
    });
  });
}

describeWithTools(['gcc'], 'example against the vendor header', () => {
  it('compiles when the vendor header is included first (mvmqtt.h then adds only its macros)', async () => {
    const dir = tempDir();
    try {
      dir.file('mv_syscalls.h', vendorStandIn());
      for (const src of SOURCES) expectOk(await compile(MATRIX.find((c) => c.label === 'gcc -std=c11')!, src, [`-I${EXAMPLE}`, '-include', join(dir.path, 'mv_syscalls.h')]), src);
    } finally {
      dir.dispose();
    }
  });
});

describeWithTools(['arm-none-eabi-gcc', 'arm-none-eabi-nm'], 'example as a Cortex-M33 image', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir?.dispose());

  it('links with -nostartfiles against the fragment; each system call it uses sits at its veneer address', async () => {
    const objects: string[] = [];
    for (const src of SOURCES) {
      const obj = join(dir.path, src.split('/').pop()!.replace(/\.c$/, '.o'));
      expectOk(await compile(DEVICE_CC, src, [`-I${EXAMPLE}`, '-Os', '-ffunction-sections'], obj), src);
      objects.push(obj);
    }
    const startup = join(dir.path, 'startup.o');
    const startupSrc = dir.file('startup.c', 'int main(void);\nvoid Reset_Handler(void);\nvoid Reset_Handler(void) {\n    (void)main();\n    for (;;) {\n    }\n}\n');
    expectOk(await compile(DEVICE_CC, startupSrc, [], startup), 'startup.c');
    const memory = dir.file(
      'memory.ld',
      'MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 1024K  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 512K }\nENTRY(Reset_Handler)\n' +
        'SECTIONS { .text : { *(.text*) *(.rodata*) } > FLASH  .data : { *(.data*) } > RAM AT > FLASH  .bss : { *(.bss*) *(COMMON) } > RAM }\n',
    );
    const elf = join(dir.path, 'example.elf');
    // -nostartfiles but the C library stays: the example uses memset, memcmp and strlen.
    expectOk(await run(['arm-none-eabi-gcc', ...DEVICE, '-nostartfiles', '-T', memory, startup, ...objects, LINKER_FRAGMENT, '-o', elf]), 'link');
    const nm = await run(['arm-none-eabi-nm', elf]);
    expectOk(nm, 'nm');
    const used = ['mvSetupNotifications', 'mvRequestNetwork', 'mvOpenChannel', 'mvMqttRequestConnect', 'mvMqttReceiveMessage', 'mvMqttReadDisconnectResponse', 'mvCloseNotifications'];
    for (const name of used) expect(nm.stdout, name).toMatch(new RegExp(`^${FACTS.functions[name].nsc_address.slice(2)} A ${name}$`, 'm'));
    // The buffers keep the alignment the limits ask for.
    for (const [sym, align] of [
      ['receive_buffer', 512],
      ['send_buffer', 512],
      ['notification_ring', 8],
    ] as const) {
      const m = new RegExp(`^([0-9a-f]{8}) b ${sym}$`, 'm').exec(nm.stdout);
      expect(m, sym).not.toBeNull();
      expect(parseInt(m![1], 16) % align, sym).toBe(0);
    }
  });
});

describeWithTools(['gcc'], 'example running on the host against a fake Microvisor', () => {
  let dir: TempDir;
  let exe: string;
  beforeAll(async () => {
    dir = tempDir();
    exe = join(dir.path, 'example');
    const sources = [join(EXAMPLE, 'mqtt_client.c'), join(FIXTURES, 'fake_microvisor.c'), join(FIXTURES, 'host_main.c')];
    expectOk(await run(['gcc', '-std=c11', ...STRICT, `-I${INCLUDE}`, `-I${EXAMPLE}`, `-I${FIXTURES}`, ...sources, '-o', exe]), 'host build');
  });
  afterAll(() => dir?.dispose());

  const calls = (out: string) => [...out.matchAll(/^call (\w+) (\d+)$/gm)].map((m) => ({ name: m[1], status: Number(m[2]) }));

  it('connects, subscribes, publishes, reads every readable data type, and disconnects', async () => {
    const r = await run([exe, '0', 'lose']);
    expectOk(r, 'example');
    const seq = calls(r.stdout);
    expect(seq.every((c) => c.status === status.MV_STATUS_OKAY), r.stdout).toBe(true);
    // The session in order (each call may repeat, e.g. mvMqttGetNextReadableDataType).
    const order = [
      'mvSetupNotifications',
      'mvRequestNetwork',
      'mvGetNetworkStatus',
      'mvOpenChannel',
      'mvMqttRequestConnect',
      'mvMqttReadConnectResponse',
      'mvMqttRequestSubscribe',
      'mvMqttReadSubscribeResponse',
      'mvMqttRequestPublish',
      'mvMqttReceiveLostMessageInfo',
      'mvMqttReceiveMessage',
      'mvMqttAcknowledgeMessage',
      'mvMqttReadPublishResponse',
      'mvMqttRequestUnsubscribe',
      'mvMqttReadUnsubscribeResponse',
      'mvMqttRequestDisconnect',
      'mvMqttReadDisconnectResponse',
      'mvCloseChannel',
      'mvReleaseNetwork',
      'mvCloseNotifications',
    ];
    let at = 0;
    for (const name of order) {
      const i = seq.findIndex((c, n) => n >= at && c.name === name);
      expect(i, `${name} after ${order[order.indexOf(name) - 1]}`).toBeGreaterThanOrEqual(at);
      at = i + 1;
    }
    // Every readable data type but NONE was reported and read.
    const seen = new Set([...r.stdout.matchAll(/^readable (\d+)$/gm)].map((m) => Number(m[1])));
    for (const [name, value] of Object.entries(readableTypes))
      if (!/_NONE$|__MAX$/.test(name)) expect(seen.has(value), name).toBe(true);
    expect(r.stdout).toContain('connect broker.test:8883 as device-1 v1 keepalive 60');
    expect(r.stdout).toContain('message sensor/device-1 {"t":21.5}');
    expect(r.stdout).toMatch(/^ack 501$/m);
    expect(r.stdout).toContain('trace message lost, bytes 9000');
    expect(r.stdout).toMatch(/final done\nopen objects 0\n$/);
  });

  it('opens a fresh channel after a failed connect and carries on', async () => {
    const r = await run([exe, '2']);
    expectOk(r, 'example');
    const seq = calls(r.stdout).map((c) => c.name);
    expect(seq.filter((n) => n === 'mvOpenChannel')).toHaveLength(3);
    expect(seq.filter((n) => n === 'mvMqttRequestConnect')).toHaveLength(3);
    expect(r.stdout).toMatch(/final done\nopen objects 0\n$/);
  });

  it('gives up after the configured number of attempts and releases everything', async () => {
    const r = await run([exe, '3']);
    expect(r.code).toBe(2);
    expect(calls(r.stdout).filter((c) => c.name === 'mvOpenChannel')).toHaveLength(3);
    expect(r.stdout).toContain('trace giving up connecting 3');
    expect(r.stdout).toMatch(/final failed\nopen objects 0\n$/);
  });
});
