/**
 * The budget cap on a real dev server with the simulator (priced through the config's `prices:` so dollars are
 * real numbers): a run whose cap is below what it needs stops at a unit boundary with `budget_exhausted`, never
 * passing the cap, keeps its best prompts, and after the cap is raised finishes with EXACTLY the result of an
 * uncapped run with the same seed (stopping at a boundary changes no decision). Also: the ledger per role, round
 * and agent adds up; a stop while waiting ends the run with the best prompts so far; invalid cap changes are
 * rejected by the update's validator.
 */
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfigText } from '../client/config';
import { buildOptimizeInput, controlOptimization, optimizationProgress, setBudget, startOptimization } from '../client/optimize';
import { spendOf } from '../core/contracts/ledger';
import { addTotals, emptyTotals, type OptimizeInput, type OptimizeResult } from '../core/contracts/optimize';
import { SA_SPEND, SA_STATUS } from '../core/contracts/search-attributes';
import { useTestEnv } from './support/temporal';
import { startWorkers, tempHome, tinySearchYaml } from './support/evaluation';
import { waitFor } from './support/processes';

const PRICES = "prices: { 'sim-agent': { input: 1, output: 2 }, 'sim-optimizer': { input: 3, output: 6 }, 'sim-judge': { input: 1, output: 1 } }";
const SEARCH = 'rounds: 2, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3';
const yaml = (budget?: string) => tinySearchYaml({ name: 'budget', seed: 5, heldOut: 6, extra: PRICES, optimize: `{ ${SEARCH}${budget ? `, budget: ${budget}` : ''} }` });

const testEnv = useTestEnv();

async function inputFor(text: string, queue: string): Promise<OptimizeInput> {
  const input = await buildOptimizeInput({ file: path.join(process.cwd(), 'budget.yaml'), config: parseConfigText('budget.yaml', text) });
  return { ...input, ctx: { ...input.ctx, taskQueue: queue } };
}

async function withWorkers<T>(e: TestWorkflowEnvironment, queue: string, fn: () => Promise<T>): Promise<T> {
  const w = await startWorkers(e, queue, path.join(tempHome(), 'cache'));
  try {
    return await fn();
  } finally {
    await w.stop();
  }
}

async function status(e: TestWorkflowEnvironment, id: string): Promise<{ status?: string; spend?: number }> {
  const d = await e.client.workflow.getHandle(id).describe();
  return { status: d.typedSearchAttributes.get(SA_STATUS), spend: d.typedSearchAttributes.get(SA_SPEND) };
}

let uncapped: OptimizeResult;

test('the ledger prices every paid call per role, round and agent; cached calls are free', async () => {
  const e = testEnv();
  if (!e) return;
  const id = `budget-ref-${Date.now()}`;
  const queue = `q-${id}`;
  uncapped = await withWorkers(e, queue, async () => (await startOptimization(e.client, await inputFor(yaml(), queue), id)).result());
  const l = uncapped.totals.ledger!;
  expect(l.backbone.paidCalls + l.backbone.cachedCalls).toBe(uncapped.totals.calls.backbone);
  expect(l.judge.paidCalls + l.judge.cachedCalls).toBe(uncapped.totals.calls.judge);
  // dollars = tokens × the config's prices
  for (const [role, price] of [['backbone', [1, 2]], ['optimizer', [3, 6]], ['judge', [1, 1]]] as const) {
    expect(l[role].costUsd).toBeCloseTo((l[role].inputTokens * price[0] + l[role].outputTokens * price[1]) / 1e6, 10);
    expect(l[role].costUsd).toBeGreaterThan(0);
  }
  // per round and per agent add up to the run's totals
  const rounds = uncapped.rounds.reduce((t, r) => addTotals(t, r.totals), emptyTotals());
  expect(spendOf(rounds.ledger).usd).toBeCloseTo(spendOf(l).usd, 10);
  for (const r of uncapped.rounds) {
    const agents = Object.values(r.byAgent!).reduce((t, a) => addTotals(t, a), emptyTotals());
    expect(agents.calls).toEqual(r.totals.calls);
  }
  // the held-out evaluation's calls are priced call by call too; the spend attribute covers search and held-out
  const held = uncapped.heldOut!.totals!;
  expect(held.calls.backbone).toBe(2 * 6 * 2); // seed + optimised prompts × 6 items × 2 agents
  expect(spendOf(held.ledger).calls).toBe(held.calls.backbone - held.cached);
  expect(await status(e, id)).toEqual({ status: 'completed', spend: expect.closeTo(spendOf(l).usd + spendOf(held.ledger).usd, 10) });
  expect(uncapped.stopped).toBe(false);
});

test('a call cap below the need stops at boundaries with budget_exhausted; raising it each time finishes with the uncapped result', async () => {
  const e = testEnv();
  if (!e) return;
  expect(uncapped).toBeDefined(); // set by the first test: this one cannot pass on its own
  const needed = spendOf(uncapped.totals.ledger).calls;
  const quarter = Math.ceil(needed / 4);
  const id = `budget-calls-${Date.now()}`;
  const queue = `q-${id}`;
  await withWorkers(e, queue, async () => {
    const handle = await startOptimization(e.client, await inputFor(yaml(`{ calls: ${quarter} }`), queue), id);
    let done = false;
    const result = handle.result().finally(() => (done = true));
    let cap = quarter;
    let waits = 0;
    for (;;) {
      await waitFor('budget_exhausted or the end', async () => done || (await optimizationProgress(e.client, id).catch(() => undefined))?.phase === 'budget-exhausted', 60_000, 200);
      if (done) break;
      waits++;
      const waiting = await optimizationProgress(e.client, id);
      expect(waiting.calls - waiting.cached).toBeLessThanOrEqual(cap); // the cap was never passed
      expect(waiting.budgetExhausted).toMatch(/call cap \d+: \d+ paid calls made, next unit may make up to \d+/);
      expect(await status(e, id)).toMatchObject({ status: 'budget_exhausted' });
      if (waits === 1) await expect(setBudget(e.client, id, { calls: -3 })).rejects.toThrow(/budget.calls: must be a positive integer/);
      cap += quarter;
      expect(await setBudget(e.client, id, { calls: cap })).toEqual({ calls: cap });
    }
    expect(waits).toBeGreaterThanOrEqual(2);
    const r = await result;
    expect(r.stopped).toBe(false);
    expect(r.prompts).toEqual(uncapped.prompts);
    expect(r.agents).toEqual(uncapped.agents);
    expect(r.totals.calls).toEqual(uncapped.totals.calls);
    expect(r.heldOut?.optimized).toEqual(uncapped.heldOut?.optimized);
    expect(await status(e, id)).toMatchObject({ status: 'completed' });
  });
}, 120_000);

test('a dollar cap that covers no unit waits at the first boundary; a stop ends it with the seed prompts and budget_exhausted', async () => {
  const e = testEnv();
  if (!e) return;
  expect(uncapped).toBeDefined(); // set by the first test: this one cannot pass on its own
  const id = `budget-usd-${Date.now()}`;
  const queue = `q-${id}`;
  await withWorkers(e, queue, async () => {
    const handle = await startOptimization(e.client, await inputFor(yaml('{ usd: 0.000001 }'), queue), id);
    await waitFor('budget_exhausted', async () => (await optimizationProgress(e.client, id).catch(() => undefined))?.phase === 'budget-exhausted', 60_000, 200);
    expect((await optimizationProgress(e.client, id)).budgetExhausted).toMatch(/^before round 1 · solver · step 1: dollar cap \$0\.0000: spent \$0\.0000/);
    await controlOptimization(e.client, id, 'stop');
    const result = await handle.result();
    expect(result).toMatchObject({ stopped: true, stopReason: 'budget_exhausted', budget: { usd: 0.000001 } });
    expect(result.prompts).toEqual(uncapped.seedPrompts);
    expect(result.totals.calls).toEqual({ backbone: 0, optimizer: 0, judge: 0 });
    expect(result.heldOut).toBeUndefined();
    expect(await status(e, id)).toMatchObject({ status: 'budget_exhausted', spend: 0 });
  });
});

test('a dollar budget with an unpriced model is refused before anything starts', async () => {
  const text = tinySearchYaml({ name: 'unpriced', seed: 1, heldOut: 4, optimize: `{ ${SEARCH}, budget: { usd: 5 } }`, models: '  backbone: { provider: openai, model: my-local-model, baseURL: "http://127.0.0.1:9/v1" }\n  optimizer: { provider: sim, model: sim-optimizer }\n  judge: { provider: sim, model: sim-judge }' });
  await expect(inputFor(text, 'q')).rejects.toThrow(/optimize\.budget\.usd: models\.backbone \(my-local-model\) has no price/);
});
