/**
 * System tools some suites need (brokers, compilers). A suite declares them with
 * `describeWithTools`: it runs when they are installed, is skipped loudly when not
 * (the reporter lists it with the apt command), and fails under MVMQTT_REQUIRE_ALL=1,
 * which CI sets so that nothing is ever skipped there.
 */
import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

export type Tool = 'mosquitto' | 'mosquitto_pub' | 'clang' | 'clang++' | 'gcc' | 'g++' | 'arm-none-eabi-gcc' | 'arm-none-eabi-g++' | 'arm-none-eabi-nm' | 'cmake' | 'openssl' | 'chromium';

/** The Debian package that provides each tool. */
export const APT_PACKAGE: Record<Tool, string> = {
  mosquitto: 'mosquitto',
  mosquitto_pub: 'mosquitto-clients',
  clang: 'clang',
  'clang++': 'clang',
  gcc: 'gcc',
  'g++': 'g++',
  'arm-none-eabi-gcc': 'gcc-arm-none-eabi libnewlib-arm-none-eabi',
  'arm-none-eabi-g++': 'gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib',
  'arm-none-eabi-nm': 'binutils-arm-none-eabi',
  cmake: 'cmake',
  openssl: 'openssl',
  chromium: 'chromium',
};

const cache = new Map<Tool, boolean>();
export function hasTool(tool: Tool): boolean {
  let ok = cache.get(tool);
  if (ok === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      ok = true;
    } catch {
      ok = false;
    }
    cache.set(tool, ok);
  }
  return ok;
}

export function missingTools(tools: Tool[]): Tool[] {
  return tools.filter((t) => !hasTool(t));
}

export const requireAll = (): boolean => process.env.MVMQTT_REQUIRE_ALL === '1';

export function aptCommand(tools: Tool[]): string {
  const pkgs = [...new Set(tools.flatMap((t) => APT_PACKAGE[t].split(' ')))].sort();
  return `sudo apt-get install -y ${pkgs.join(' ')}`;
}

/** `describe` that needs system tools. The `[needs: …]` tag is what the reporter looks for. */
export function describeWithTools(tools: Tool[], name: string, fn: () => void): void {
  const missing = missingTools(tools);
  if (!missing.length) {
    describe(name, fn);
    return;
  }
  if (requireAll()) {
    describe(name, () => {
      it(`has its tools (${missing.join(', ')})`, () => {
        throw new Error(`MVMQTT_REQUIRE_ALL=1 but ${missing.join(', ')} is not installed: ${aptCommand(missing)}`);
      });
    });
    return;
  }
  describe.skip(`${name} [needs: ${missing.join(' ')}]`, fn);
}
