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

// Every JavaScript runtime the SDK supports has these globals; the SDK compiles without DOM or
// Node types, so they are declared here, as far as this module uses them.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new (label: 'utf-8', options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };

/** A name is what a message is published to; a filter is what a subscription matches. */
export type TopicKind = 'name' | 'filter';

export interface TopicProblem {
  /** The status the request call returns: the spec's limit status for length, PARAMETERFAULT otherwise. */
  readonly status: MvStatus;
  /** What is wrong, in words a user can act on (no topic text: it may be binary). */
  readonly reason: string;
}

const LENGTH_LIMIT = LIMITS.MQTT_TOPIC_LENGTH_MAX;
const NUL = 0x00;
const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const SHARE_PREFIX = new TextEncoder().encode('$share/');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
/** A UTF-16 code unit with no partner: JavaScript can hold it, UTF-8 cannot encode it. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Code points a broker may drop the connection over: C0 and C1 controls, and noncharacters. */
const DISCOURAGED = /[\p{Cc}\p{Noncharacter_Code_Point}]/u;

const malformed = (reason: string): TopicProblem => ({ status: MV_STATUS_PARAMETERFAULT, reason });

/** Why `topic` cannot be sent as a topic `kind`, or undefined when MQTT allows it. */
export function topicProblem(kind: TopicKind, text: string | Uint8Array): TopicProblem | undefined {
  if (typeof text === 'string' && LONE_SURROGATE.test(text)) return malformed('is not well-formed UTF-8 (it holds an unpaired surrogate)');
  const topic = typeof text === 'string' ? encoder.encode(text) : text;
  if (topic.byteLength === 0) return malformed(`is empty; a topic ${kind} needs at least one character`);
  if (topic.byteLength > LENGTH_LIMIT.value)
    return { status: LENGTH_LIMIT.status, reason: `is ${topic.byteLength} bytes long; MQTT carries at most ${LENGTH_LIMIT.value}` };
  let decoded: string;
  try {
    decoded = strictUtf8.decode(topic);
  } catch {
    return malformed('is not well-formed UTF-8');
  }
  if (topic.includes(NUL)) return malformed('holds the character U+0000, which MQTT forbids');
  const discouraged = DISCOURAGED.exec(decoded);
  if (discouraged) return malformed(`holds U+${discouraged[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, a control character or noncharacter a broker may close the connection over`);
  if (kind === 'name') return topic.includes(PLUS) || topic.includes(HASH) ? malformed('holds a wildcard (+ or #), which only topic filters may use') : undefined;
  return filterProblem(topic);
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
    if (LONE_SURROGATE.test(data)) return topicProblem(kind, data);
    return topicProblem(kind, encoder.encode(data).subarray(0, length));
  }
  return topicProblem(kind, data.subarray(0, length));
}

/** Wildcard placement in a filter, including the shared-subscription form `$share/<group>/<filter>`. */
function filterProblem(filter: Uint8Array): TopicProblem | undefined {
  if (startsWith(filter, SHARE_PREFIX)) {
    const rest = filter.subarray(SHARE_PREFIX.byteLength);
    const end = rest.indexOf(SLASH);
    const group = end < 0 ? rest : rest.subarray(0, end);
    if (group.byteLength === 0 || end < 0 || end === rest.byteLength - 1) return malformed('is a shared subscription ($share/<group>/<filter>) without a group or a filter');
    if (group.includes(PLUS) || group.includes(HASH)) return malformed('is a shared subscription whose group name holds a wildcard');
    return wildcardProblem(rest.subarray(end + 1));
  }
  return wildcardProblem(filter);
}

/** `#` only as the whole last level, `+` only as a whole level. */
function wildcardProblem(filter: Uint8Array): TopicProblem | undefined {
  let levelStart = 0;
  for (let i = 0; i <= filter.byteLength; i++) {
    if (i < filter.byteLength && filter[i] !== SLASH) continue;
    const level = filter.subarray(levelStart, i);
    const alone = level.byteLength === 1;
    if (level.includes(HASH) && !(alone && i === filter.byteLength)) return malformed('uses # other than as the whole last level (a/#)');
    if (level.includes(PLUS) && !alone) return malformed('uses + other than as a whole level (a/+/b)');
    levelStart = i + 1;
  }
  return undefined;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.byteLength >= prefix.byteLength && prefix.every((b, i) => bytes[i] === b);
}
