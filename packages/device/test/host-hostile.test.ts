/**
 * Hostile pointers from C firmware, every function: a spec-driven sweep. From the SDK's
 * metadata (functions, parameters, directions, error tables, no-return and test-mode flags,
 * struct layouts) the test writes a C firmware that calls every function that returns, one
 * hostile argument at a time: NULL, an unmapped page, a read-only page for outputs, a pointer
 * whose pointee straddles into an unmapped page, a misaligned pointer, counted lengths of 0 and
 * the type's maximum, handles that are 0 / random / stale / wider than 32 bits, and the pointer
 * fields of input structs (nested ones too) made bad one at a time. It builds the firmware with
 * the project's CMake package and runs it under `mvdevice run` on both call transports, in and
 * outside test mode. Every status must be OKAY or a row of that function's error table; a bad
 * pointer to a required input or output gives PARAMETERFAULT where the table lists it; a call
 * never writes what it only reads, nor an output it then refuses; nothing crashes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTIONS, LAYOUTS, MV_STATUS_INVALIDHANDLE, MV_STATUS_OKAY, MV_STATUS_PARAMETERFAULT, MvChannelType, statusName, type MvFunctionInfo, type MvParamInfo } from '@mvmqtt/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools } from '../../../test/support/tools.js';
import { HOST_TABLES } from '../src/host/generated/tables.js';
import { cmakeBuild, mvdeviceRun } from './host-support.js';


type Kind =
  | 'null'
  | 'unmapped'
  | 'read_only'
  | 'straddle'
  | 'misaligned'
  | 'length_zero'
  | 'length_max'
  | 'handle_zero'
  | 'handle_random'
  | 'handle_stale'
  | 'handle_wide'
  | 'field_null'
  | 'field_unmapped'
  | 'field_straddle'
  | 'field_count_max'
  | 'all_ones'
  | 'baseline';

/** One call of the sweep: the function, the argument made hostile and how. */
interface Case {
  fn: string;
  label: string;
  kind: Kind;
  param?: MvParamInfo;
  args: string[];
  /** The valid pointer arguments (zeroed slots) of the call, to see afterwards what the call wrote there. */
  slots?: { index: number; direction: MvParamInfo['direction']; size: string }[];
}

const isPointer = (p: MvParamInfo) => p.type.endsWith('*');
/** The pointee type of a pointer parameter, without `const`. */
const pointee = (p: MvParamInfo) => p.type.replace(/^const /, '').replace(/ ?\*$/, '');
const handleType = (t: string) => /^Mv\w+Handle$/.test(t);

interface FieldLayout {
  offset: number;
  size: number;
}
interface StructLayout {
  size: number;
  fields: Record<string, FieldLayout>;
}
const LAYOUT = LAYOUTS as unknown as Record<string, Record<'arm32' | 'x86_64', StructLayout>>;

/** A pointer field of an input struct: where it is, and where its count is when a sibling counts it. */
interface PointerField {
  path: string;
  offset: number;
  count?: { offset: number; size: number };
}

/**
 * The pointer fields (and handles, which are pointers in a host build) of an input struct. From
 * the SDK's layouts: a field that is a word on the device and eight bytes on x86-64. The layouts
 * give a nested struct (an MvSizedString) as one field, so the host tables add the pointers inside
 * nested structs, and their counts; they only say where to aim, never what to expect.
 */
function pointerFields(struct: string): PointerField[] {
  const found = new Map<number, PointerField>();
  const layout = LAYOUT[struct];
  if (layout)
    for (const [path, f] of Object.entries(layout.x86_64.fields))
      if (f.size === 8 && layout.arm32.fields[path]?.size === 4) found.set(f.offset, { path, offset: f.offset });
  const walk = (index: number, base: number, prefix: string) => {
    for (const f of HOST_TABLES.structs[index].fields) {
      if (f.pointer) {
        const count = f.pointer.count && f.pointer.count.arg === undefined ? { offset: base + f.pointer.count.offset, size: f.pointer.count.size } : undefined;
        found.set(base + f.offset, { path: prefix + f.path, offset: base + f.offset, ...(count ? { count } : {}) });
      } else if (f.value?.kind === 'struct') walk(f.value.struct, base + f.offset, `${prefix}${f.path}.`);
    }
  };
  const index = HOST_TABLES.structs.findIndex((x) => x.name === struct);
  if (index >= 0) walk(index, 0, '');
  return [...found.values()].sort((a, b) => a.offset - b.offset);
}

/** A versioned struct (a `version` word, then the union of versions) is given version 1. */
const versioned = (struct: string) => LAYOUT[struct]?.x86_64.fields.version?.offset === 0;

/** The live handle the firmware opened for a handle parameter (a channel of the kind the spec names). */
function liveHandle(p: MvParamInfo): string {
  if (p.type === 'MvChannelHandle') return `live_channel[${p.objectKind ?? MvChannelType.MV_CHANNELTYPE_OPAQUEBYTES}]`;
  return `live_${handleVar(p.type)}`;
}
function handleVar(type: string): string {
  return type.replace(/^Mv/, '').replace(/Handle$/, '').toLowerCase();
}

/** Every case for one function: a baseline, then one hostile argument at a time. */
function casesFor(name: string, f: MvFunctionInfo): Case[] {
  const base = f.params.map((p, i): string => {
    if (isPointer(p)) return `(${p.type})slot(${i})`;
    if (p.counts) return `(${p.type})VALID_COUNT`;
    if (handleType(p.type)) return liveHandle(p);
    return `(${p.type})0`;
  });
  const cases: Case[] = [{ fn: name, label: 'baseline', kind: 'baseline', args: base }];
  const withArg = (i: number, value: string) => base.map((b, j) => (j === i ? value : b));
  // An in-out handle pointer points at a valid word holding a bad handle.
  const inMemory = (i: number, p: MvParamInfo, value: string) => withArg(i, `(${p.type})handle_at(${i}, (${pointee(p)})(${value}))`);
  f.params.forEach((p, i) => {
    const add = (kind: Kind, args: string[]) => cases.push({ fn: name, label: `${p.name}:${kind}`, kind, param: p, args });
    if (isPointer(p)) {
      add('null', withArg(i, `(${p.type})0`));
      add('unmapped', withArg(i, `(${p.type})unmapped`));
      if (p.direction !== 'in') add('read_only', withArg(i, `(${p.type})read_only`));
      add('straddle', withArg(i, `(${p.type})(straddle_end - 1)`));
      add('misaligned', withArg(i, `(${p.type})(slot(${i}) + 1)`));
      const struct = /^struct (\w+)$/.exec(pointee(p))?.[1];
      if (struct && p.direction === 'in' && LAYOUT[struct]) {
        // A struct the application fills: one of its pointers bad at a time, then every byte 0xff.
        const version = versioned(struct) ? 1 : 0;
        for (const { path, offset, count } of pointerFields(struct)) {
          const at = (kind: Kind, value: string, countSize = 0) =>
            cases.push({ fn: name, label: `${p.name}.${path}:${kind}`, kind, param: p, args: withArg(i, `(${p.type})struct_with(${i}, ${version}, ${offset}, ${value}, ${count?.offset ?? 0}, ${countSize})`) });
          at('field_null', '0');
          at('field_unmapped', 'unmapped');
          at('field_straddle', 'straddle_end - 1');
          // A counted field: a real buffer with a count of all ones.
          if (count) at('field_count_max', 'spare', count.size);
        }
        add('all_ones', withArg(i, `(${p.type})all_ones(${i}, ${version})`));
      }
      if (handleType(pointee(p)) && p.direction === 'inout') {
        add('handle_zero', inMemory(i, p, '0'));
        add('handle_random', inMemory(i, p, 'RANDOM_HANDLE'));
        add('handle_stale', inMemory(i, p, `stale_${handleVar(pointee(p))}`));
        add('handle_wide', inMemory(i, p, 'WIDE_HANDLE'));
      }
    } else if (p.counts) {
      add('length_zero', withArg(i, `(${p.type})0`));
      add('length_max', withArg(i, `(${p.type})UINT32_MAX`));
    } else if (handleType(p.type)) {
      add('handle_zero', withArg(i, `(${p.type})0`));
      add('handle_random', withArg(i, `(${p.type})RANDOM_HANDLE`));
      add('handle_stale', withArg(i, `stale_${handleVar(p.type)}`));
      add('handle_wide', withArg(i, `(${p.type})WIDE_HANDLE`));
    }
  });
  // Huge counts inside a request are late faults, which close the channel (and opening another is
  // rate-limited): they go last, so the function's other cases run on an open channel.
  cases.sort((a, b) => Number(a.kind === 'field_count_max') - Number(b.kind === 'field_count_max'));
  // Which slots each call leaves as they were: its valid (baseline) pointer arguments.
  for (const c of cases)
    c.slots = f.params.flatMap((p, i) =>
      isPointer(p) && c.args[i] === base[i] ? [{ index: i, direction: p.direction, size: p.countedBy ? `VALID_COUNT * sizeof(${pointee(p)})` : `sizeof(${pointee(p)})` }] : [],
    );
  return cases;
}

const SWEPT = Object.entries(FUNCTIONS as Record<string, MvFunctionInfo>).filter(([, f]) => !f.noReturn);
const CASES = SWEPT.flatMap(([name, f]) => casesFor(name, f));

/** The C firmware: sets up live and stale objects of every kind, then makes every call of the sweep. */
function firmwareSource(): string {
  const touched = (c: Case, out: boolean) => c.slots!.filter((x) => (x.direction === 'in') !== out).map((x) => `!is_zero(${x.index}, ${x.size})`).join(' || ') || '0';
  const calls = CASES.map((c) => `  { long s = ${c.fn}(${c.args.join(', ')}); report_call("${c.fn}", "${c.label}", s, ${touched(c, false)}, ${touched(c, true)}); }`);
  // A late fault closes the channel: each function that takes a channel starts on an open one of its kind.
  SWEPT.forEach(([name, f]) => {
    const channel = f.params.find((p) => p.type === 'MvChannelHandle' && p.direction === 'value');
    if (!channel) return;
    const first = CASES.findIndex((c) => c.fn === name);
    calls[first] = `  renew_channel(${channel.objectKind ?? MvChannelType.MV_CHANNELTYPE_OPAQUEBYTES});\n${calls[first]}`;
  });
  return `/* Generated by host-hostile.test.ts from the SDK metadata. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "mv_syscalls.h"

#define SLOT 2048u
#define VALID_COUNT 64u
#define RANDOM_HANDLE ((uintptr_t)0x5eedf00du)
/* A host handle is pointer-sized: a value no 32-bit device handle can be. */
#define WIDE_HANDLE ((uintptr_t)0x5eedf00d00000001ull)

/* Memory for valid pointer arguments: one zeroed slot per parameter, 512-byte aligned. */
static uint8_t arena[8 * SLOT] __attribute__((aligned(4096)));
/* A buffer for pointer fields given a huge count. */
static uint8_t spare[SLOT];
/* Words for in-out handle pointers holding a bad handle. */
static void *handle_words[8];
static uint8_t *unmapped, *read_only, *straddle_end;

static struct MvNotification rings[2][8] __attribute__((aligned(8)));
static uint8_t channel_buffers[6][2][1024] __attribute__((aligned(512)));

static MvNotificationHandle live_notification, stale_notification;
static MvNetworkHandle live_network, stale_network;
static MvChannelHandle live_channel[4], stale_channel;
static MvExternalFlashHandle live_externalflash, stale_externalflash;
static MvSystemEventHandle stale_systemevent;

static uint8_t *slot(int i) {
  uint8_t *p = arena + (size_t)i * SLOT;
  memset(p, 0, SLOT);
  return p;
}

static void *handle_at(int i, void *value) {
  handle_words[i] = value;
  return &handle_words[i];
}

/* Slot i holding a zeroed struct (its version when not 0) with one pointer field set to value. */
static uint8_t *struct_with(int i, uint32_t version, size_t offset, const void *value, size_t count_offset, size_t count_size) {
  uint8_t *p = slot(i);
  if (version) memcpy(p, &version, sizeof version);
  memcpy(p + offset, &value, sizeof value);
  memset(p + count_offset, 0xff, count_size);
  return p;
}

/* Slot i with every byte 0xff (pointers non-canonical, lengths at their maximum), but its version. */
static uint8_t *all_ones(int i, uint32_t version) {
  uint8_t *p = slot(i);
  memset(p, 0xff, SLOT);
  if (version) memcpy(p, &version, sizeof version);
  return p;
}

/* Whether the first n bytes of slot i are still zero. */
static int is_zero(int i, size_t n) {
  const uint8_t *p = arena + (size_t)i * SLOT;
  for (size_t k = 0; k < n; k++)
    if (p[k] != 0) return 0;
  return 1;
}

/* A call's status, and whether it wrote into its valid input slots and its valid output slots. */
static void report_call(const char *fn, const char *label, long status, int wrote_in, int wrote_out) {
  printf("%s %s %ld %d %d\\n", fn, label, status, wrote_in, wrote_out);
  fflush(stdout);
}

static void report(const char *fn, const char *label, long status) {
  printf("%s %s %ld\\n", fn, label, status);
  fflush(stdout);
}

/* Opens a channel on buffer set index % 10; an index from 10 on is a renewal, reported as such. */
static MvChannelHandle open_channel(int index, enum MvChannelType type) {
  struct MvOpenChannelParams params;
  MvChannelHandle handle = 0;
  memset(&params, 0, sizeof params);
  params.version = 1;
  params.v1.notification_handle = live_notification;
  params.v1.notification_tag = 10u + (uint32_t)(index % 10);
  params.v1.network_handle = live_network;
  params.v1.receive_buffer = channel_buffers[index % 10][0];
  params.v1.receive_buffer_len = sizeof channel_buffers[index % 10][0];
  params.v1.send_buffer = channel_buffers[index % 10][1];
  params.v1.send_buffer_len = sizeof channel_buffers[index % 10][1];
  params.v1.channel_type = type;
  char name[32];
  snprintf(name, sizeof name, index >= 10 ? "renew_%d" : "channel_%d", index % 10);
  report("setup", name, mvOpenChannel(&params, &handle));
  return handle;
}

/* When the live channel of this kind was closed (a late fault closes it), closes it and opens another. */
static void renew_channel(int type) {
  enum MvClosureReason reason = MV_CLOSUREREASON_NONE;
  if (mvGetChannelClosureReason(live_channel[type], &reason) == MV_STATUS_OKAY && reason == MV_CLOSUREREASON_NONE) return;
  MvChannelHandle closing = live_channel[type];
  (void)mvCloseChannel(&closing);
  live_channel[type] = open_channel(type + 10, (enum MvChannelType)type);
}

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  unmapped = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  read_only = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uint8_t *pair = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mprotect(pair + page, (size_t)page, PROT_NONE);
  straddle_end = pair + page;

  struct MvNotificationSetup setup = { 40, rings[0], sizeof rings[0] };
  report("setup", "notifications", mvSetupNotifications(&setup, &live_notification));
  struct MvNotificationSetup other = { 41, rings[1], sizeof rings[1] };
  (void)mvSetupNotifications(&other, &stale_notification);
  MvNotificationHandle closing = stale_notification;
  report("setup", "stale_notifications", mvCloseNotifications(&closing));

  struct MvRequestNetworkParams net;
  memset(&net, 0, sizeof net);
  net.version = 1;
  net.v1.notification_handle = live_notification;
  net.v1.notification_tag = 1;
  report("setup", "network", mvRequestNetwork(&net, &live_network));
  (void)mvRequestNetwork(&net, &stale_network);
  MvNetworkHandle releasing = stale_network;
  report("setup", "stale_network", mvReleaseNetwork(&releasing));
  enum MvNetworkStatus status = MV_NETWORKSTATUS_DELIBERATELYOFFLINE;
  while (status != MV_NETWORKSTATUS_CONNECTED) (void)mvGetNetworkStatus(live_network, &status);

  stale_channel = open_channel(4, MV_CHANNELTYPE_MQTT);
  MvChannelHandle closing_channel = stale_channel;
  report("setup", "stale_channel", mvCloseChannel(&closing_channel));
  for (int type = 0; type < 4; type++) live_channel[type] = open_channel(type, (enum MvChannelType)type);

  (void)mvExternalFlashOpen(&stale_externalflash);
  MvExternalFlashHandle closing_flash = stale_externalflash;
  report("setup", "stale_flash", mvExternalFlashClose(&closing_flash));
  report("setup", "flash", mvExternalFlashOpen(&live_externalflash));

  struct MvOpenSystemNotificationParams system = { live_notification, 2, MV_SYSTEMNOTIFICATIONSOURCE_NETWORK };
  (void)mvOpenSystemNotification(&system, &stale_systemevent);
  MvSystemEventHandle closing_system = stale_systemevent;
  report("setup", "stale_system", mvCloseSystemNotification(&closing_system));

  printf("sweep_start\\n");
${calls.join('\n')}
  printf("sweep_done\\n");
  fflush(stdout);
  return 0;
}
`;
}



describeWithTools(['cmake', 'gcc'], 'host firmware: hostile arguments to every function (spec-driven sweep)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mvmqtt-host-hostile-'));
    const source = join(dir, 'src');
    spawnSync('mkdir', ['-p', source]);
    writeFileSync(join(source, 'hostile.c'), firmwareSource());
    writeFileSync(
      join(source, 'CMakeLists.txt'),
      'cmake_minimum_required(VERSION 3.16)\nproject(host_hostile C)\nfind_package(mvmqtt CONFIG REQUIRED)\nmvmqtt_add_host_firmware(host_hostile SOURCES hostile.c)\n',
    );
    cmakeBuild(source, join(dir, 'build'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('covers every function that returns, with every hostile case its parameters allow', () => {
    const swept = new Set(CASES.map((c) => c.fn));
    for (const [name, f] of Object.entries(FUNCTIONS as Record<string, MvFunctionInfo>)) expect(swept.has(name), name).toBe(!f.noReturn);
    expect(CASES.length).toBeGreaterThan(300);
  });

  // Both call transports (shared memory when the addon is built, and the socket alone), and a run outside test mode.
  it.each([
    ['the default transport, test mode', true, {}],
    ['the socket transport, test mode', true, { MVDEVICE_HOST_TRANSPORT: 'socket' }],
    ['the default transport, outside test mode', false, {}],
  ] as const)('answers each call with OKAY or a status of its error table, PARAMETERFAULT for a bad required pointer, and nothing crashes (%s)', { timeout: 60_000 }, async (_, testMode, env) => {
    const run = await mvdeviceRun([...(testMode ? ['--test-mode'] : []), '--timeout', '50', '--', join(dir, 'build', 'host_hostile')], { env });
    const context = `${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`;
    expect(run.code, context).toBe(0);
    expect(run.stdout, context).toContain('sweep_done');
    const seen = new Map<string, number>();
    const wrote = new Map<string, { input: boolean; output: boolean }>();
    for (const line of run.stdout.split('\n')) {
      const m = /^(\w+) (\S+) (-?\d+)(?: ([01]) ([01]))?$/.exec(line);
      if (m) seen.set(`${m[1]} ${m[2]}`, Number(m[3]));
      if (m?.[4] !== undefined) wrote.set(`${m[1]} ${m[2]}`, { input: m[4] === '1', output: m[5] === '1' });
    }
    // The live objects the sweep's valid arguments refer to.
    for (const what of ['notifications', 'stale_notifications', 'network', 'stale_network', 'stale_channel', 'channel_1', 'channel_2', 'channel_3', 'stale_flash', 'flash', 'stale_system'])
      expect(statusName(seen.get(`setup ${what}`) ?? -1), what).toBe(statusName(MV_STATUS_OKAY));
    const wrong: string[] = [];
    // A channel closed by a late fault was replaced before the next function's calls.
    for (const [key, status] of seen) if (key.startsWith('setup renew_') && status !== MV_STATUS_OKAY) wrong.push(`${key}: ${statusName(status)}`);
    for (const c of CASES) {
      const key = `${c.fn} ${c.label}`;
      const status = seen.get(key);
      const table = (FUNCTIONS as Record<string, MvFunctionInfo>)[c.fn].errors.map((e) => e.status as number);
      const lists = (s: number) => table.includes(s);
      if (status === undefined) {
        wrong.push(`${key}: no answer`);
        continue;
      }
      const testModeOnly = (FUNCTIONS as Record<string, MvFunctionInfo>)[c.fn].testModeOnly;
      if (!testMode && testModeOnly !== undefined) {
        // Outside test mode the call does nothing and says so, whatever its arguments.
        if (status !== testModeOnly) wrong.push(`${key}: ${statusName(status)} outside test mode, wanted ${statusName(testModeOnly)}`);
        continue;
      }
      // Memory the call reads is never written; its outputs only on success or a status whose request went ahead.
      const row = (FUNCTIONS as Record<string, MvFunctionInfo>)[c.fn].errors.find((e) => e.status === status);
      if (wrote.get(key)?.input) wrong.push(`${key}: wrote into an input`);
      if (wrote.get(key)?.output && status !== MV_STATUS_OKAY && !row?.issued) wrong.push(`${key}: wrote an output, then answered ${statusName(status)}`);
      if (status !== MV_STATUS_OKAY && !lists(status)) wrong.push(`${key}: ${statusName(status)} is not in its error table`);
      const badPointer = c.kind === 'null' || c.kind === 'unmapped' || c.kind === 'read_only' || c.kind === 'straddle';
      if (badPointer && lists(MV_STATUS_PARAMETERFAULT) && status !== MV_STATUS_PARAMETERFAULT) wrong.push(`${key}: ${statusName(status)}, wanted MV_STATUS_PARAMETERFAULT`);
      const badHandle = c.kind === 'handle_zero' || c.kind === 'handle_random' || c.kind === 'handle_stale' || c.kind === 'handle_wide';
      if (badHandle && lists(MV_STATUS_INVALIDHANDLE) && status === MV_STATUS_OKAY) wrong.push(`${key}: OKAY with a bad handle`);
      // A field that zero makes INVALIDHANDLE holds a handle: any other dead value (an address) is no handle either.
      if (c.kind === 'field_unmapped' && seen.get(key.replace(/:field_unmapped$/, ':field_null')) === MV_STATUS_INVALIDHANDLE && status !== MV_STATUS_INVALIDHANDLE)
        wrong.push(`${key}: ${statusName(status)} for a dead handle in a struct, wanted MV_STATUS_INVALIDHANDLE`);
    }
    expect(wrong, context).toEqual([]);
  });
});
