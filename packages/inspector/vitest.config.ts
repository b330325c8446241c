import { defineProject } from 'vitest/config';

// The browser suite starts the demo and a headless chromium: keep the limits generous.
export default defineProject({
  test: {
    name: 'inspector',
    include: ['test/**/*.test.ts'],
    setupFiles: ['../../test/support/loopback-dns.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
