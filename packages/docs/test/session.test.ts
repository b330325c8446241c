/**
 * The session page is derived from the spec's data (handles, produces/consumes, notifications),
 * not written by hand. Check that what it derives is the order the vendor's demos follow, and
 * that each readable item is paired with the reader the raw spec names.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Page, readJson, readReference, REPO } from './support/reference.js';

const specFile = (f: string) => readJson(join(REPO, 'api-spec/spec', f));
const functions: any[] = specFile('index.json').areas.flatMap((a: string) => specFile(a).functions);

let page: Page;
let diagram: string[];
beforeAll(() => {
  page = readReference().get('session.md')!;
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(page.source);
  diagram = m ? m[1].split('\n').map((l) => l.trim()) : [];
});

const callIndex = (name: string) => diagram.findIndex((l) => l === `App->>MV: ${name}()`);

describe('the session page', () => {
  it('names every function of the spec', () => {
    for (const f of functions) expect(page.source, f.name).toContain(`[\`${f.name}\`](functions/${f.name}.md)`);
  });

  it('orders a whole MQTT session as the vendor demos run it', () => {
    const order = [
      'mvSetupNotifications',
      'mvRequestNetwork',
      'mvOpenChannel',
      'mvMqttRequestConnect',
      'mvMqttReadConnectResponse',
      'mvMqttRequestSubscribe',
      'mvMqttReadSubscribeResponse',
      'mvMqttRequestPublish',
      'mvMqttReadPublishResponse',
      'mvMqttReceiveMessage',
      'mvMqttAcknowledgeMessage',
      'mvMqttRequestDisconnect',
      'mvMqttReadDisconnectResponse',
      'mvCloseChannel',
      'mvReleaseNetwork',
      'mvCloseNotifications',
    ];
    const at = order.map(callIndex);
    for (const [i, n] of at.entries()) expect(n, order[i]).toBeGreaterThan(0);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('follows each request with its event, the readable type reported and the reader the spec names', () => {
    for (const f of functions.filter((x) => x.produces?.length)) {
      const i = callIndex(f.name);
      for (const item of f.produces) {
        const reader = functions.find((x) => x.consumes === item);
        const seq = diagram.slice(i + 1);
        const event = seq.findIndex((l) => l === `MV--)App: ${f.notifications[0].event}`);
        const reported = seq.findIndex((l) => l === `MV-->>App: ${item}`);
        const read = seq.findIndex((l) => l === `App->>MV: ${reader.name}()`);
        expect(event, `${f.name}: event`).toBeGreaterThanOrEqual(0);
        expect(reported, `${f.name}: ${item}`).toBeGreaterThan(event);
        expect(read, `${f.name}: ${reader.name}`).toBeGreaterThan(reported);
      }
    }
  });

  it('shows data that arrives without a request in a loop of its own', () => {
    const unsolicited = functions
      .filter((f) => f.consumes)
      .map((f) => f.consumes)
      .filter((c: string) => !functions.some((f) => f.produces?.includes(c)));
    expect(unsolicited.length).toBeGreaterThan(0);
    for (const c of unsolicited) expect(diagram, c).toContain(`loop whenever Microvisor queues ${c}`);
  });
});
