import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'sdk',
    include: ['test/**/*.test.ts'],
    // Compiling the package and the generator's output with tsc takes a few seconds on a busy machine.
    testTimeout: 60_000,
    // `expectTypeOf` assertions in *.test-d.ts run through tsc and fail like any other test.
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test-d.ts'],
      tsconfig: './test/types/tsconfig.json',
    },
  },
});
