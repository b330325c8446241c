/**
 * Vitest reporter that adds what CI and people need at the end of `npm test`:
 * a loud list of suites skipped for missing system tools (with the one apt command that
 * enables them) or for a missing `../shared` part, and a plain `N passed, N failed, N skipped` line.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { SHARED_HINT } from './shared.js';
import { APT_PACKAGE, aptCommand, type Tool } from './tools.js';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const needs = new Map<string, Set<Tool>>();
    const needsShared = new Map<string, string[]>();
    for (const m of modules) {
      // A file that failed to load, or whose hook failed while its tests were skipped.
      if (m.state() === 'failed' && ![...m.children.allTests()].some((t) => t.result().state === 'failed')) failed++;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
        const tag = /\[needs: ([^\]]+)\]/.exec(t.fullName);
        if (tag) {
          const suite = t.fullName.slice(0, tag.index + tag[0].length);
          const wanted = tag[1].split(' ');
          const shared = wanted.filter((w) => w.startsWith('../shared/'));
          if (shared.length) needsShared.set(suite, shared);
          const tools = wanted.filter((w): w is Tool => w in APT_PACKAGE);
          if (tools.length) needs.set(suite, new Set([...(needs.get(suite) ?? []), ...tools]));
        }
      }
    }
    const lines: string[] = [];
    if (needs.size) {
      const all = new Set<Tool>();
      lines.push('', '!'.repeat(78), `!!! SKIPPED ${needs.size} suite(s): system tools are missing on this machine`);
      for (const [suite, tools] of needs) {
        tools.forEach((t) => all.add(t));
        lines.push(`!!!   ${suite}`);
      }
      lines.push(`!!! Enable them with: ${aptCommand([...all])}`, '!'.repeat(78));
    }
    if (needsShared.size) {
      lines.push('', '!'.repeat(78), `!!! SKIPPED ${needsShared.size} suite(s): ../shared is not beside the repository`);
      for (const suite of needsShared.keys()) lines.push(`!!!   ${suite}`);
      lines.push(`!!! Enable them: ${SHARED_HINT}`, '!'.repeat(78));
    }
    lines.push('', `${passed} passed, ${failed} failed, ${skipped} skipped`);
    console.log(lines.join('\n'));
    mkdirSync('.cache', { recursive: true });
    writeFileSync('.cache/test-summary.json', JSON.stringify({ passed, failed, skipped, skippedForTools: [...needs.keys()], skippedForShared: [...needsShared.keys()] }));
  }
}
