/** The published shape: an ESM build with declarations, and a manifest that exposes only it. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { SDK_DIR } from './support.js';

const manifest = JSON.parse(readFileSync(join(SDK_DIR, 'package.json'), 'utf8'));

describe('package.json', () => {
  it('is an ESM package whose exports map points at the built JS and its types', () => {
    expect(manifest.name).toBe('@mvmqtt/sdk');
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
    expect(manifest.files).toContain('dist');
    expect(manifest.engines.node).toMatch(/^>=20/);
    expect(manifest.scripts.build).toMatch(/tsc -p tsconfig\.json$/);
  });
});

describe('build', () => {
  const out = mkdtempSync(join(tmpdir(), 'mvmqtt-sdk-build-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('emits ESM with .d.ts that Node imports', async () => {
    // The package's own tsconfig, emitted into a scratch directory so dist/ is left to the build.
    const parsed = ts.getParsedCommandLineOfConfigFile(join(SDK_DIR, 'tsconfig.json'), { outDir: out, declarationMap: false, sourceMap: false }, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    })!;
    const result = ts.createProgram(parsed.fileNames, parsed.options).emit();
    expect(result.diagnostics).toEqual([]);
    for (const f of ['index.js', 'index.d.ts', 'generated/syscalls.d.ts', 'generated/metadata.js']) expect(existsSync(join(out, f)), f).toBe(true);

    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
    const sdk = await import(pathToFileURL(join(out, 'index.js')).href);
    expect(sdk.MV_STATUS_LATEFAULT).toBe(19);
    expect(sdk.FUNCTIONS.mvMqttRequestConnect.area).toBe('mqtt');
    expect(typeof sdk.decodeMvNotification).toBe('function');
    expect(sdk.out(3)).toEqual({ value: 3 });
    expect(readFileSync(join(out, 'generated/syscalls.d.ts'), 'utf8')).toContain('export interface MvSyscalls');
  });
});
