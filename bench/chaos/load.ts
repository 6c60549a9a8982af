/**
 * Scenario 7: load. Four searches of different seeds at once on one task queue served by two `maspo worker`
 * processes (each with its own response cache) against one server; each must end with exactly the result of the
 * same search run alone. Both workers must have served LLM calls (the load was really shared).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OptimizeResult } from '../../core/contracts/optimize';
import type { ChaosContext, ReferenceRun } from './context';
import { WorkerProcess, scenarioDirIn } from './processes';
import { rowOf, type ScenarioRow } from './report';
import { sameOutcome, writeOutcomes, writeSearchConfig, type SearchConfigOptions } from '../../fixtures/search-config';
import { logIn, prepareTrial, runTrial, seconds, type SearchTrial } from './trial';

function cacheEntries(dir: string): number {
  try {
    return fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.json')).length;
  } catch {
    return 0;
  }
}

export async function loadScenario(ctx: ChaosContext, seeds: number[], size: SearchConfigOptions['size'] = 'small', workers = 2): Promise<ScenarioRow> {
  const started = Date.now();
  const dir = scenarioDirIn(ctx.dir, `load-${seeds.length}`);
  const references: ReferenceRun[] = [];
  for (const s of seeds) references.push(await ctx.reference(s, size));
  const taskQueue = `chaos-load-${Date.now()}`;
  const { file } = await writeSearchConfig(dir, { name: 'worker', seed: seeds[0], taskQueue, baseURL: 'http://127.0.0.1:9/v1', size });
  const homes = Array.from({ length: workers }, (_, i) => path.join(dir, `worker-${i + 1}`));
  const procs = homes.map((h, i) => new WorkerProcess(file, ctx.env(ctx.server.address, h), logIn(dir, `worker-${i + 1}`)));
  const trials: SearchTrial[] = [];
  let results: Array<{ result?: OptimizeResult; error?: string; ms: number }> = [];
  let wallMs = 0;
  try {
    for (const p of procs) await p.start();
    for (const s of seeds) trials.push(await prepareTrial(ctx, dir, { name: `load-${s}`, seed: s, taskQueue, config: { size } }));
    const t0 = Date.now();
    results = await Promise.all(
      trials.map((t) => runTrial(ctx, t).then((r) => ({ result: r.result, ms: r.ms }), (e: Error) => ({ error: e.message.split('\n')[0], ms: Date.now() - t0 }))),
    );
    wallMs = Date.now() - t0;
  } finally {
    for (const p of procs) await p.stop();
    for (const t of trials) await t.proxy.close();
  }

  const outcomes = results.map((r, i) => {
    if (!r.result) return { ok: false, why: `seed ${seeds[i]}: ${r.error}` };
    const same = sameOutcome(r.result, references[i].result);
    return same ? { ok: true } : { ok: false, why: `seed ${seeds[i]}: the result differs from the run alone (${writeOutcomes(dir, `load-${seeds[i]}`, r.result, references[i].result)})` };
  });
  const served = homes.map((h) => cacheEntries(path.join(h, 'cache', 'llm')));
  if (served.some((n) => n === 0)) outcomes.push({ ok: false, why: `a worker served no LLM call (cache entries per worker: ${served.join(', ')})` });
  const aloneMs = references.reduce((a, r) => a + r.ms, 0);
  const figures = [
    `${seeds.length} searches at once on ${workers} worker processes: ${results.filter((r) => r.result).length}/${seeds.length} completed in ${seconds(wallMs)} (alone, one after another: ${seconds(aloneMs)})`,
    `results identical to running alone: ${outcomes.slice(0, seeds.length).filter((o) => o.ok).length}/${seeds.length}`,
    `LLM replies recorded per worker: ${served.join(' / ')}`,
  ].join('; ');
  return rowOf(7, 'Load: concurrent searches on shared workers', outcomes, figures, Date.now() - started, { seeds, wallMs, aloneMs, served });
}
