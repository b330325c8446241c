/**
 * Golden scenarios: for a representative set of declarations, a Markdown page with the spec
 * fragment and the TypeScript the `ts` target prints for it (test/golden/*.md, reviewed by eye).
 * A change in either shows up as a diff here. Update after a deliberate change with
 * `npx vitest run --project sdk -u` and read the diff before committing it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, renderTsItem, specModel } from './support.js';

interface Scenario {
  kind: 'function' | 'struct' | 'enum' | 'handle';
  name: string;
  /** Why this declaration is in the set. */
  why: string;
}

const SCENARIOS: Scenario[] = [
  {
    kind: 'function',
    name: 'mvMqttRequestConnect',
    why: 'A syscall: the `MvSyscalls` member with its JSDoc (parameters with directions, each status and when, notifications, readable data, limits) and the status type built from its error table.',
  },
  {
    kind: 'struct',
    name: 'MvMqttSubscribeResponse',
    why: 'A struct of pointers the kernel writes through: scalar outputs become `MvOut` boxes, the reason-code array a `Uint32Array` with its byte size kept beside it.',
  },
  {
    kind: 'struct',
    name: 'MvMqttConnectRequest',
    why: 'A struct nesting structs by value and pointing to optional structs (`tls_credentials`, `will`), whose factory zeroes the whole tree.',
  },
  {
    kind: 'enum',
    name: 'MvMqttAuthenticationMethod',
    why: 'An enum whose `__MAX` sentinel is 0xff, so it takes 1 byte on the device: the sentinel is exported but is not a value of the type.',
  },
  {
    kind: 'struct',
    name: 'MvOpenChannelParams',
    why: 'A versioned struct: `version` plus the anonymous union\'s named member `v1`, required since there is only one version.',
  },
  {
    kind: 'struct',
    name: 'MvNotification',
    why: 'A record the kernel writes into raw memory (the notification ring): besides the interface, a codec in the device layout.',
  },
];

/** The item as the spec file declares it, found through the model's JSON pointer. */
function specFragment(kind: Scenario['kind'], name: string): { file: string; pointer: string; json: unknown } {
  const model = specModel();
  const item = kind === 'function' ? model.fn(name) : kind === 'struct' ? model.struct(name) : kind === 'enum' ? model.enum(name) : model.typedef(name);
  const { file, pointer } = item.source;
  let json: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'api-spec/spec', file), 'utf8'));
  for (const part of pointer.split('/').slice(1)) json = (json as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return { file, pointer, json };
}

function page(s: Scenario): string {
  const fragment = specFragment(s.kind, s.name);
  return [
    `# \`${s.name}\` (${s.kind})`,
    '',
    s.why,
    '',
    `## Spec: \`api-spec/spec/${fragment.file}#${fragment.pointer}\``,
    '',
    '```json',
    JSON.stringify(fragment.json, null, 2),
    '```',
    '',
    '## TypeScript',
    '',
    '```ts',
    renderTsItem(specModel(), s.kind, s.name).trimEnd(),
    '```',
    '',
  ].join('\n');
}

describe('golden declarations', () => {
  it.each(SCENARIOS.map((s) => [`${s.kind} ${s.name}`, s] as const))('%s', async (_label, scenario) => {
    await expect(page(scenario)).toMatchFileSnapshot(`golden/${scenario.kind}-${scenario.name}.md`);
  });
});
