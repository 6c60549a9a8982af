/**
 * The forecast of `maspo plan <config> [--json] [--calibrate <run>]`: the LLM calls, tokens and dollars of `maspo optimize
 * <config>` per role and per round, plus the held-out evaluation, WITHOUT calling any model. Calls come from
 * core/forecast/plan.ts (the call-count formula: an upper bound), tokens and dollars from core/forecast/pricing.ts (estimates,
 * list prices). `--calibrate` adds the EXPECTED calls: the upper bound scaled unit by unit by how many of its
 * forecast calls an earlier run of the same profile and strategy really made (core/forecast/calibration.ts) — read from
 * an exported run record, or from Temporal by workflow id (the only case that connects to a server).
 */
import { existsSync } from 'node:fs';
import { graphOf } from '../core/common/graph';
import { expectedPlan, observedUnits, realisationOf, reconcile, type Realisation, type Reconciliation } from '../core/forecast/calibration';
import { planSearch, type PlanOptions, type SearchPlan } from '../core/forecast/plan';
import type { RunRecord } from '../core/contracts/run-record';
import {
  DEFAULT_PRICES,
  DEFAULT_TOKEN_ASSUMPTIONS,
  forecastCost,
  heldOutCalls,
  ROLES,
  searchTokenEstimates,
  type CostBlock,
  type CostForecast,
  type CostLine,
  type Prices,
  type TokenAssumptions,
} from '../core/forecast/pricing';
import { isFreeProvider, providerDefinition } from '../activities/llm/providers/registry';
import { forecastPhaseSeconds, type PhaseTime, type ThroughputProfile } from '../core/forecast/throughput';
import type { Role } from '../core/forecast/pricing';
import { maspoHome } from '../platform/home';
import { ConfigError, type LoadedConfig } from './config';
import { UsageError } from './errors';
import { buildOptimizeInput } from './optimize';
import { loadDatasetItems } from '../activities/dataset-items';
import { readRunRecord, recordFromTemporal } from './run-record';

export interface PlanReport {
  config: string;
  runName: string;
  strategy: string;
  profile: string;
  search: { rounds: number; stepsPerRound: number; beamWidth: number; proposalsPerParent: number; poolSize: number; batchSize: number; agents: string[] };
  models: Record<'backbone' | 'optimizer' | 'judge', { provider: string; model: string; maxTokens: number }>;
  calls: SearchPlan;
  heldOut: { items: number; agents: number } | null;
  cost: CostForecast;
  /** Roles on models this host serves (provider: local): a work-based wall-clock estimate from their measured speed. */
  wallClock?: WallClockForecast;
  /** With `--calibrate`: the expected calls and cost, from an earlier run's realisation of its own forecast. */
  expected?: { from: string; runConfig: string; realisation: Realisation; reconciliation: Reconciliation; calls: SearchPlan; cost: CostForecast };
  assumptions: string[];
}

export interface WallClockForecast {
  search: PhaseTime;
  heldOut?: PhaseTime;
  /** Seconds, search + held-out, for the roles with a speed profile. */
  totalSeconds: number;
  /** Requests in flight assumed per role and phase. */
  inFlight: { search: Record<Role, number>; heldOut: number };
  /** Where each profiled model's speed comes from. */
  sources: Record<string, string>;
}

/**
 * Wall-clock of the roles whose provider knows its speed on this host (core/forecast/throughput.ts). In flight at
 * once: a step's K·Ksub candidates on |B| items (backbone and judge), K·Ksub proposals, each capped by the role's
 * concurrency; held-out: the evaluation's concurrency, capped by the backbone's.
 */
function wallClockForecast(loaded: LoadedConfig, cost: CostForecast, models: Record<Role, { provider: string; model: string }>, s: { beamWidth: number; proposalsPerParent: number; batchSize: number }): WallClockForecast | undefined {
  const home = maspoHome();
  const profiles: Partial<Record<Role, ThroughputProfile>> = {};
  const sources: Record<string, string> = {};
  for (const role of ROLES) {
    const p = providerDefinition(models[role].provider)?.throughput?.(models[role].model, home);
    if (!p) continue;
    profiles[role] = p;
    sources[models[role].model] = p.source;
  }
  if (Object.keys(profiles).length === 0) return undefined;
  const conc = (role: Role) => loaded.config.models[role]?.concurrency ?? 1;
  const candidates = s.beamWidth * s.proposalsPerParent;
  const search = { backbone: Math.min(conc('backbone'), candidates * s.batchSize), optimizer: Math.min(conc('optimizer'), candidates), judge: Math.min(conc('judge'), candidates * s.batchSize) };
  const heldOutInFlight = Math.min(conc('backbone'), loaded.config.evaluate.concurrency);
  const searchTime = forecastPhaseSeconds(cost.search, profiles, search);
  const heldOut = cost.heldOut ? forecastPhaseSeconds(cost.heldOut, profiles, { backbone: heldOutInFlight, optimizer: 1, judge: 1 }) : undefined;
  return { search: searchTime, ...(heldOut ? { heldOut } : {}), totalSeconds: (searchTime.seconds ?? 0) + (heldOut?.seconds ?? 0), inFlight: { search, heldOut: heldOutInFlight }, sources };
}

/** The forecast-vs-made ratios of an earlier run (its record), checked to be comparable with this config. */
function calibrationFrom(record: RunRecord, settings: { profile: string; strategy: string }): { realisation: Realisation; reconciliation: Reconciliation } {
  const ctx = record.input.ctx;
  const s = ctx.settings;
  if (s.profile !== settings.profile || s.strategy !== settings.strategy)
    throw new ConfigError(`--calibrate: run ${record.workflowId} is ${s.strategy}/${s.profile}, this config ${settings.strategy}/${settings.profile}; calibrate from a run of the same strategy and profile`);
  const graph = graphOf(ctx.mas);
  const realisation = realisationOf(planSearch(s, graph), observedUnits(record));
  if (realisation.units.step === 0) throw new ConfigError(`--calibrate: run ${record.workflowId} has no completed step to learn from`);
  return { realisation, reconciliation: reconcile(s, graph, record) };
}

/** Builds the forecast for a loaded config (reads dataset files to validate them; calls no model). */
export async function planReport(loaded: LoadedConfig, opts: { tokens?: Partial<TokenAssumptions>; plan?: PlanOptions; calibrate?: RunRecord } = {}): Promise<PlanReport> {
  const input = await buildOptimizeInput(loaded);
  const { ctx } = input;
  const graph = graphOf(ctx.mas);
  const calls = planSearch(ctx.settings, graph, opts.plan);
  const prices: Prices = loaded.config.prices ?? {};
  const assumptions: TokenAssumptions = { ...DEFAULT_TOKEN_ASSUMPTIONS, ...opts.tokens, outputFraction: { ...DEFAULT_TOKEN_ASSUMPTIONS.outputFraction, ...opts.tokens?.outputFraction } };
  const tokens = searchTokenEstimates(ctx, assumptions);
  // The held-out run evaluates seed and optimised prompts on every item outside the pool (a file's split is counted).
  const heldItems = !input.heldOut ? 0 : input.heldOut.dataset.kind === 'sim' ? input.heldOut.dataset.size : (await loadDatasetItems(input.heldOut.dataset)).length;
  const held = input.heldOut ? { items: heldItems, agents: graph.agents.length } : null;
  const cost = forecastCost({ rounds: calls.rounds, heldOut: held ? heldOutCalls(held.items, held.agents) : undefined }, ctx.models, prices, tokens, DEFAULT_PRICES, isFreeProvider);
  const s = ctx.settings;
  const frac = assumptions.outputFraction;
  let expected: PlanReport['expected'];
  if (opts.calibrate) {
    const { realisation, reconciliation } = calibrationFrom(opts.calibrate, s);
    const exp = expectedPlan(calls, realisation);
    const r = opts.calibrate.input.ctx.settings;
    expected = {
      from: opts.calibrate.workflowId,
      runConfig: `D=${r.rounds} T=${r.stepsPerRound} K=${r.beamWidth} Ksub=${r.proposalsPerParent} |B|=${r.batchSize}, run seed ${opts.calibrate.input.ctx.seed}`,
      realisation,
      reconciliation,
      calls: exp,
      cost: forecastCost({ rounds: exp.rounds, heldOut: held ? heldOutCalls(held.items, held.agents) : undefined }, ctx.models, prices, tokens, DEFAULT_PRICES, isFreeProvider),
    };
  }
  const wallClock = wallClockForecast(loaded, cost, ctx.models, s);
  return {
    config: loaded.file,
    runName: ctx.runName,
    strategy: s.strategy,
    profile: s.profile,
    search: { rounds: s.rounds, stepsPerRound: s.stepsPerRound, beamWidth: s.beamWidth, proposalsPerParent: s.proposalsPerParent, poolSize: s.poolSize, batchSize: s.batchSize, agents: graph.agents },
    models: Object.fromEntries(ROLES.map((r) => [r, { provider: ctx.models[r].provider, model: ctx.models[r].model, maxTokens: ctx.models[r].maxTokens }])) as PlanReport['models'],
    calls,
    heldOut: held,
    cost,
    ...(wallClock ? { wallClock } : {}),
    ...(expected ? { expected } : {}),
    assumptions: [
      'calls (upper bound; budget reservations use it): every proposal usable and distinct (C = Ksub candidates per parent), beams fill as fast as possible, a refresh evaluates beam size − 1 nodes, no identical/empty outputs skipped; the response cache is not modelled (it can only lower paid calls) — see core/forecast/plan.ts',
      held
        ? `held-out: seed and optimised prompts on ${held.items} test items × ${held.agents} agents = ${2 * held.items * held.agents} backbone calls (cache hits for unchanged prompts lower this); skipped if the run is stopped`
        : 'held-out: none (optimize.heldOut: false)',
      `tokens (estimates): ${assumptions.charsPerToken} chars/token, question ${assumptions.questionTokens} tokens, replies = ${frac.backbone} / ${frac.optimizer} / ${frac.judge} × maxTokens (backbone / optimizer / judge); prompts from the config's templates and the meta/judge prompts' fixed text — see core/forecast/pricing.ts`,
      'dollars: list prices (USD / 1M tokens, no caching or batch discounts) — check them and override with `prices:` in the config; unpriced models are reported, not guessed',
    ],
  };
}

const num = (n: number) => Math.round(n).toLocaleString('en-US');
const usd = (d: number | null) => (d === null ? 'unpriced' : d === 0 ? '$0' : d < 0.01 ? `$${d.toFixed(4)}` : `$${d.toFixed(2)}`);
const pad = (s: string, n: number) => s.padStart(n);

export function formatPlan(r: PlanReport): string {
  const c = r.cost;
  const s = r.search;
  const lines = [
    `plan ${r.runName} (${r.config}) · ${r.strategy}, ${r.profile} profile · D=${s.rounds} T=${s.stepsPerRound} K=${s.beamWidth} Ksub=${s.proposalsPerParent} pool=${s.poolSize} |B|=${s.batchSize} · agents ${s.agents.join(' → ')}`,
    `models: ${ROLES.map((role) => `${role} ${r.models[role].model} (${r.models[role].provider}, maxTokens ${r.models[role].maxTokens})`).join(' · ')}`,
    '',
    'LLM calls (upper bound)   backbone  optimizer      judge      total',
  ];
  const row = (label: string, b: CostBlock) =>
    `${label.padEnd(22)} ${ROLES.map((role) => pad(num(b.roles[role].calls), 10)).join(' ')} ${pad(num(b.total.calls), 10)}`;
  for (const round of c.rounds) lines.push(row(`  round ${round.round}`, round));
  lines.push(row('  search total', c.search));
  if (c.heldOut && r.heldOut) lines.push(row('  held-out eval', c.heldOut) + `   (seed + optimised: 2 × ${num(r.heldOut.items)} items × ${r.heldOut.agents} agents)`);
  lines.push(row('  TOTAL', c.total));
  if (r.calls.summaries) lines.push(`  (${num(r.calls.summaries)} of the backbone calls are hand-off summaries)`);
  if (r.expected) lines.push('', ...formatExpected(r.expected, row));
  lines.push('', 'tokens and dollars (estimates)   calls    in tok/call  out tok/call      input tok     output tok      dollars  price (USD/1M in/out)');
  const costRow = (label: string, line: CostLine, role?: (typeof ROLES)[number]) => {
    const p = role ? c.prices[role] : undefined;
    const per = role ? c.tokensPerCall[role] : undefined;
    const price = role ? (p ? `${p.price.input}/${p.price.output} (${p.source}: ${p.key})` : 'UNPRICED') : '';
    return `  ${label.padEnd(30)} ${pad(num(line.calls), 7)} ${pad(per ? num(per.input) : '', 14)} ${pad(per ? num(per.output) : '', 13)} ${pad(num(line.inputTokens), 14)} ${pad(num(line.outputTokens), 14)} ${pad(usd(line.dollars), 12)}  ${price}`;
  };
  for (const role of ROLES) lines.push(costRow(role, c.total.roles[role], role));
  if (c.heldOut) lines.push(costRow('of which held-out eval', c.heldOut.total));
  lines.push(costRow('TOTAL', c.total.total));
  for (const round of c.rounds) lines.push(`  round ${round.round}: ${num(round.total.calls)} calls, ~${usd(round.total.dollars)}`);
  if (c.unpriced.length) lines.push(`  UNPRICED: ${c.unpriced.join(', ')} — dollar totals exclude them; add \`prices: { <model>: { input, output } }\` to the config`);
  if (r.wallClock) lines.push('', ...formatWallClock(r.wallClock));
  lines.push('', 'assumptions:', ...r.assumptions.map((a) => `  - ${a}`));
  return lines.join('\n');
}

const duration = (sec: number) => (sec < 90 ? `${Math.round(sec)} s` : sec < 5400 ? `${(sec / 60).toFixed(0)} min` : `${(sec / 3600).toFixed(1)} h`);

function formatWallClock(w: WallClockForecast): string[] {
  const phase = (label: string, t: PhaseTime | undefined) =>
    t ? `  ${label.padEnd(20)} ${ROLES.map((role) => pad(t.roles[role] === null ? '—' : duration(t.roles[role]!), 10)).join(' ')} ${pad(t.seconds === null ? '—' : duration(t.seconds), 10)}` : undefined;
  return [
    'wall-clock on local models (estimate)   backbone  optimizer      judge      total',
    ...[phase('search', w.search), phase('held-out eval', w.heldOut)].filter((l): l is string => l !== undefined),
    `  TOTAL ${duration(w.totalSeconds)} — tokens ÷ measured speed at ${w.inFlight.search.backbone} / ${w.inFlight.search.optimizer} / ${w.inFlight.search.judge} requests in flight (search) and ${w.inFlight.heldOut} (held-out); local models take turns on the CPU, so roles add up`,
    ...Object.entries(w.sources).map(([model, source]) => `  speed of ${model}: ${source}`),
  ];
}

const PLURAL = { step: 'steps', refresh: 'refreshes' } as const;

function formatExpected(e: NonNullable<PlanReport['expected']>, row: (label: string, b: CostBlock) => string): string[] {
  const ratios = (k: 'step' | 'refresh') =>
    e.realisation.units[k] === 0
      ? `${PLURAL[k]}: none in the run (upper bound kept)`
      : `${PLURAL[k]} (${e.realisation.units[k]}): ${ROLES.map((role) => `${role} ${e.realisation.ratio[k][role].toFixed(3)}`).join(', ')}`;
  const c = e.cost;
  return [
    `LLM calls (expected)      backbone  optimizer      judge      total   calibrated from run ${e.from} (${e.runConfig})`,
    ...c.rounds.map((round) => row(`  round ${round.round}`, round)),
    row('  search total', c.search),
    ...(c.heldOut ? [row('  held-out eval', c.heldOut)] : []),
    row('  TOTAL', c.total) + `   ~${usd(c.total.total.dollars)}`,
    `  made ÷ forecast in that run: ${ratios('step')}; ${ratios('refresh')}`,
    `  that run against the formula on its own decisions (candidates evaluated, refresh targets, batch items; ${e.reconciliation.units} units): ${reconciled(e.reconciliation)}`,
  ];
}

/** "backbone 1,650 = 1,650 · … · judge 1,382 of 2,100 (718 not requested)": what the formula cannot know, shown. */
function reconciled(r: Reconciliation): string {
  return ROLES.map((role) => (r.made[role] === r.formula[role] ? `${role} ${num(r.made[role])} = ${num(r.formula[role])}` : `${role} ${num(r.made[role])} of ${num(r.formula[role])} (${num(r.formula[role] - r.made[role])} not requested)`)).join(' · ');
}

/** A run record from a file (when the argument names one) or from Temporal (an optimize workflow id). */
export async function loadCalibrationRecord(run: string): Promise<RunRecord> {
  if (run.trim() === '') throw new UsageError('--calibrate: expected a run record file or an optimize workflow id');
  if (existsSync(run)) return readRunRecord(run);
  if (/\.json$/i.test(run)) throw new UsageError(`--calibrate: ${run}: no such file`);
  return recordFromTemporal(run);
}
