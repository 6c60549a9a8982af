/**
 * Export round trip on a real dev server: a tiny search on the simulator, `maspo export -o run.json --prompts
 * prompts.json` through the real CLI, then: the exported prompts are the run's winning prompts; the record holds
 * every unit with calls that add up to the run's own counts and a lineage that ends at each agent's best; and an
 * evaluation with the exported prompts (from either file) sends exactly the winning prompts — it reproduces the
 * run's held-out evaluation of them, served entirely from the response cache that evaluation filled.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { applyPromptsFile, buildEvaluateInput, parseConfigText } from '../client/config';
import { awaitEvaluation, startEvaluation } from '../client/evaluate';
import { buildOptimizeInput, controlOptimization, optimizationProgress, startOptimization } from '../client/optimize';
import { buildLineage } from '../client/report/lineage';
import { renderReport } from '../client/report/render';
import { assembleRunRecord } from '../client/run-record';
import type { EvaluateResult } from '../core/contracts/evaluate';
import { MODEL_ROLES } from '../core/contracts/llm';
import { isRunRecord, type RunRecord } from '../core/contracts/run-record';
import { spawnCli } from './support/processes';
import { startWorkers, tempHome, tinySearchYaml } from './support/evaluation';
import { useTestEnv } from './support/temporal';
import { runTinySearch } from './support/tiny-run';

const YAML = tinySearchYaml({ name: 'export-search', seed: 5, heldOut: 12, optimize: '{ rounds: 2, stepsPerRound: 2, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }' });

const testEnv = useTestEnv();

async function cli(args: string[], address: string): Promise<{ code: number | null; out: string }> {
  const p = spawnCli(args, { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', MASPO_LOG_LEVEL: 'ERROR' });
  const code = await p.exited;
  return { code, out: p.output() };
}

test('export writes the winning prompts and a full run record; evaluate with them sends exactly those prompts', async () => {
  const e = testEnv();
  if (!e) return;
  const id = `export-${Date.now()}`;
  const dir = tempHome();
  const cacheDir = path.join(dir, 'cache');
  const { result, queue } = await runTinySearch(e, { id, yaml: YAML, cacheDir });

  const runFile = path.join(dir, 'run.json');
  const promptsFile = path.join(dir, 'prompts.json');
  const exported = await cli(['export', id, '-o', runFile, '--prompts', promptsFile], e.address);
  expect(exported.out).toMatch(/^wrote run record .*run\.json \([\d.]+ KB, 10 units\) and prompts .*prompts\.json \(2 agents\)$/m);
  expect(exported.code).toBe(0);

  // The exported prompts are the winning ones.
  expect(JSON.parse(readFileSync(promptsFile, 'utf8'))).toEqual(result.prompts);
  const record = JSON.parse(readFileSync(runFile, 'utf8')) as RunRecord;
  expect(isRunRecord(record)).toBe(true);
  expect(record.prompts).toEqual(result.prompts);
  expect(record.result).toEqual(JSON.parse(JSON.stringify(result)));
  expect(record.promptsFrom).toBe('result');
  expect(record.executions).toHaveLength(2); // one execution per round (continue-as-new)

  // Every unit: 2 rounds × 2 agents × 2 steps, plus the beam refreshes of round 2; calls add up to the run's counts.
  const steps = record.units.filter((u) => u.kind === 'step');
  expect(steps).toHaveLength(8);
  expect(steps.map((s) => s.workflowId)).toContain(`${id}/round-2/checker/step-2`);
  for (const u of record.units) {
    for (const role of MODEL_ROLES) expect(u.ledger[role].paidCalls + u.ledger[role].cachedCalls).toBe(u.totals!.calls[role]);
    if (u.totals?.ledger) expect(u.ledger).toEqual(u.totals.ledger); // the run's own ledger, where it keeps one
  }
  for (const r of result.rounds) {
    const units = record.units.filter((u) => u.round === r.round);
    for (const role of MODEL_ROLES) expect(units.reduce((s, u) => s + u.ledger[role].paidCalls + u.ledger[role].cachedCalls, 0)).toBe(r.totals.calls[role]);
  }
  expect(record.heldOutSpend?.optimized?.ledger.backbone.paidCalls! + record.heldOutSpend?.optimized?.ledger.backbone.cachedCalls!).toBe(12 * 2);

  // The lineage re-derived from the steps agrees with every recorded beam and ends at each agent's best.
  const lineage = buildLineage(record);
  expect(lineage.problems).toEqual([]);
  for (const [agentId, a] of Object.entries(result.agents)) {
    expect(lineage.agents[agentId].path.at(-1)?.id).toBe(a.best.id);
    expect(lineage.agents[agentId].path[0].parentId).toBeNull();
  }

  // evaluate --prompts (library path: applyPromptsFile) with either file gives the winning prompts…
  const evalInput = await buildEvaluateInput({ file: path.join(process.cwd(), 'tiny.yaml'), config: parseConfigText('tiny.yaml', YAML) });
  const fromPrompts = await applyPromptsFile(evalInput.mas, promptsFile);
  const fromRecord = await applyPromptsFile(evalInput.mas, runFile);
  expect(Object.fromEntries(fromPrompts.agents.map((a) => [a.id, a.prompt]))).toEqual(result.prompts);
  expect(fromRecord).toEqual(fromPrompts);
  // …and the evaluation sends exactly them: every call is a cache hit of the run's held-out evaluation of the
  // winning prompts (the cache key covers the full messages), with the same outcome on every item.
  const w = await startWorkers(e, queue, cacheDir);
  let evaluated: EvaluateResult;
  try {
    evaluated = await awaitEvaluation(e.client, await startEvaluation(e.client, { ...evalInput, taskQueue: queue, mas: fromRecord }, `${id}-evaluate`));
  } finally {
    await w.stop();
  }
  const heldOut = (await e.client.workflow.getHandle(`${id}/held-out-optimized`).result()) as EvaluateResult;
  expect(evaluated.calls).toBe(heldOut.calls);
  expect(evaluated.cachedCalls).toBe(evaluated.calls);
  expect(evaluated.records.map((r) => [r.index, r.correct, r.predicted])).toEqual(heldOut.records.map((r) => [r.index, r.correct, r.predicted]));
  expect(evaluated.summary.accuracy).toBe(result.heldOut!.optimized.accuracy);

  // Bad input: an unknown workflow is a one-line error, exit 2.
  const missing = await cli(['export', `${id}-nope`], e.address);
  expect(missing.out.trim()).toMatch(/^maspo: .*-nope: no such workflow in namespace default$/m);
  expect(missing.code).toBe(2);
}, 240_000);

test('a running run is recorded as far as it went, and a stopped one with its best prompts so far', async () => {
  const e = testEnv();
  if (!e) return;
  const id = `export-live-${Date.now()}`;
  const queue = `q-${id}`;
  const built = await buildOptimizeInput({ file: path.join(process.cwd(), 'tiny.yaml'), config: parseConfigText('tiny.yaml', YAML) });
  const w = await startWorkers(e, queue, path.join(tempHome(), 'cache'));
  try {
    const handle = await startOptimization(e.client, { ...built, ctx: { ...built.ctx, taskQueue: queue } }, id);
    // Let two units finish, then hold the search at its next boundary.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 600; i++) {
      const p = await optimizationProgress(e.client, id).catch(() => undefined);
      if (p && (p.round > 1 || (p.step ?? 0) >= 2 || p.agentId === 'checker')) break;
      await sleep(100);
    }
    expect(await controlOptimization(e.client, id, 'pause')).toBe('paused');
    await sleep(1500);
    const live = await assembleRunRecord(e.client, id);
    expect(live.status).toBe('running');
    expect(live.result).toBeUndefined();
    expect(live.units.length).toBeGreaterThanOrEqual(2);
    expect(['latest-step', 'round-boundary']).toContain(live.promptsFrom);
    expect(Object.keys(live.prompts)).toEqual(['solver', 'checker']);
    expect(buildLineage(live).problems).toEqual([]);
    expect(renderReport(live)).toContain('The run has not finished');

    expect(await controlOptimization(e.client, id, 'stop')).toBe('stopping');
    const result = await handle.result();
    const stopped = await assembleRunRecord(e.client, id);
    expect(stopped.status).toBe('completed');
    expect(stopped.result?.stopped).toBe(true);
    expect(stopped.prompts).toEqual(result.prompts);
    expect(stopped.units.length).toBeGreaterThanOrEqual(live.units.length);
    expect(renderReport(stopped)).toContain('stopped early');
  } finally {
    await w.stop();
  }
}, 180_000);
