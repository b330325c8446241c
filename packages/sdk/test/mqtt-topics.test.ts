/**
 * The topic validator shared by the device core, the mock and the client, held against MQTT's
 * rules restated independently (test/support/topic-oracle.ts: Node's UTF-8 decoder, mqtt.js's
 * wildcard check), over arbitrary byte strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertySeed } from '../../../test/support/seed.js';
import { bytesOf, mqttAllows as allowed, topicBytes as topicBytesArbitrary } from '../../../test/support/topic-oracle.js';
import { LIMITS, MV_STATUS_PARAMETERFAULT, statusName } from '../src/index.js';
import { sizedTopicProblem, topicProblem, type TopicKind } from '../src/runtime/index.js';

const MAX = LIMITS.MQTT_TOPIC_LENGTH_MAX.value;
const SEED = propertySeed('mqtt topics');
const encode = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const topicBytes = topicBytesArbitrary();
const kinds = fc.constantFrom<TopicKind>('name', 'filter');

describe('topicProblem', () => {
  it('accepts exactly what MQTT allows, for arbitrary bytes', () => {
    fc.assert(
      fc.property(kinds, topicBytes, (kind, b) => {
        const problem = topicProblem(kind, b);
        expect(problem === undefined, `${kind} ${Buffer.from(b).toString('hex')}: ${problem?.reason}`).toBe(allowed(kind, b));
        if (problem) expect(statusName(problem.status)).toBe(statusName(MV_STATUS_PARAMETERFAULT));
      }),
      { numRuns: 5000, seed: SEED },
    );
  });

  it('judges a JavaScript string as its UTF-8; an unpaired surrogate is not UTF-8', () => {
    const chars = fc.constantFrom('a', '/', '+', '#', '\u0000', 'é', '😀', '\uFFFD', '\uD800', '\uDC00', '$share/');
    fc.assert(
      fc.property(kinds, fc.array(chars, { maxLength: 10 }), (kind, parts) => {
        const text = parts.join('');
        const lone = /\p{Cs}/u.test(text);
        const problem = topicProblem(kind, text);
        if (lone) expect(problem?.reason).toMatch(/UTF-8/);
        else expect(problem).toEqual(topicProblem(kind, encode(text)));
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it('holds at most MQTT_TOPIC_LENGTH_MAX bytes; one more is the limit status', () => {
    for (const kind of ['name', 'filter'] as const) {
      expect(topicProblem(kind, 'a'.repeat(MAX))).toBeUndefined();
      expect(topicProblem(kind, 'é'.repeat(MAX / 2 - 1) + 'abc')).toBeUndefined(); // 65535 bytes
      const over = topicProblem(kind, 'é'.repeat(MAX / 2 + 1));
      expect(over && statusName(over.status)).toBe(statusName(LIMITS.MQTT_TOPIC_LENGTH_MAX.status));
      expect(over?.reason).toContain(String(MAX));
    }
  });

  it('names what is wrong', () => {
    expect(topicProblem('name', '')?.reason).toMatch(/empty/);
    expect(topicProblem('name', 'a\u0000b')?.reason).toMatch(/U\+0000/);
    expect(topicProblem('name', bytesOf('a', [0xff]))?.reason).toMatch(/UTF-8/);
    expect(topicProblem('name', 'a/+')?.reason).toMatch(/wildcard/);
    expect(topicProblem('filter', 'a/#/b')?.reason).toMatch(/#/);
    expect(topicProblem('filter', 'a/b+')?.reason).toMatch(/\+/);
    expect(topicProblem('filter', '$share//a')?.reason).toMatch(/shared/);
    for (const ok of ['#', '+', '/', 'a/+/b', 'a/#', '+/+', '$share/g/a/#', '$SYS/#'] as const) expect(topicProblem('filter', ok), ok).toBeUndefined();
  });
});

describe('sizedTopicProblem', () => {
  it('judges only the `length` bytes an MvSizedString names', () => {
    fc.assert(
      fc.property(kinds, topicBytes, fc.uint8Array({ maxLength: 4 }), (kind, b, tail) => {
        const data = new Uint8Array([...b, ...tail]);
        expect(sizedTopicProblem(kind, { data, length: b.byteLength })).toEqual(topicProblem(kind, b));
      }),
      { numRuns: 2000, seed: SEED },
    );
    expect(sizedTopicProblem('name', { data: null, length: 0 })?.reason).toMatch(/empty/);
    expect(sizedTopicProblem('name', { data: 'a/b\uD800', length: 3 })?.reason).toMatch(/UTF-8/);
  });
});
