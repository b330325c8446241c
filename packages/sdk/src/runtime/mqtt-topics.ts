/**
 * What MQTT allows as a topic name (PUBLISH) and a topic filter (SUBSCRIBE, UNSUBSCRIBE), and
 * the status a request carrying anything else gets. Both runtimes (the device core and the mock)
 * and the high-level client ask this one module, so they refuse the same bytes for the same reason.
 *
 * The rules are MQTT's (3.1.1 §1.5.3 and §4.7, 5.0 §1.5.4 and §4.7): a string of well-formed
 * UTF-8 without U+0000, at least one character, at most 65535 bytes (a 16-bit length prefix);
 * names carry no wildcard; in a filter `#` is the whole last level and `+` a whole level.
 * Control characters and Unicode noncharacters are refused too: MQTT says a sender should not
 * use them and lets the receiver close the connection over them (mosquitto does), which would
 * end the session over one bad call.
 */
import { LIMITS } from '../generated/metadata.js';
import { MV_STATUS_PARAMETERFAULT } from '../generated/enums.js';
import type { MvStatus } from '../generated/enums.js';
import type { MvSizedString } from '../generated/structs.js';

// Every JavaScript runtime the SDK supports has this global; the SDK compiles without DOM or
// Node types, so it is declared here, as far as this module uses it.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };

/** A name is what a message is published to; a filter is what a subscription matches. */
export type TopicKind = 'name' | 'filter';

export interface TopicProblem {
  /** The status the request call returns: the spec's limit status for length, PARAMETERFAULT otherwise. */
  readonly status: MvStatus;
  /** What is wrong, in words a user can act on (no topic text: it may be binary). */
  readonly reason: string;
}

const LENGTH_LIMIT = LIMITS.MQTT_TOPIC_LENGTH_MAX;
const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const SHARE_PREFIX = '$share/';
const encoder = new TextEncoder();

const malformed = (reason: string): TopicProblem => ({ status: MV_STATUS_PARAMETERFAULT, reason });
const NOT_UTF8 = malformed('is not well-formed UTF-8');
const LONE_SURROGATE = malformed('is not well-formed UTF-8 (it holds an unpaired surrogate)');
const WILDCARD_IN_NAME = malformed('holds a wildcard (+ or #), which only topic filters may use');

/** What one pass over the text found: its UTF-8 length and the first code point MQTT does not allow. */
interface Scan {
  byteLength: number;
  problem: TopicProblem | undefined;
}

/**
 * U+0000 is forbidden; C0 and C1 controls and noncharacters are what a broker may close the
 * connection over. (Hand-written rather than a Unicode regex: this runs on every publish.)
 */
function codePointProblem(cp: number): TopicProblem | undefined {
  if (cp === 0) return malformed('holds the character U+0000, which MQTT forbids');
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe)
    return malformed(`holds U+${cp.toString(16).toUpperCase().padStart(4, '0')}, a control character or noncharacter a broker may close the connection over`);
  return undefined;
}

/** Decodes UTF-8 strictly (no overlongs, surrogates or values past U+10FFFF), checking each code point. */
function scanBytes(b: Uint8Array): Scan {
  const n = b.byteLength;
  for (let i = 0; i < n; ) {
    const b0 = b[i];
    // The lead byte gives the sequence length and the first bits of the code point.
    let cp = b0;
    let len = 1;
    if (b0 >= 0x80) {
      if (b0 >= 0xc2 && b0 <= 0xdf) len = 2;
      else if (b0 >= 0xe0 && b0 <= 0xef) len = 3;
      else if (b0 >= 0xf0 && b0 <= 0xf4) len = 4;
      else return { byteLength: n, problem: NOT_UTF8 };
      cp = b0 & (0x7f >> len);
    }
    if (i + len > n) return { byteLength: n, problem: NOT_UTF8 };
    for (let k = 1; k < len; k++) {
      const c = b[i + k];
      if ((c & 0xc0) !== 0x80) return { byteLength: n, problem: NOT_UTF8 };
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff))) return { byteLength: n, problem: NOT_UTF8 };
    const problem = codePointProblem(cp);
    if (problem) return { byteLength: n, problem };
    i += len;
  }
  return { byteLength: n, problem: undefined };
}

/** The UTF-8 length of a JavaScript string and its first problem; an unpaired surrogate has no UTF-8 at all. */
function scanString(s: string): Scan & { loneSurrogate: boolean } {
  let byteLength = 0;
  let problem: TopicProblem | undefined;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (cp > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return { byteLength, problem: LONE_SURROGATE, loneSurrogate: true };
      cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    byteLength += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    problem ??= codePointProblem(cp);
  }
  return { byteLength, problem, loneSurrogate: false };
}

/** The verdict once the text is scanned: emptiness and length first, then the characters, then wildcards. */
function judge(kind: TopicKind, topic: string | Uint8Array, scan: Scan): TopicProblem | undefined {
  if (scan.byteLength === 0) return malformed(`is empty; a topic ${kind} needs at least one character`);
  if (scan.byteLength > LENGTH_LIMIT.value) return { status: LENGTH_LIMIT.status, reason: `is ${scan.byteLength} bytes long; MQTT carries at most ${LENGTH_LIMIT.value}` };
  if (scan.problem) return scan.problem;
  const code = typeof topic === 'string' ? (i: number) => topic.charCodeAt(i) : (i: number) => topic[i];
  const length = typeof topic === 'string' ? topic.length : topic.byteLength;
  if (kind === 'name') {
    for (let i = 0; i < length; i++) if (code(i) === PLUS || code(i) === HASH) return WILDCARD_IN_NAME;
    return undefined;
  }
  return filterProblem(code, length);
}

/** Why `topic` cannot be sent as a topic `kind`, or undefined when MQTT allows it. */
export function topicProblem(kind: TopicKind, topic: string | Uint8Array): TopicProblem | undefined {
  if (typeof topic === 'string') {
    const scan = scanString(topic);
    return scan.loneSurrogate ? LONE_SURROGATE : judge(kind, topic, scan);
  }
  // Too long is decided before looking at the bytes (and spares scanning them).
  if (topic.byteLength > LENGTH_LIMIT.value) return judge(kind, topic, { byteLength: topic.byteLength, problem: undefined });
  return judge(kind, topic, scanBytes(topic));
}

/**
 * Why the `MvSizedString` a request carries cannot be sent as a topic `kind`. The caller has
 * already checked that its pointer is readable; a JavaScript string is judged as the UTF-8 it
 * stands for (an unpaired surrogate in it is not UTF-8 at all).
 */
export function sizedTopicProblem(kind: TopicKind, topic: MvSizedString): TopicProblem | undefined {
  const { data, length } = topic;
  if (length === 0 || data === null) return topicProblem(kind, new Uint8Array(0));
  if (typeof data === 'string') {
    const scan = scanString(data);
    if (scan.loneSurrogate) return LONE_SURROGATE;
    // The usual case, the whole string; otherwise its first `length` UTF-8 bytes.
    return scan.byteLength === length ? judge(kind, data, scan) : topicProblem(kind, encoder.encode(data).subarray(0, length));
  }
  return topicProblem(kind, data.subarray(0, length));
}

/** Wildcard placement in a filter, including the shared-subscription form `$share/<group>/<filter>`. */
function filterProblem(code: (i: number) => number, length: number): TopicProblem | undefined {
  let shared = length >= SHARE_PREFIX.length;
  for (let i = 0; shared && i < SHARE_PREFIX.length; i++) shared = code(i) === SHARE_PREFIX.charCodeAt(i);
  if (!shared) return wildcardProblem(code, 0, length);
  const groupStart = SHARE_PREFIX.length;
  let end = groupStart;
  while (end < length && code(end) !== SLASH) end++;
  if (end === groupStart || end >= length - 1) return malformed('is a shared subscription ($share/<group>/<filter>) without a group or a filter');
  for (let i = groupStart; i < end; i++) if (code(i) === PLUS || code(i) === HASH) return malformed('is a shared subscription whose group name holds a wildcard');
  return wildcardProblem(code, end + 1, length);
}

/** `#` only as the whole last level, `+` only as a whole level, in the filter from `from` to `length`. */
function wildcardProblem(code: (i: number) => number, from: number, length: number): TopicProblem | undefined {
  let levelStart = from;
  for (let i = from; i <= length; i++) {
    if (i < length && code(i) !== SLASH) continue;
    for (let j = levelStart; j < i; j++) {
      const alone = i - levelStart === 1;
      if (code(j) === HASH && !(alone && i === length)) return malformed('uses # other than as the whole last level (a/#)');
      if (code(j) === PLUS && !alone) return malformed('uses + other than as a whole level (a/+/b)');
    }
    levelStart = i + 1;
  }
  return undefined;
}
