/**
 * The HTML report of a real tiny run, opened in headless Chromium: the rendered DOM has every section and its SVG
 * charts, a hostile seed prompt stays text (no script runs, nothing is injected), and a screenshot renders.
 * Chromium comes from CHROMIUM_PATH or PATH; without it the test fails when CI is set and is skipped loudly
 * otherwise (.ci/run installs it).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { renderReport } from '../client/report/render';
import { runCredit } from '../core/contracts/run-record-credit';
import type { StepRecord } from '../core/contracts/run-record';
import { assembleRunRecord } from '../client/run-record';
import { tempHome, tinySearchYaml } from './support/evaluation';
import { useTestEnv } from './support/temporal';
import { runTinySearch } from './support/tiny-run';
import { findChromium } from './support/host';

const run = promisify(execFile);

const inCi = () => !!process.env.CI && !['false', '0'].includes(process.env.CI.trim().toLowerCase());
const chromium = findChromium();
if (!chromium) {
  if (inCi()) throw new Error('CI is set but no Chromium was found (CHROMIUM_PATH or PATH): the report browser test must not be skipped in CI');
  console.warn('\n################################################################\n  SKIPPING the report browser test: no Chromium found.\n  Install chromium or set CHROMIUM_PATH.\n################################################################\n');
}

const HOSTILE = 'Be concise. <script>document.title="pwned"</script><img src=x onerror="document.title=1"> Solve: {{question}}';
const YAML = tinySearchYaml({ name: 'report-search', seed: 6, heldOut: 12, optimize: '{ rounds: 2, stepsPerRound: 2, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }' }).replace(
  '"Be concise. Solve: {{question}}"',
  JSON.stringify(HOSTILE),
);

const testEnv = useTestEnv();

async function browser(args: string[], profile: string): Promise<string> {
  const { stdout } = await run(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

(chromium ? test : test.skip)('the report of a real run renders in Chromium with every section and chart, and no injected markup', async () => {
  const e = testEnv();
  if (!e) return;
  const id = `report-${Date.now()}`;
  const dir = tempHome();
  await runTinySearch(e, { id, yaml: YAML, cacheDir: path.join(dir, 'cache') });
  const record = await assembleRunRecord(e.client, id);
  expect(record.seedPrompts.solver).toBe(HOSTILE);
  // Every evaluated candidate's per-item verdicts are in the record (read from its workflow's result): the edge credit.
  for (const s of record.units.filter((u): u is StepRecord => u.kind === 'step')) {
    const evaluated = s.parents!.flatMap((p, i) => p.scored.flatMap((c, j) => (c.R === null ? [] : [`${i}/${j}`])));
    expect((s.verdicts ?? []).map((v) => `${v.parent}/${v.candidate}`).sort()).toEqual(evaluated.sort());
  }
  const credit = runCredit(record);
  expect(credit.evaluationsWithVerdicts).toBe(credit.evaluations);
  expect(credit.edges[0]).toMatchObject({ from: 'solver', to: 'checker', direct: true });
  expect(credit.edges[0].compared).toBeGreaterThan(0);
  const page = renderReport(record);
  const file = path.join(dir, 'report.html');
  writeFileSync(file, page);
  const profile = path.join(dir, 'chromium-profile');
  mkdirSync(profile);

  const dom = await browser(['--virtual-time-budget=2000', '--dump-dom', `file://${file}`], profile);
  for (const section of ['held-out', 'scores', 'rewards', 'credit', 'agent-solver', 'agent-checker', 'spend', 'units']) expect(dom).toContain(`id="${section}"`);
  for (const chart of ['chart-held-out', 'chart-score', 'chart-reward', 'chart-spend']) expect(dom).toMatch(new RegExp(`<svg class="chart ${chart}"[^>]*>[\\s\\S]*?<(circle|rect|polyline)`));
  expect(dom.match(/<svg class="chart lineage-tree"/g)).toHaveLength(2);
  expect(dom.match(/<circle /g)!.length).toBeGreaterThan(10);
  // The hostile seed prompt is text in the parsed page: no element was created from it and no script ran.
  expect(dom).toContain('<title>maspo report · report-search</title>');
  expect(dom).not.toMatch(/<script|<img/i);
  expect(dom).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;');

  const shot = path.join(dir, 'report.png');
  await browser(['--window-size=1280,2400', `--screenshot=${shot}`, `file://${file}`], profile);
  expect(readFileSync(shot).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(statSync(shot).size).toBeGreaterThan(50_000); // a blank 1280×2400 page compresses to a few KB
}, 240_000);
