/**
 * `maspo fork` on a real dev server: a finished 3-round search on the simulator is forked at round 2.
 * - With unchanged settings (through the real CLI), the fork ends with the parent's prompts and held-out scores and
 *   pays for no call: everything it replays comes from the shared response cache. Its memo and search attributes
 *   name the parent and the round, and its run record reads from the seed prompts across the fork (the parent's
 *   round-1 units, then its own).
 * - With a changed setting (batch size), it starts from the same state and diverges from there.
 * - Unsafe overrides and rounds the parent never started are refused in one line, before anything starts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { forkInput, loadForkOverrides, roundStartInput, startFork } from '../client/fork';
import { buildLineage } from '../client/report/lineage';
import { renderReport } from '../client/report/render';
import { spendSummary } from '../client/report/spend';
import { assembleRunRecord } from '../client/run-record';
import { MODEL_ROLES } from '../core/contracts/llm';
import type { OptimizeResult } from '../core/contracts/optimize';
import { inheritedFrom, type StepRecord } from '../core/contracts/run-record';
import { SA_FORK_OF, SA_FORK_ROUND } from '../core/contracts/search-attributes';
import { spawnCli } from './support/processes';
import { startWorkers, tempHome, tinySearchYaml } from './support/evaluation';
import { useTestEnv } from './support/temporal';
import { runTinySearch } from './support/tiny-run';

const YAML = tinySearchYaml({ name: 'fork-search', seed: 11, heldOut: 12, optimize: '{ rounds: 3, stepsPerRound: 1, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }' });

const testEnv = useTestEnv();

const paid = (r: OptimizeResult) => MODEL_ROLES.reduce((n, role) => n + (r.totals.ledger?.[role].paidCalls ?? 0), 0);
const allCalls = (r: OptimizeResult) => MODEL_ROLES.reduce((n, role) => n + r.totals.calls[role], 0);
const stepsOf = (units: ReadonlyArray<{ kind: string }>) => units.filter((u): u is StepRecord => u.kind === 'step');

test('a fork at round 2 with unchanged settings replays the parent for free; a changed batch size diverges from there', async () => {
  const e = testEnv();
  if (!e) return;
  const id = `fork-parent-${Date.now()}`;
  const home = tempHome();
  const cacheDir = path.join(home, 'cache', 'llm'); // where `maspo fork --worker inline` looks with MASPO_HOME=home
  const parent = await runTinySearch(e, { id, yaml: YAML, cacheDir });
  expect(parent.result.rounds).toHaveLength(3);
  expect(paid(parent.result)).toBeGreaterThan(0);

  // Unchanged, through the real CLI with its own in-process worker on the run's queue.
  const forkId = `${id}-fork-same`;
  const cli = spawnCli(['fork', id, '--round', '2', '--id', forkId, '--json', '--worker', 'inline'], {
    ...process.env,
    TEMPORAL_ADDRESS: e.address,
    TEMPORAL_NAMESPACE: 'default',
    MASPO_HOME: home,
    MASPO_LOG_LEVEL: 'ERROR',
  });
  expect(await cli.exited).toBe(0);
  const out = JSON.parse(cli.output().slice(cli.output().indexOf('{'))) as OptimizeResult & { workflowId: string; forkOf: unknown };
  expect(out.workflowId).toBe(forkId);
  expect(out.forkOf).toEqual({ workflowId: id, round: 2 });
  expect(out.prompts).toEqual(parent.result.prompts);
  expect(out.heldOut?.optimized.accuracy).toBe(parent.result.heldOut?.optimized.accuracy);
  expect(out.heldOut?.seed.accuracy).toBe(parent.result.heldOut?.seed.accuracy);
  expect(out.rounds.map((r) => r.prompts)).toEqual(parent.result.rounds.map((r) => r.prompts));
  expect(allCalls(out)).toBeGreaterThan(0);
  expect(paid(out)).toBe(0); // rounds 2–3 replayed from the response cache
  expect(out.totals.cached).toBe(allCalls(out));

  // The fork names its parent and round; its record reads from the seed across the fork.
  const d = await e.client.workflow.getHandle(forkId).describe();
  expect(d.memo?.forkOf).toEqual({ workflowId: id, round: 2 });
  expect(d.typedSearchAttributes.get(SA_FORK_OF)).toBe(id);
  expect(d.typedSearchAttributes.get(SA_FORK_ROUND)).toBe(2);
  const record = await assembleRunRecord(e.client, forkId);
  expect(record.forks).toEqual([{ workflowId: id, round: 2 }]);
  const parentRecord = await assembleRunRecord(e.client, id);
  const steps = stepsOf(record.units);
  expect(steps.map((s) => [s.round, s.agentId, s.parents])).toEqual(stepsOf(parentRecord.units).map((s) => [s.round, s.agentId, s.parents]));
  expect(steps.filter((s) => s.round === 1).every((s) => s.workflowId.startsWith(`${id}/round-1/`) && inheritedFrom(record, s) === id)).toBe(true);
  expect(steps.filter((s) => s.round >= 2).every((s) => s.workflowId.startsWith(`${forkId}/round-`) && inheritedFrom(record, s) === undefined)).toBe(true);
  const lineage = buildLineage(record);
  expect(lineage.problems).toEqual([]);
  for (const [agentId, a] of Object.entries(lineage.agents)) expect(a.best?.prompt).toBe(parent.result.prompts[agentId]);
  expect(renderReport(record)).toContain(`<dt>Forked from</dt><dd><span class="mono">${id}</span> at round 2 (`);
  const spend = spendSummary(record);
  expect(spend.rounds.find((r) => r.round === 1)?.inheritedFrom).toBe(id);
  expect(MODEL_ROLES.every((role) => spend.total.ledger[role].paidCalls === 0)).toBe(true);

  // A changed batch size: the same state at round 2, then other batches, new calls, other scores.
  const overridesFile = path.join(home, 'bigger-batch.yaml');
  writeFileSync(overridesFile, 'optimize: { batchSize: 5 }\n');
  const start = await roundStartInput(e.client, id, 2);
  const input = forkInput(start, 2, await loadForkOverrides(overridesFile));
  expect(input.ctx.settings.batchSize).toBe(5);
  expect({ ...input.resume?.state, settingsDigest: undefined }).toEqual({ ...start.resume?.state, settingsDigest: undefined }); // the state itself, stamped for the new settings
  const w = await startWorkers(e, parent.queue, cacheDir);
  let changedId: string;
  let changed: OptimizeResult;
  try {
    const handle = await startFork(e.client, input, { workflowId: id, round: 2 });
    changedId = handle.workflowId;
    changed = await handle.result();
  } finally {
    await w.stop();
  }
  expect(paid(changed)).toBeGreaterThan(0);
  const changedSteps = stepsOf((await assembleRunRecord(e.client, changedId)).units);
  const firstOwn = (s: StepRecord[]) => s.find((x) => x.round === 2)!;
  expect(firstOwn(changedSteps).prompts).toEqual(firstOwn(steps).prompts); // same starting point…
  const nodes = (s: StepRecord) => s.beam.map((n) => [n.id, n.prompt]);
  expect(nodes(firstOwn(changedSteps))).toEqual(nodes(firstOwn(steps))); // (their J differ: round 2 opens with a beam refresh on the bigger batch)
  expect(firstOwn(changedSteps).batches.flat().length).toBeGreaterThan(firstOwn(steps).batches.flat().length); // …then bigger batches
  expect(changedSteps.filter((s) => s.round === 1).map((s) => s.parents)).toEqual(steps.filter((s) => s.round === 1).map((s) => s.parents));
  expect(changedSteps.filter((s) => s.round >= 2).map((s) => s.parents)).not.toEqual(steps.filter((s) => s.round >= 2).map((s) => s.parents));
}, 300_000);

test('fork refuses unsafe overrides and rounds the parent never started, in one line, before anything starts', async () => {
  const e = testEnv();
  if (!e) return;
  const home = tempHome();
  const file = (name: string, text: string) => {
    const f = path.join(home, name);
    writeFileSync(f, text);
    return f;
  };
  await expect(loadForkOverrides(file('mas.yaml', 'mas: { preset: chain }\n'))).rejects.toThrow(/mas\.yaml: mas: cannot change in a fork \(the agents and edges/);
  await expect(loadForkOverrides(file('pool.yaml', 'optimize: { rounds: 4, poolSize: 9 }\n'))).rejects.toThrow(/pool\.yaml: optimize\.poolSize: cannot change in a fork \(the pool was drawn with it\)/);
  await expect(loadForkOverrides(file('backbone.yaml', 'models: { backbone: { provider: sim, model: x } }\n'))).rejects.toThrow(/models\.backbone: cannot change in a fork/);
  await expect(loadForkOverrides(file('typo.yaml', 'optimize: { roundz: 4 }\n'))).rejects.toThrow(/typo\.yaml: optimize: unknown field 'roundz'/);
  await expect(loadForkOverrides(file('weights.yaml', 'optimize: { weights: { local: 0.9 } }\n'))).rejects.toThrow(/weights\.yaml: optimize\.weights: weights must sum to 1/);
  await expect(loadForkOverrides(file('judge.yaml', 'models: { judge: { provider: nope, model: x } }\n'))).rejects.toThrow(/judge\.yaml: models\.judge\.provider: /);
  const ok = await loadForkOverrides(file('ok.yaml', 'optimize: { rounds: 5, weights: { local: 0.5, lookahead: 0.3, global: 0.2 } }\nmodels: { judge: { provider: sim, model: sim-judge, temperature: 0.3 } }\n'));
  expect(ok.optimize?.rounds).toBe(5);

  // A run that stopped after round 1 never started round 3: refused by the CLI with exit code 2.
  const id = `fork-short-${Date.now()}`;
  await runTinySearch(e, { id, yaml: YAML.replace('rounds: 3', 'rounds: 1'), cacheDir: path.join(home, 'cache', 'llm') });
  await expect(roundStartInput(e.client, id, 2)).rejects.toThrow(`--round: 2 is not a round of ${id} (it has rounds 1–1)`);
  const start = await roundStartInput(e.client, id, 1);
  expect(start.resume).toBeUndefined();
  expect(() => forkInput(start, 1, { optimize: { batchSize: 7 } }, 'b.yaml')).toThrow('b.yaml: optimize.batchSize: 7 exceeds the run\'s poolSize (6)');
  const cli = spawnCli(['fork', id, '--round', '3', '--worker', 'none'], { ...process.env, TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default', MASPO_HOME: home });
  expect(await cli.exited).toBe(2);
  expect(cli.output().trim().split('\n').filter((l) => l.startsWith('maspo:'))).toEqual([`maspo: --round: 3 is not a round of ${id} (it has rounds 1–1)`]);
  const unsafe = spawnCli(['fork', id, '--round', '1', '-c', file('seed.yaml', 'seed: 3\n')], { ...process.env, MASPO_HOME: home });
  expect(await unsafe.exited).toBe(2);
  expect(unsafe.output()).toMatch(/^maspo: .*seed\.yaml: seed: cannot change in a fork \(the pool, the held-out split and the PRNG come from it\)/);
}, 240_000);
