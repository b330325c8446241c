// The synthetic-spec scaler: the copies must be a valid spec (checked by the real `mvgen
// validate`), N times the size, with every cross-reference pointing into its own copy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scaleSpec } from '../src/generator/scale-spec.js';
import { MVGEN, REAL_SPEC, REPO_ROOT } from '../src/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'mvmqtt-bench-scale-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const specDir = join(REPO_ROOT, 'api-spec', 'spec');
const areaFiles: string[] = read(specDir, 'index.json').areas;

function mvgen(...args: string[]) {
  return spawnSync(process.execPath, [MVGEN, ...args], { encoding: 'utf8', cwd: REPO_ROOT });
}

describe('scaleSpec', () => {
  it('at factor 1 reproduces the real spec', () => {
    const out = join(tmp, 'x1');
    scaleSpec(REAL_SPEC, 1, out);
    for (const f of ['index.json', ...areaFiles]) expect(read(out, f)).toEqual(read(specDir, f));
  });

  it('at factor 3 writes a spec that mvgen validates, three times the size except the shared status enum', () => {
    const out = join(tmp, 'x3');
    const { indexPath } = scaleSpec(REAL_SPEC, 3, out);
    const v = mvgen('validate', indexPath);
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    const statusEnum: string = read(specDir, 'index.json').status_enum;
    for (const f of areaFiles) {
      const orig = read(specDir, f);
      const scaled = read(out, f);
      const ownsStatus = orig.enums?.some((e: { name: string }) => e.name === statusEnum);
      for (const list of ['typedefs', 'enums', 'structs', 'functions', 'limits'])
        if (orig[list]) expect(scaled[list].length, `${f} ${list}`).toBe(orig[list].length * (ownsStatus ? 1 : 3));
    }
  });

  it('points every reference of a copy at the same copy, and keeps the shared status codes', () => {
    const mqtt = read(join(tmp, 'x3'), 'mqtt.json');
    const fn = mqtt.functions.find((f: { name: string }) => f.name === 'mvMqttRequestPublishX3');
    expect(fn).toBeDefined();
    expect(fn.params.map((p: { type: string }) => p.type)).toEqual(['MvChannelHandleX3', 'const struct MvMqttPublishRequestX3 *']);
    expect(fn.produces).toEqual(['MV_MQTTREADABLEDATATYPE_X3_PUBLISHRESPONSE']);
    expect(fn.errors.map((e: { status: string }) => e.status)).toContain('MV_STATUS_RATELIMITED');
    expect(Number.parseInt(fn.nsc_address, 16) & 1).toBe(1);
    const limit = mqtt.limits.find((l: { name: string }) => l.name === 'MQTT_TOPICS_PER_REQUEST_MAX_X2');
    expect(limit.applies_to).toEqual(['MvMqttSubscribeRequestX2.num_subscriptions', 'MvMqttUnsubscribeRequestX2.num_topics']);
    expect(limit.functions).toEqual(['mvMqttRequestSubscribeX2', 'mvMqttRequestUnsubscribeX2']);
  });

  it('gives a spec every target can generate from', () => {
    const out = join(tmp, 'gen-x3');
    const r = mvgen('generate', '--quiet', '--spec', join(tmp, 'x3', 'index.json'), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(out).length).toBeGreaterThan(0);
  });
});
