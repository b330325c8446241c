import { defineConfig } from 'vitest/config';

// One vitest run over every workspace; each workspace may refine its own settings.
export default defineConfig({
  test: {
    projects: ['generator', 'packages/*', 'test', 'bench'],
    reporters: ['default', './test/support/reporter.ts'],
  },
});
