import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// Broker suites start real brokers and wait for real timeouts: keep the limits generous.
// The SDK is read from its sources, so a regenerated SDK is tested without a rebuild.
export default defineProject({
  resolve: {
    alias: [
      { find: /^@mvmqtt\/sdk$/, replacement: fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)) },
      { find: /^@mvmqtt\/sdk\/runtime$/, replacement: fileURLToPath(new URL('../sdk/src/runtime/index.ts', import.meta.url)) },
    ],
  },
  test: {
    name: 'device',
    include: ['test/**/*.test.ts'],
    // Loopback only: names other than localhost fail resolution locally (NXDOMAIN tests included).
    setupFiles: ['../../test/support/loopback-dns.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
