/**
 * The MASPO search on a real dev server with the simulated world for all three roles: the workflow hierarchy
 * (run → round → step → candidate, refresh), continue-as-new between rounds, reproducibility from the seed,
 * replay of every workflow's history, the `none` strategy, and the call-count forecast.
 */
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfigText } from '../client/config';
import { buildOptimizeInput, controlOptimization, optimizationProgress, startOptimization } from '../client/optimize';
import { planSearch } from '../core/forecast/plan';
import type { OptimizeInput, OptimizeResult } from '../core/contracts/optimize';
import { useTestEnv } from './support/temporal';
import { startWorkers, tempHome, tinySearchYaml } from './support/evaluation';

const YAML = tinySearchYaml({ name: 'tiny-search', seed: 4, heldOut: 20, optimize: '{ rounds: 2, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }' });

const testEnv = useTestEnv();

async function inputFor(yaml: string, queue: string): Promise<OptimizeInput> {
  const input = await buildOptimizeInput({ file: path.join(process.cwd(), 'tiny.yaml'), config: parseConfigText('tiny.yaml', yaml) });
  return { ctx: { ...input.ctx, taskQueue: queue } };
}

async function run(e: TestWorkflowEnvironment, yaml: string, id: string): Promise<{ result: OptimizeResult; input: OptimizeInput }> {
  const queue = `q-${id}`;
  const input = await inputFor(yaml, queue);
  const w = await startWorkers(e, queue, path.join(tempHome(), 'cache'));
  try {
    return { result: await (await startOptimization(e.client, input, id)).result(), input };
  } finally {
    await w.stop();
  }
}

const stable = (r: OptimizeResult) => ({ prompts: r.prompts, agents: r.agents, pool: r.pool, calls: r.totals.calls, rounds: r.rounds.map(({ totals: _t, byAgent: _a, ...s }) => s) }); // call totals depend on cache hits

test('a small search runs through every workflow, continues as new per round, and is reproducible from its seed', async () => {
  const e = testEnv();
  if (!e) return;
  const id = `opt-${Date.now()}`;
  const { result, input } = await run(e, YAML, id);

  expect(result.rounds.map((r) => r.round)).toEqual([1, 2]);
  expect(Object.keys(result.prompts)).toEqual(['solver', 'checker']);
  expect(result.pool).toHaveLength(6);
  for (const a of Object.values(result.agents)) expect(a.beam.length).toBeGreaterThan(0);
  // The checker's second turn starts with a Beam Refresh when its beam holds more than the best prompt.
  expect(result.totals.calls.optimizer).toBe(2 * (1 + 2) * 2); // 2 agents × (1 parent in round 1 + 2 in round 2) × Ksub 2
  expect(result.totals.calls.judge).toBeGreaterThan(0);
  expect(result.totals.unparseableVerdicts).toBe(0);

  // Forecast vs actual: the optimizer count is exact; backbone and judge depend on how many candidates survive.
  const plan = planSearch(input.ctx.settings, { agents: ['solver', 'checker'], edges: input.ctx.mas.edges });
  expect(plan.total.optimizer).toBe(result.totals.calls.optimizer);

  // Continue-as-new after round 1: the first execution of the run ended CONTINUED_AS_NEW.
  const { executions } = await e.client.workflowService.listWorkflowExecutions({ namespace: 'default', query: `WorkflowId = '${id}'` });
  expect(executions.map((x) => x.status).sort()).toEqual([2, 6]); // COMPLETED=2, CONTINUED_AS_NEW=6

  // Same seed, fresh cache and task queue: identical search.
  const again = await run(e, YAML, `${id}-again`);
  expect(stable(again.result)).toEqual(stable(result));

  // Every workflow of the search replays against the current code.
  const ids = [`${id}/round-1`, `${id}/round-2`, `${id}/round-1/solver/step-1`, `${id}/round-1/solver/step-1/parent-0/cand-0`];
  for (const wf of ids) {
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, await e.client.workflow.getHandle(wf).fetchHistory(), wf);
  }
}, 180_000);

test('strategy none returns the seed prompts without any LLM call', async () => {
  const e = testEnv();
  if (!e) return;
  const { result } = await run(e, YAML.replace('optimize: {', 'optimize: { strategy: none,'), `none-${Date.now()}`);
  expect(result.prompts).toEqual({ solver: 'Be concise. Solve: {{question}}', checker: 'Review the previous solution and answer. {{context}} {{question}}' });
  expect(result.totals.calls).toEqual({ backbone: 0, optimizer: 0, judge: 0 });
}, 60_000);

test('pause holds the search at a boundary, resume continues it, stop ends it with the best prompts so far', async () => {
  const e = testEnv();
  if (!e) return;
  const id = `ctl-${Date.now()}`;
  const input = await inputFor(YAML.replace('rounds: 2', 'rounds: 3'), `q-${id}`);
  const w = await startWorkers(e, `q-${id}`, path.join(tempHome(), 'cache'));
  try {
    const handle = await startOptimization(e.client, input, id);
    expect(await controlOptimization(e.client, id, 'pause')).toBe('paused');
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(1500);
    const p1 = await optimizationProgress(e.client, id);
    await sleep(1500);
    const p2 = await optimizationProgress(e.client, id);
    expect(p1.control).toBe('paused');
    expect(p2.calls).toBe(p1.calls); // nothing new starts while paused
    expect(await controlOptimization(e.client, id, 'resume')).toBe('running');
    // Let the search get going, then stop it.
    for (let i = 0; i < 100 && (await optimizationProgress(e.client, id).catch(() => undefined))?.calls === p2.calls; i++) await sleep(100);
    expect(await controlOptimization(e.client, id, 'stop')).toBe('stopping');
    const result = await handle.result();
    expect(result.stopped).toBe(true);
    expect(result.rounds.length).toBeLessThan(3);
    expect(result.heldOut).toBeUndefined();
    expect(Object.keys(result.prompts)).toEqual(['solver', 'checker']);
  } finally {
    await w.stop();
  }
}, 120_000);
