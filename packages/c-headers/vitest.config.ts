import { defineProject } from 'vitest/config';

// Every suite runs real compilers (host, Cortex-M33 cross, cmake): give them time on a busy machine.
export default defineProject({
  test: {
    name: 'c-headers',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
