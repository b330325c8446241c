/**
 * MQTT's topic rules restated for tests, independently of the validator they check: Node's own
 * UTF-8 decoder judges well-formedness, mqtt.js's wildcard check judges filters, and the code
 * points a broker may close the connection over are listed by number. Plus the
 * byte-string generator the topic property tests share (biased towards the bytes that matter).
 */
import fc from 'fast-check';
import { validateTopic as mqttJsFilterIsValid } from 'mqtt/lib/validations';

/** MQTT strings carry a 16-bit length. */
export const MQTT_STRING_MAX = 65535;

/** Well-formed UTF-8 is exactly what survives a decode and re-encode by Node's Buffer unchanged. */
export const wellFormedUtf8 = (b: Uint8Array): boolean => Buffer.from(Buffer.from(b).toString('utf8'), 'utf8').equals(b);

/** Whether MQTT allows `b` as a topic name (PUBLISH) or a topic filter (SUBSCRIBE, UNSUBSCRIBE). */
export function mqttAllows(kind: 'name' | 'filter', b: Uint8Array): boolean {
  if (b.byteLength === 0 || b.byteLength > MQTT_STRING_MAX || !wellFormedUtf8(b) || b.includes(0)) return false;
  const text = Buffer.from(b).toString('utf8');
  // MQTT 5 §1.5.4: controls and noncharacters should not be sent; a receiver may close the connection.
  if (/[\u0001-\u001f\u007f-\u009f\ufdd0-\ufdef]/.test(text) || [...text].some((c) => (c.codePointAt(0)! & 0xfffe) === 0xfffe)) return false;
  if (kind === 'name') return !/[+#]/.test(text);
  const shared = /^\$share\/([^/]*)\/(.*)$/s.exec(text);
  if (text.startsWith('$share/') && !shared) return false;
  if (shared) return /^[^+#]+$/.test(shared[1]) && shared[2].length > 0 && mqttJsFilterIsValid(shared[2]);
  return mqttJsFilterIsValid(text);
}

/** Bytes from pieces: a latin1 string stands for its raw bytes. */
export const bytesOf = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

const PIECES: (string | number[])[] = [
  'a', 'b', 'sensor', '/', '/', '+', '#', '$share/', '$SYS', ' ',
  [0x00], // NUL
  [0xc3, 0xa9], // é
  [0xf0, 0x9f, 0x98, 0x80], // an emoji (4 bytes)
  [0xef, 0xbf, 0xbd], // U+FFFD itself, which is well-formed
  [0xff], // never valid in UTF-8
  [0xc0, 0x80], // overlong NUL (2 bytes)
  [0xe0, 0x80, 0xaf], // overlong / (3 bytes)
  [0xf0, 0x80, 0x80, 0xa3], // overlong # (4 bytes)
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xe2, 0x82], // a truncated sequence
  [0x80], // a lone continuation byte
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x07], // a C0 control
  [0x7f], // DEL
  [0xc2, 0x85], // a C1 control
  [0xef, 0xb7, 0x90], // U+FDD0, a noncharacter
  [0xef, 0xbf, 0xbf], // U+FFFF
  [0xf4, 0x8f, 0xbf, 0xbe], // U+10FFFE
];

/** Text made of valid characters only, so that about half of it passes as a filter and some as a name. */
const WELL_FORMED = ['a', 'b', 'sensor', '/', '/', '+', '#', '$share/', '$SYS', ' ', 'é', '😀', '\uFFFD'];

/** Arbitrary byte strings: well-formed text, text with the interesting bytes above, and raw bytes. */
export const topicBytes = (): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc.array(fc.constantFrom(...WELL_FORMED), { minLength: 1, maxLength: 8 }).map((parts) => new Uint8Array(Buffer.from(parts.join(''), 'utf8'))),
    fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => bytesOf(...parts)),
    fc.uint8Array({ maxLength: 24 }),
  );
