/**
 * `maspo report --compare` on two real tiny searches (simulator, dev server), same held-out items, different search
 * settings: the run records carry each held-out evaluation's per-item outcomes, the comparison pairs the two runs'
 * optimized prompts on all shared items with the figures the evaluations' own results give, and the real CLI
 * writes the page from two workflow ids (an unknown id is a one-line error, exit 2, no file). With Chromium the
 * page is opened headless and checked; MASPO_WRITE_SCREENSHOT=1 also writes the README's picture
 * (docs/img/report-compare.png).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { comparePaired } from '../core/common/paired-stats';
import type { EvaluateResult } from '../core/contracts/evaluate';
import { heldOutItemsOf } from '../core/contracts/held-out-items';
import { compareRuns } from '../client/report/compare/model';
import { renderComparison } from '../client/report/compare/render';
import { assembleRunRecord } from '../client/run-record';
import { tempHome, tinySearchYaml } from './support/evaluation';
import { findChromium } from './support/host';
import { spawnCli } from './support/processes';
import { useTestEnv } from './support/temporal';
import { runTinySearch } from './support/tiny-run';

const HELD_OUT = 30;
const yaml = (name: string, optimize: string) => tinySearchYaml({ name, seed: 8, heldOut: HELD_OUT, optimize });
const A = yaml('compare-one-round', '{ rounds: 1, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }');
const B = yaml('compare-two-rounds', '{ rounds: 2, stepsPerRound: 2, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }');

const testEnv = useTestEnv();
const chromium = findChromium();
const run = promisify(execFile);

test('two real runs compared: per-item outcomes recorded, optimized prompts paired on every shared item, CLI from workflow ids', async () => {
  const e = testEnv();
  if (!e) return;
  const stamp = Date.now();
  const ids = { a: `compare-a-${stamp}`, b: `compare-b-${stamp}` };
  const dir = tempHome();
  const cacheDir = path.join(dir, 'cache');
  await runTinySearch(e, { id: ids.a, yaml: A, cacheDir });
  await runTinySearch(e, { id: ids.b, yaml: B, cacheDir });
  const a = await assembleRunRecord(e.client, ids.a);
  const b = await assembleRunRecord(e.client, ids.b);

  // The record keeps each held-out evaluation's outcomes, item by item, as the evaluation returned them.
  const evaluation = (id: string) => e.client.workflow.getHandle(id).result() as Promise<EvaluateResult>;
  const heldA = await evaluation(`${ids.a}/held-out-optimized`);
  const heldB = await evaluation(`${ids.b}/held-out-optimized`);
  expect(a.heldOutItems?.optimized).toEqual(heldOutItemsOf(heldA.records));
  expect(a.heldOutItems?.seed).toEqual(heldOutItemsOf((await evaluation(`${ids.a}/held-out-seed`)).records));
  expect(b.heldOutItems?.optimized).toHaveLength(HELD_OUT);

  // Same held-out items in both runs: all are shared, and the paired figures are the two evaluations' own.
  const c = compareRuns(a, b);
  expect(c.optimized.kind).toBe('paired');
  if (c.optimized.kind !== 'paired') return;
  expect(c.optimized).toMatchObject({ shared: HELD_OUT, onlyA: 0, onlyB: 0 });
  const x = c.optimized.comparison;
  expect(x.accuracyA).toBeCloseTo(a.heldOut!.optimized.accuracy, 12);
  expect(x.accuracyB).toBeCloseTo(b.heldOut!.optimized.accuracy, 12);
  expect(x.difference).toBeCloseTo((heldB.summary.correct - heldA.summary.correct) / HELD_OUT, 12);
  const byId = new Map(heldB.records.map((r) => [r.id, r.correct]));
  const sorted = heldA.records.slice().sort((p, q) => p.index - q.index);
  const direct = comparePaired(
    sorted.map((r) => r.correct),
    sorted.map((r) => byId.get(r.id)!),
    0,
  );
  expect(x.mcnemar).toEqual(direct.mcnemar);
  expect(c.config.differ.map((r) => r.field)).toEqual(['optimize.rounds', 'optimize.stepsPerRound']);

  // The real CLI, from two workflow ids.
  const cli = async (args: string[]) => {
    const p = spawnCli(args, { ...process.env, TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default', MASPO_LOG_LEVEL: 'ERROR' });
    const code = await p.exited;
    return { code, out: p.output() };
  };
  const out = path.join(dir, 'compare.html');
  const ok = await cli(['report', '--compare', ids.a, ids.b, '-o', out]);
  expect(ok.out).toContain(`optimized B − A on ${HELD_OUT} shared held-out item(s):`);
  expect(ok.out).toMatch(/^config differs in 2 field\(s\): optimize\.rounds 1 vs 2; optimize\.stepsPerRound 1 vs 2$/m);
  expect(ok.code).toBe(0);
  expect(readFileSync(out, 'utf8')).toContain(`on the ${HELD_OUT} held-out items both runs evaluated`);
  const bad = path.join(dir, 'bad.html');
  const missing = await cli(['report', '--compare', ids.a, `${ids.b}-nope`, '-o', bad]);
  expect(missing.out.trim()).toMatch(/^maspo: .*-nope: no such workflow in namespace default$/m);
  expect(missing.out.match(/connecting to Temporal/g)).toHaveLength(1);
  expect(missing.code).toBe(2);
  expect(existsSync(bad)).toBe(false);

  if (!chromium) return console.warn('SKIPPED the Chromium part: no Chromium found (CHROMIUM_PATH or PATH)');
  const file = path.join(dir, 'page.html');
  writeFileSync(file, renderComparison(c));
  const profile = path.join(dir, 'chromium-profile');
  mkdirSync(profile);
  const browser = async (args: string[]) => (await run(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 })).stdout;
  const dom = await browser(['--virtual-time-budget=2000', '--dump-dom', `file://${file}`]);
  for (const id of ['held-out', 'config', 'prompts', 'spend', 'agent-solver', 'agent-checker']) expect(dom).toContain(`id="${id}"`);
  for (const chart of ['chart-held-out', 'chart-spend']) expect(dom).toMatch(new RegExp(`<svg class="chart ${chart}"[^>]*>[\\s\\S]*?<rect`));
  const shot = path.join(dir, 'compare.png');
  await browser(['--window-size=1280,2300', `--screenshot=${shot}`, `file://${file}`]);
  expect(readFileSync(shot).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (process.env.MASPO_WRITE_SCREENSHOT === '1') copyFileSync(shot, path.join(process.cwd(), 'docs', 'img', 'report-compare.png'));
}, 300_000);
