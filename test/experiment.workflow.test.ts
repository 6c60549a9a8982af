/**
 * `maspo experiment`: grid expansion and the table (pure), bad variants refused through the real ConfigSchema,
 * and a 2 variants × 2 seeds grid run as `experimentGrid` on a real dev server with the simulator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../client/config';
import { experimentProgressLine, loadExperiment, startExperiment, withExperimentProgress, writeExperiment } from '../client/experiment';
import { runDetails } from '../client/experiment-details';
import { experimentTable, summarizeExperiment, type ExperimentRunResult } from '../core/contracts/experiment';
import { expandGrid, ExperimentGridSchema, mergeOptimize } from '../core/schema/experiment';
import { emptyTotals } from '../core/contracts/optimize';
import { useTestEnv } from './support/temporal';
import { startWorkers, tempHome, tinySearchYaml } from './support/evaluation';

const BASE = tinySearchYaml({ name: 'tiny-exp', seed: 3, heldOut: 6, optimize: '{ rounds: 1, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 1, poolSize: 4, batchSize: 2 }' });

function dir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'maspo-exp-'));
}
function write(d: string, name: string, text: string): string {
  const p = path.join(d, name);
  writeFileSync(p, text);
  return p;
}

const summary = (correct: number, n: number) => ({ n, correct, accuracy: correct / n, ci: { low: 0.1, high: 0.9, level: 0.95 }, resamples: 100 });
function row(variant: string, seed: number, opt: number, base: number, optimizerCalls: number): ExperimentRunResult {
  const totals = emptyTotals();
  totals.calls = { backbone: 10, optimizer: optimizerCalls, judge: 2 * optimizerCalls };
  return {
    id: `${variant}/seed-${seed}`, variant, seed, workflowId: `x/${variant}/seed-${seed}`, strategy: variant, totals, prompts: {}, stopped: false,
    heldOut: { dataset: 'd', seed: summary(base, 10), optimized: summary(opt, 10), workflows: { seed: 's', optimized: 'o' } },
  };
}

describe('grid and table (pure)', () => {
  test('expandGrid is variants × seeds, variant-major; seeds default to the base seed', () => {
    const grid = ExperimentGridSchema.parse({ base: 'b.yaml', seeds: [1, 2], variants: [{ name: 'none', optimize: { strategy: 'none' } }, { name: 'maspo' }] });
    expect(expandGrid(grid)).toEqual([
      { variant: 'none', seed: 1, overrides: { strategy: 'none' }, id: 'none/seed-1' },
      { variant: 'none', seed: 2, overrides: { strategy: 'none' }, id: 'none/seed-2' },
      { variant: 'maspo', seed: 1, overrides: {}, id: 'maspo/seed-1' },
      { variant: 'maspo', seed: 2, overrides: {}, id: 'maspo/seed-2' },
    ]);
    const noSeeds = ExperimentGridSchema.parse({ base: 'b.yaml', variants: [{ name: 'a' }] });
    expect(expandGrid(noSeeds, 7).map((c) => c.seed)).toEqual([7]);
    expect(grid.concurrency).toBe(2);
    expect(ExperimentGridSchema.safeParse({ base: 'b', variants: [{ name: 'a' }, { name: 'a' }] }).success).toBe(false);
    expect(ExperimentGridSchema.safeParse({ base: 'b', variants: [{ name: 'a b' }] }).success).toBe(false);
    expect(mergeOptimize({ rounds: 2, weights: { local: 0.5, lookahead: 0.3, global: 0.2 } }, { weights: { lookahead: 0.2, global: 0.3 } })).toEqual({
      rounds: 2,
      weights: { local: 0.5, lookahead: 0.2, global: 0.3 },
    });
  });

  test('experimentTable: one row per variant with means over seeds, per-seed CIs, difference and calls per run', () => {
    const rows = [row('none', 1, 5, 5, 0), row('none', 2, 7, 7, 0), row('maspo', 1, 8, 5, 4), row('maspo', 2, 6, 7, 6)];
    const s = summarizeExperiment(rows);
    expect(s.map((v) => v.variant)).toEqual(['none', 'maspo']);
    expect(s[1].optimized).toBeCloseTo(0.7);
    expect(s[1].seed).toBeCloseTo(0.6);
    expect(s[1].difference).toBeCloseTo(0.1);
    expect(s[1].calls).toEqual({ backbone: 10, optimizer: 5, judge: 10 });
    const md = experimentTable(rows);
    const lines = md.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| variant \| seeds \|/);
    expect(lines[2]).toBe('| none | 1, 2 | 60.0% | s1: 50.0% [10.0–90.0] n=10; s2: 70.0% [10.0–90.0] n=10 | 60.0% | +0.0 pp | 10 · 0 · 0 |');
    expect(lines[3]).toContain('| maspo | 1, 2 | 70.0% |');
    expect(lines[3]).toContain('| +10.0 pp | 10 · 5 · 10 |');
  });

  test('a bad variant is a one-line ConfigError naming the grid, the variant and the field', async () => {
    const d = dir();
    write(d, 'base.yaml', BASE);
    const bad = write(d, 'bad.yaml', 'base: base.yaml\nvariants:\n  - { name: ok, optimize: {} }\n  - { name: broken, optimize: { strategy: local-only, beamRefresh: true } }\n');
    await expect(loadExperiment(bad)).rejects.toThrow(ConfigError);
    await expect(loadExperiment(bad)).rejects.toThrow(/bad\.yaml: variant 'broken': optimize\.beamRefresh: strategy local-only implies beamRefresh: false/);
    const typo = write(d, 'typo.yaml', 'base: base.yaml\nvariants: [{ name: t, optimize: { beamRefrsh: false } }]\n');
    await expect(loadExperiment(typo)).rejects.toThrow(/typo\.yaml: variant 't': optimize: unknown field 'beamRefrsh'/);
    const noBase = write(d, 'nobase.yaml', 'base: missing.yaml\nvariants: [{ name: t }]\n');
    await expect(loadExperiment(noBase)).rejects.toThrow(/missing\.yaml: cannot read config \(no such file\)/);
    const shape = write(d, 'shape.yaml', 'base: base.yaml\nvariants: []\n');
    await expect(loadExperiment(shape)).rejects.toThrow(/shape\.yaml: variants: /);
  });

  test('the Table 2 example grid loads: 8 variants × 3 seeds, every run validated', async () => {
    const exp = await loadExperiment(path.join(__dirname, '..', 'examples', 'experiment-table2.yaml'));
    const variants = ['none', 'local-only', 'maspo', 'no-joint-eval', 'misalignment-off', 'misalignment-random', 'misalignment-success', 'no-refresh'];
    expect(exp.runs.map((r) => r.id)).toEqual(variants.flatMap((v) => [11, 12, 13].map((seed) => `${v}/seed-${seed}`)));
    const s = Object.fromEntries(exp.runs.map((r) => [r.variant, r.input.ctx.settings]));
    expect(s.none.search).toBe(false);
    expect(s['no-joint-eval']).toMatchObject({ jointEvaluation: false, misalignment: 'off' });
    expect(s['no-refresh'].beamRefresh).toBe(false);
    expect(s['misalignment-success'].misalignment).toBe('success');
    expect(exp.runs[0].input.ctx.seed).toBe(11);
  });
});

const testEnv = useTestEnv();

test('a 2 variants × 2 seeds grid runs as optimizeMas children and yields a 2-row table', async () => {
  const e = testEnv();
  if (!e) return;
  const d = dir();
  const queue = `q-exp-${Date.now()}`;
  write(d, 'base.yaml', `${BASE}taskQueue: ${queue}\n`);
  const grid = write(d, 'tiny-grid.yaml', 'base: base.yaml\nseeds: [1, 2]\nconcurrency: 2\nvariants:\n  - { name: none, optimize: { strategy: none } }\n  - { name: maspo, optimize: {} }\n');
  const exp = await loadExperiment(grid);
  expect(exp.runs).toHaveLength(4);
  const w = await startWorkers(e, queue, path.join(tempHome(), 'cache'));
  try {
    const id = `exp-${Date.now()}`;
    const handle = await startExperiment(e.client, exp, id);
    // Progress as a piped log sees it: lines that say something new (runs done, where the running searches are).
    const lines: string[] = [];
    const sink = { write: (l: string) => (lines.push(l), true) } as unknown as NodeJS.WritableStream;
    const result = await withExperimentProgress(e.client, id, handle.result(), sink, { pollMs: 100 });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^experiment: [0-4]\/4 runs done( · .+)? \(\d+ min\)\n$/.test(l))).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.filter((l) => /round 2\/1/.test(l))).toEqual([]); // never past the last round
    expect(lines.some((l) => / · (none|maspo)\/seed-[12]: (round 1\/1|held-out evaluation|starting)/.test(l))).toBe(true);
    expect(await experimentProgressLine(e.client, id)).toBe('experiment: 4/4 runs done');
    expect(result.runs.map((r) => r.workflowId)).toEqual([`${id}/none/seed-1`, `${id}/none/seed-2`, `${id}/maspo/seed-1`, `${id}/maspo/seed-2`]);
    for (const r of result.runs) {
      expect(r.heldOut?.optimized.n).toBe(6);
      expect(r.stopped).toBe(false);
    }
    for (const r of result.runs.filter((x) => x.variant === 'none')) {
      expect(r.totals.calls).toEqual({ backbone: 0, optimizer: 0, judge: 0 });
      expect(r.heldOut!.optimized.accuracy).toBe(r.heldOut!.seed.accuracy);
    }
    for (const r of result.runs.filter((x) => x.variant === 'maspo')) expect(r.totals.calls.optimizer).toBeGreaterThan(0);
    // The children are real workflows with their deterministic ids.
    const child = await e.client.workflow.getHandle(`${id}/maspo/seed-2`).describe();
    expect(child.status.name).toBe('COMPLETED');

    const out = path.join(d, 'results');
    const details = await runDetails(e.client, result.runs, tempHome());
    const table = await writeExperiment(out, exp, id, result, details);
    // Per run: the paired statistics and the wall-clock of search and held-out from Temporal's records.
    const perRun = (await readFile(path.join(out, 'experiment.md'), 'utf8')).split('## Per run')[1];
    expect(perRun.trim().split('\n').slice(2)).toHaveLength(4);
    expect(perRun).toMatch(/\| maspo\/seed-1 \| [\d.]+% \[.*\] n=6 \| [\d.]+% .*\| [+−][\d.]+ pp \[.*\] \| [\d.]+ \(\d+\/\d+\) \| \d+ · \d+ · \d+ \| local \d+ · lookahead \d+.* · global \d+ · terminal \d+ \|.*\| [\d.]+ min · [\d.]+ min \| — \| — \|/);
    for (const x of details) expect(x.window!.heldOutStartMs).toBeGreaterThanOrEqual(x.window!.startMs);
    const rows = table.trim().split('\n').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| none \| 1, 2 \|.*\| \+0\.0 pp \| 0 · 0 · 0 \|$/);
    expect(rows[1]).toMatch(/^\| maspo \| 1, 2 \|/);
    expect(await readFile(path.join(out, 'experiment.md'), 'utf8')).toContain(table);
    const json = JSON.parse(await readFile(path.join(out, 'experiment.json'), 'utf8'));
    expect(json.runs).toHaveLength(4);
    expect(json.variants.map((v: { variant: string }) => v.variant)).toEqual(['none', 'maspo']);
  } finally {
    await w.stop();
  }
}, 240_000);
