/**
 * Calibrated forecasts (core/forecast/calibration.ts): a run's calls against the plan of its own configuration give
 * per-unit-kind ratios; another configuration's upper bound scaled by them is its expected call count.
 */
import path from 'node:path';
import { loadConfig } from '../client/config';
import { buildOptimizeInput } from '../client/optimize';
import { expectedPlan, observedUnits, realisationOf, type ObservedUnit } from '../core/forecast/calibration';
import { planSearch, type RoleCalls } from '../core/forecast/plan';
import { optimizeSettings } from '../core/schema/optimize';
import type { SearchSettings } from '../core/search/types';
import { emptyLedger } from '../core/contracts/ledger';
import type { RunRecord } from '../core/contracts/run-record';
import type { SimWorldConfig } from '../core/schema/sim-config';
import { generateTasks } from '../sim/tasks';
import { searchOnSim } from '../fixtures/sim-search';

const chain = { agents: ['predictor', 'reviewer'], edges: [{ from: 'predictor', to: 'reviewer' }] };
const sum = (c: RoleCalls) => c.backbone + c.optimizer + c.judge;

/** The plan's own units, as if a run had made exactly the forecast calls (times `f` per role). */
function unitsOf(settings: SearchSettings, f: RoleCalls = { backbone: 1, optimizer: 1, judge: 1 }): ObservedUnit[] {
  const scale = (c: RoleCalls) => ({ backbone: c.backbone * f.backbone, optimizer: c.optimizer * f.optimizer, judge: c.judge * f.judge });
  return planSearch(settings, chain).turns.flatMap((t) => [
    ...(t.round > 1 ? [{ kind: 'refresh' as const, round: t.round, agentId: t.agentId, calls: scale(t.refresh) }] : []),
    ...t.stepCalls.map((c, i) => ({ kind: 'step' as const, round: t.round, agentId: t.agentId, step: i + 1, calls: scale(c) })),
  ]);
}

test('a run that made exactly its forecast calibrates to ratios of 1 and leaves any plan unchanged', () => {
  const s = optimizeSettings();
  const plan = planSearch(s, chain);
  const r = realisationOf(plan, unitsOf(s));
  expect(r.ratio).toEqual({ step: { backbone: 1, optimizer: 1, judge: 1 }, refresh: { backbone: 1, optimizer: 1, judge: 1 } });
  expect(r.units).toEqual({ step: 18, refresh: 4 });
  expect(r.unobserved).toEqual([]);
  const other = planSearch(optimizeSettings({ batchSize: 20, rounds: 4 }), chain);
  expect(expectedPlan(other, r).total).toEqual(other.total);
});

test('ratios per unit kind and role scale another configuration unit by unit; what the run cannot tell stays an upper bound', () => {
  // a one-round pilot whose steps made 90% of the backbone and 60% of the judge calls forecast: no refresh seen
  const pilot = optimizeSettings({ rounds: 1 });
  const r = realisationOf(planSearch(pilot, chain), unitsOf(pilot, { backbone: 0.9, optimizer: 1, judge: 0.6 }));
  expect(r.ratio.step.backbone).toBeCloseTo(0.9);
  expect(r.ratio.step.judge).toBeCloseTo(0.6);
  expect(r.ratio.refresh).toEqual({ backbone: 1, optimizer: 1, judge: 1 });
  expect(r.unobserved).toEqual(['refresh']);
  const paper = planSearch(optimizeSettings(), chain);
  const e = expectedPlan(paper, r);
  const refresh = paper.turns.reduce((x, t) => ({ backbone: x.backbone + t.refresh.backbone, judge: x.judge + t.refresh.judge }), { backbone: 0, judge: 0 });
  expect(e.total.backbone).toBeCloseTo(0.9 * (paper.total.backbone - refresh.backbone) + refresh.backbone);
  expect(e.total.judge).toBeCloseTo(0.6 * (paper.total.judge - refresh.judge) + refresh.judge);
  expect(e.total.optimizer).toBe(paper.total.optimizer);
  expect(e.rounds.reduce((n, x) => n + sum(x.calls), 0)).toBeCloseTo(sum(e.total));
});

test('units the plan does not have are ignored; a record contributes its completed units, paid and cached alike', () => {
  const s = optimizeSettings({ rounds: 1 });
  const stray: ObservedUnit = { kind: 'step', round: 5, agentId: 'predictor', step: 1, calls: { backbone: 1e6, optimizer: 0, judge: 0 } };
  expect(realisationOf(planSearch(s, chain), [...unitsOf(s), stray]).ratio.step.backbone).toBe(1);

  const ledger = emptyLedger();
  ledger.backbone.paidCalls = 30;
  ledger.backbone.cachedCalls = 10;
  ledger.judge.paidCalls = 7;
  const unit = { kind: 'step' as const, workflowId: 'w/predictor/step-1', round: 1, agentId: 'predictor', step: 1, prompts: {}, beam: [], batches: [], cases: [], ledger };
  const record = { units: [{ ...unit, status: 'completed' as const }, { ...unit, step: 2, status: 'running' as const }] } as Pick<RunRecord, 'units'>;
  expect(observedUnits(record)).toEqual([{ kind: 'step', round: 1, agentId: 'predictor', step: 1, calls: { backbone: 40, optimizer: 0, judge: 7 } }]);
});

test('on the simulator: a one-round pilot with another seed calibrates the paper configuration to within 10% of its calls', async () => {
  const loaded = await loadConfig(path.join(__dirname, '..', 'examples', 'sim-optimize.yaml'));
  const input = await buildOptimizeInput(loaded);
  const world = loaded.config.sim as SimWorldConfig;
  const graph = { agents: input.ctx.mas.agents.map((a) => a.id), edges: input.ctx.mas.edges };
  const search = (settings: SearchSettings, seed: number) =>
    searchOnSim({ ...input.ctx, settings, seed }, generateTasks({ seed: world.seed, split: 'train', size: settings.poolSize, world }).map((t) => t.question));

  const paper = input.ctx.settings;
  const pilotSettings = { ...paper, rounds: 1 };
  const pilot = await search(pilotSettings, loaded.config.seed + 1);
  const realisation = realisationOf(planSearch(pilotSettings, graph), pilot.units);
  const full = await search(paper, loaded.config.seed);
  const upper = planSearch(paper, graph).total;
  const expected = expectedPlan(planSearch(paper, graph), realisation).total;
  console.log(
    `calibration (in-process search): pilot ratios ${JSON.stringify(realisation.ratio.step)}; paper config upper ${sum(upper)}, expected ${sum(expected).toFixed(0)}, requested ${sum(full.requests)} (${(sum(expected) / sum(full.requests)).toFixed(3)})`,
  );
  expect(sum(upper)).toBeGreaterThanOrEqual(sum(full.requests));
  expect(Math.abs(sum(expected) / sum(full.requests) - 1)).toBeLessThan(0.1);
}, 120_000);
