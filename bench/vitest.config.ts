import { defineProject } from 'vitest/config';

// Smoke tests of the bench machinery only: they never assert on timings.
export default defineProject({
  test: { name: 'bench', include: ['test/**/*.test.ts'], setupFiles: ['../test/support/loopback-dns.ts'], testTimeout: 120_000, hookTimeout: 60_000 },
});
