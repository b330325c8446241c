/**
 * The README tables are generated from the committed bench/results.json, never typed: the
 * root README gets a summary, bench/README.md every table. Each sits between two marker
 * comments; everything else in the files is prose and stays as written.
 *
 *   node --import tsx bench/src/readme.ts          rewrite both from bench/results.json
 *   node --import tsx bench/src/readme.ts --check  exit 1 if either is stale
 *
 * `npm run bench` calls `updateReadmes()` after writing a quiet run's results.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, REPO_ROOT, RESULTS_PATH } from './paths.js';
import { checkTargets, describeLoad, renderReport, withSpread as fmtRatio } from './report.js';

type Results = Record<string, any>;


/** The root README's summary: the headline ratios, the fleet, the generator, and the targets missed. */
export function renderSummary(r: Results): string {
  const m = r.machine;
  const lines = [
    `Latest committed run: \`npm run bench\` on ${r.date.slice(0, 10)}, commit ${m.commit}${m.commit_dirty ? ' (with uncommitted changes)' : ''}, ${m.cores} cores (${m.cpu_model}), Node ${m.node}, mosquitto ${m.mosquitto ?? 'absent'}. Load: ${describeLoad(r)}.`,
    '',
    '| broker | QoS 0 emulated/raw | QoS 1 emulated/raw | latency p50 emulated/raw | latency p99 emulated/raw |',
    '|---|---|---|---|---|',
  ];
  for (const [broker, b] of Object.entries<any>(r.runtime ?? {})) {
    if (broker === 'settings') continue;
    lines.push(
      `| ${broker} | ${fmtRatio(b.qos0.ratio, b.qos0.ratio_min, b.qos0.ratio_max)} | ${fmtRatio(b.qos1.ratio, b.qos1.ratio_min, b.qos1.ratio_max)} | ` +
        `${fmtRatio(b.latency_p50_ratio, b.latency_p50_ratio_min, b.latency_p50_ratio_max)} | ${fmtRatio(b.latency_p99_ratio, b.latency_p99_ratio_min, b.latency_p99_ratio_max)} |`,
    );
  }
  const reps = r.runtime?.settings?.reps;
  lines.push('', `Ratios: median over ${reps ?? '?'} repetitions (min–max in brackets where the run recorded them); throughput above 1 is better, latency below 1.`);
  const fleet = Object.entries<any>(r.fleet ?? {}).filter(([n]) => /^\d+$/.test(n));
  if (fleet.length) {
    lines.push('', '| fleet devices | all connected (s) | lost | RSS MB/device |', '|---|---|---|---|');
    for (const [n, f] of fleet) lines.push(`| ${Number(n).toLocaleString('en-US')} | ${f.connect_s} | ${f.lost} | ${f.rss_mb_per_device} |`);
  }
  const g = r.generator;
  if (g) lines.push('', `Generator: full generation ${Math.round(g.full_ms)} ms, no-change regeneration ${Math.round(g.noop_ms)} ms (cold processes).`);
  const missed = checkTargets(r).filter((t) => t.met === false);
  lines.push('', missed.length ? `Targets missed: ${missed.map((t) => `${t.name} ${t.shown ?? t.value} (goal ${t.target})`).join('; ')}.` : 'Every target met.');
  return lines.join('\n');
}

interface Block {
  file: string;
  name: string;
  render: (r: Results) => string;
}

const BLOCKS: Block[] = [
  { file: join(REPO_ROOT, 'README.md'), name: 'summary', render: renderSummary },
  { file: join(BENCH_DIR, 'README.md'), name: 'tables', render: (r) => renderReport(r, { title: false }).trim() },
];

const begin = (name: string) => `<!-- bench:${name}:begin — generated from bench/results.json by bench/src/readme.ts; do not edit by hand -->`;
const end = (name: string) => `<!-- bench:${name}:end -->`;

/** The file's text with its block replaced by `body`; throws if the markers are missing. */
function replaceBlock(text: string, b: Block, body: string): string {
  const a = text.indexOf(begin(b.name));
  const z = text.indexOf(end(b.name));
  if (a < 0 || z < a) throw new Error(`${relative(REPO_ROOT, b.file)}: the markers ${begin(b.name)} … ${end(b.name)} are missing`);
  return text.slice(0, a) + begin(b.name) + '\n' + body + '\n' + text.slice(z);
}

function readResults(path: string): Results {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Rewrites the README blocks from results.json; returns the files it changed. */
export function updateReadmes(resultsPath = RESULTS_PATH): string[] {
  const r = readResults(resultsPath);
  const changed: string[] = [];
  for (const b of BLOCKS) {
    const text = readFileSync(b.file, 'utf8');
    const next = replaceBlock(text, b, b.render(r));
    if (next !== text) {
      writeFileSync(b.file, next);
      changed.push(relative(REPO_ROOT, b.file));
    }
  }
  return changed;
}

/** The README files whose block differs from what results.json gives. */
export function staleReadmes(resultsPath = RESULTS_PATH): string[] {
  const r = readResults(resultsPath);
  return BLOCKS.filter((b) => {
    const text = readFileSync(b.file, 'utf8');
    return replaceBlock(text, b, b.render(r)) !== text;
  }).map((b) => relative(REPO_ROOT, b.file));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (process.argv.includes('--check')) {
      const stale = staleReadmes();
      for (const f of stale) console.error(`${f}: benchmark tables differ from bench/results.json (run: node --import tsx bench/src/readme.ts)`);
      process.exitCode = stale.length ? 1 : 0;
    } else {
      const changed = updateReadmes();
      console.log(changed.length ? `updated ${changed.join(', ')}` : 'README tables already match bench/results.json');
    }
  } catch (err) {
    console.error(`readme: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
