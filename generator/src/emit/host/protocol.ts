/**
 * The host bridge's protocol between a host firmware build and the device core, in one table:
 * the shared-memory call channel's layout and handshake words, and the wire format of requests,
 * answers and events. Emitted as one C header (mvhost_protocol.h) for both C ends, the
 * firmware's runtime (c-headers/host/src/mvhost_call.c) and the device core's addon
 * (device/native/mvhost_shm.c), and as TypeScript constants for the bridge (device/src/host).
 */

/** A 32-bit word of the shared mapping: on its own cache line, or on one with words the same end writes together. */
export interface ShmWord {
  name: string;
  offset: number;
  /** Who writes it, and what it means. */
  doc: string;
}

export const SHM_WORDS: readonly ShmWord[] = [
  { name: 'REQUEST_SEQ', offset: 0, doc: 'request sequence, written by the firmware after the request is complete' },
  { name: 'ANSWER_SEQ', offset: 64, doc: 'answer sequence, written by the device core after the answer is complete (the firmware sleeps on it)' },
  { name: 'DEVICE_CPU', offset: 68, doc: 'the CPU the device core last watched or answered on: a firmware running there knows the device core is not, and sleeps instead of spinning' },
  { name: 'DEVICE_IDLE', offset: 128, doc: '1 while the device core is not watching: the firmware then rings the doorbell (one byte on the call socket)' },
  { name: 'FIRMWARE_SLEEPING', offset: 192, doc: '1 while the firmware sleeps on ANSWER_SEQ: the device core then wakes it' },
  { name: 'CAPACITY', offset: 256, doc: 'capacity of each of the request and answer areas in bytes (written by the device core)' },
  { name: 'PROTOCOL_ID', offset: 260, doc: 'PROTOCOL_ID of the device core (written with CAPACITY): the firmware refuses another' },
  { name: 'FIRMWARE_IN_WFI', offset: 320, doc: '1 while the firmware waits for an interrupt: no call comes before the next event (cleared by its event thread when it pends one)' },
  { name: 'ANSWER_SPIN_LIMIT', offset: 384, doc: 'how long the firmware may spin for an answer, in ns (0: sleep at once)' },
  { name: 'EVENTS_APPLIED', offset: 448, doc: 'events (event socket) the firmware has applied so far' },
];

/** Where the request area starts; the answer area follows it at REQUEST_AREA + capacity. */
export const SHM_REQUEST_AREA = 512;

/** Wire format constants (little-endian; every record starts 8-byte aligned). */
export const WIRE = [
  { name: 'REQUEST_HEADER', value: 16, doc: 'u32 length, u32 function, u32 argument count, u32 region count; then u64 arguments[], then regions' },
  { name: 'REGION_HEADER', value: 16, doc: 'u64 address, u32 length, u32 flags; then the bytes (also the header of a write)' },
  { name: 'ANSWER_HEADER', value: 24, doc: 'u32 length, u32 write count, i64 status, u32 events sent before it, u32 0; then writes' },
  { name: 'EVENT_HEADER', value: 16, doc: 'u32 length, u32 type, u32 irq, u32 write count; then writes (device to firmware, event socket)' },
  { name: 'REGION_READABLE', value: 1, doc: 'region flag: the bytes follow' },
  { name: 'REGION_WRITABLE', value: 2, doc: 'region flag: the application can write there' },
  { name: 'REGION_TOO_LARGE', value: 4, doc: 'region flag: larger than the request area (not copied)' },
  { name: 'WRITE_KEPT', value: 1, doc: 'write flag: into memory lent to the kernel in an earlier call (a ring, a channel buffer)' },
  { name: 'EVENT_IRQ', value: 1, doc: 'event type: write the records, then pend the interrupt line once' },
] as const;

/** Names this table: both ends refuse a peer built from another one (FNV-1a of its contents). */
export function protocolId(): number {
  let h = 0x811c9dc5;
  for (const c of JSON.stringify({ SHM_WORDS, SHM_REQUEST_AREA, WIRE })) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const cWords = () => SHM_WORDS.map((w) => `#define MVHOST_SHM_${w.name} ${w.offset}u /* ${w.doc} */`);
const cWire = () => WIRE.map((w) => `#define MVHOST_${w.name} ${w.value}u /* ${w.doc} */`);

/** The header: the template's @LAYOUT@ becomes the table. */
export function protocolHeader(template: string): string {
  const layout = [
    `#define MVHOST_PROTOCOL_ID 0x${protocolId().toString(16).padStart(8, '0')}u /* of this table: both ends refuse another */`,
    '',
    ...cWords(),
    `#define MVHOST_SHM_REQUEST_AREA ${SHM_REQUEST_AREA}u /* the request area; the answer area follows at + capacity */`,
    '',
    ...cWire(),
  ].join('\n');
  return template.replace('@LAYOUT@', layout);
}

export function protocolTypeScript(): string {
  const out = [
    '/** The host bridge protocol (generator/src/emit/host/protocol.ts), as in mvhost_protocol.h. */',
    '',
    '/** Of this table: both ends refuse a peer built from another one. */',
    `export const PROTOCOL_ID = 0x${protocolId().toString(16).padStart(8, '0')};`,
    '',
    '/** Offsets of the shared mapping\'s words. */',
    'export const SHM = {',
    ...SHM_WORDS.map((w) => `  /** ${w.doc} */\n  ${w.name}: ${w.offset},`),
    `  /** the request area; the answer area follows at + capacity */\n  REQUEST_AREA: ${SHM_REQUEST_AREA},`,
    '} as const;',
    '',
  ];
  for (const w of WIRE) out.push(`/** ${w.doc} */`, `export const ${w.name} = ${w.value};`);
  out.push('');
  return out.join('\n');
}
