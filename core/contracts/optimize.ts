/**
 * Data crossing the boundaries of the optimisation workflows (run → round → step → candidate). Pure types and
 * small accounting helpers; the search state and its arithmetic live in core/search/.
 */
import type { AgentOutput, EvaluateOptions, EvaluateResult } from './evaluate';
import type { DatasetRef, ItemView } from './dataset';
import type { MasSpec } from './mas';
import type { AccuracySummary } from '../common/stats';
import type { PairedComparison } from '../common/paired-stats';
import type { SearchAttributePair } from '@temporalio/common';
import { startingAttributes } from './search-attributes';
import { addUsage, emptyUsage, type LlmDispatch, type LlmResult, type LlmUsage, type ModelRole, type ModelSpec } from './llm';
import type { BeamNode } from '../search/node';
import type { SearchState } from '../search/state';
import type { ItemVerdicts, RewardBreakdown, VerdictTally } from '../search/reward';
import type { MisalignmentCase, SearchSettings } from '../search/types';
import type { RefreshRequest, StepRequest } from '../search/search';
import { addLedgers, emptyLedger, recordCall, type Budget, type Ledger, type RunPricing, type TokenPrice } from './ledger';

/** Everything every workflow of one run needs besides the search state. */
export interface SearchContext {
  runName: string;
  seed: number;
  taskQueue: string;
  /** The unlabelled optimisation split (the pool is drawn from its items); answers are never loaded. */
  dataset: DatasetRef;
  /** The MAS with its SEED prompts (the current prompts come from the search state). */
  mas: MasSpec;
  models: { backbone: ModelSpec; optimizer: ModelSpec; judge: ModelSpec };
  settings: SearchSettings;
  /** Items evaluated concurrently inside one workflow. */
  concurrency: number;
  llmHeartbeatTimeoutMs: number;
  /** Where LLM calls are scheduled (core/contracts/llm.ts); absent in inputs from before the choice: `role-queues`. */
  llmDispatch?: LlmDispatch;
  /** Prices and token bounds for the ledger and budget reservations (absent: calls are counted, not priced). */
  pricing?: RunPricing;
}

export interface CallTotals {
  calls: Record<ModelRole, number>;
  cached: number;
  usage: LlmUsage;
  /** Judge replies that could not be parsed (counted as ties). */
  unparseableVerdicts: number;
  /** Comparisons where the two presentation orders disagreed (counted as ties). */
  orderDisagreements: number;
  /** Optimizer replies without a usable prompt. */
  rejectedProposals: number;
  /**
   * Comparisons per kind that went to the judge (one per item, whatever the orders), and lookahead verdicts copied
   * from the global one (a lookahead on the terminal shows the global pair). Absent in payloads from before it.
   */
  comparisons?: ComparisonCounts;
  /** Paid and cached calls, tokens and dollars per role (core/contracts/ledger.ts). Absent in payloads from before ledgers. */
  ledger?: Ledger;
}

export interface ComparisonCounts {
  judged: { local: number; lookahead: number; global: number; terminal: number };
  copiedLookahead: number;
}

export function emptyComparisons(): ComparisonCounts {
  return { judged: { local: 0, lookahead: 0, global: 0, terminal: 0 }, copiedLookahead: 0 };
}

function addComparisons(a: ComparisonCounts | undefined, b: ComparisonCounts | undefined): ComparisonCounts | undefined {
  if (!a) return b;
  if (!b) return a;
  const j = (k: keyof ComparisonCounts['judged']) => a.judged[k] + b.judged[k];
  return { judged: { local: j('local'), lookahead: j('lookahead'), global: j('global'), terminal: j('terminal') }, copiedLookahead: a.copiedLookahead + b.copiedLookahead };
}

export function emptyTotals(): CallTotals {
  return { calls: { backbone: 0, optimizer: 0, judge: 0 }, cached: 0, usage: emptyUsage(), unparseableVerdicts: 0, orderDisagreements: 0, rejectedProposals: 0, ledger: emptyLedger() };
}

export function countCall(t: CallTotals, role: ModelRole, r: Pick<LlmResult, 'cached' | 'usage'>, price?: TokenPrice | null): void {
  t.calls[role]++;
  if (r.cached) t.cached++;
  t.usage = addUsage(t.usage, r.usage);
  t.ledger ??= emptyLedger();
  recordCall(t.ledger, role, r, price);
}

export function addTotals(a: CallTotals, b: CallTotals): CallTotals {
  return {
    calls: { backbone: a.calls.backbone + b.calls.backbone, optimizer: a.calls.optimizer + b.calls.optimizer, judge: a.calls.judge + b.calls.judge },
    cached: a.cached + b.cached,
    usage: addUsage(a.usage, b.usage),
    unparseableVerdicts: a.unparseableVerdicts + b.unparseableVerdicts,
    orderDisagreements: a.orderDisagreements + b.orderDisagreements,
    rejectedProposals: a.rejectedProposals + b.rejectedProposals,
    ledger: addLedgers(a.ledger, b.ledger),
    ...(a.comparisons || b.comparisons ? { comparisons: addComparisons(a.comparisons, b.comparisons) } : {}),
  };
}

/** One item of a batch with the parent's run of the whole system on it (the baseline every candidate is judged against). */
export interface BaselineItem extends ItemView {
  agents: Record<string, AgentOutput>;
}

export interface CandidateInput {
  ctx: SearchContext;
  /** Current best prompts of every agent (the candidate replaces `agentId`'s). */
  prompts: Record<string, string>;
  agentId: string;
  candidate: string;
  parent: string;
  baseline: BaselineItem[];
  mode: 'step' | 'refresh';
  round: number;
  step: number;
}

export interface CandidateResult {
  candidate: string;
  R: number;
  breakdown: RewardBreakdown;
  tally: VerdictTally;
  /** Per-sample outcomes (local / lookahead / global / terminal) from the candidate's side: the audit trail of R. */
  verdicts: ItemVerdicts[];
  /** Cases mined from this evaluation for the optimizer's case slot (misalignment, random or success). */
  cases: MisalignmentCase[];
  /** Share of evaluable items that were misaligned (null when none was evaluable). */
  misalignmentRate: number | null;
  totals: CallTotals;
}

/** A step unit's workflow input: the search's step request (core/search/search.ts) plus the run's context. */
export interface StepInput extends StepRequest<BaselineItem[]> {
  ctx: SearchContext;
}

export interface ParentOutcome {
  parentId: string;
  proposals: Array<{ ok: boolean; reason?: string }>;
  /** Evaluated candidates; R null = identical to the parent (no calls). */
  scored: Array<{ prompt: string; R: number | null; breakdown?: RewardBreakdown; cases: MisalignmentCase[]; misalignmentRate: number | null }>;
}

export interface StepResult {
  parents: ParentOutcome[];
  totals: CallTotals;
}

/** A refresh unit's workflow input: the search's refresh request plus the run's context. */
export interface RefreshInput extends RefreshRequest {
  ctx: SearchContext;
}

export interface RefreshResultData {
  rewards: Record<string, number>;
  /** The runs of the current best on the refresh batch (reused by the first step when it shares the batch). */
  baseline: BaselineItem[];
  totals: CallTotals;
}

export interface RoundSummary {
  round: number;
  prompts: Record<string, string>;
  bestJ: Record<string, number>;
  improvements: number;
  anchorShifts: number;
  totals: CallTotals;
  /** The round's calls split by the agent whose turn made them (absent in rounds recorded before ledgers). */
  byAgent?: Record<string, CallTotals>;
}

/** Held-out evaluation of seed vs optimised prompts after the search (disjoint from the pool by construction). */
export interface HeldOutSpec {
  dataset: DatasetRef;
  options: EvaluateOptions;
}

export interface HeldOutResult {
  dataset: string;
  seed: AccuracySummary;
  optimized: AccuracySummary;
  /** Optimised − seed on the same items: paired bootstrap CI and exact McNemar test (absent in older results). */
  paired?: PairedComparison;
  /** The two evaluations' backbone calls in the ledger (absent in results from before it); not in the run's `totals`. */
  totals?: CallTotals;
  /** Workflow ids of the two evaluations (per-item records live there). */
  workflows: { seed: string; optimized: string };
}

export interface OptimizeInput {
  ctx: SearchContext;
  heldOut?: HeldOutSpec;
  /** Carried through continue-as-new: a pause or stop requested in an earlier execution. */
  control?: 'running' | 'paused' | 'stopping';
  /** Present after continue-as-new: the search so far. */
  resume?: { state: SearchState; rounds: RoundSummary[]; totals: CallTotals };
  /** Spending cap (dollars and/or paid calls); the `budget` update changes it while the run waits or searches. */
  budget?: Budget;
}

/** Why a search ended before its last round: a stop request, or the budget would have been passed. */
export type StopReason = 'stopped' | 'budget_exhausted';

export interface OptimizeResult {
  runName: string;
  strategy: string;
  profile: string;
  seedPrompts: Record<string, string>;
  prompts: Record<string, string>;
  agents: Record<string, { best: BeamNode; beam: BeamNode[]; buffer: number; refreshes: number }>;
  rounds: RoundSummary[];
  totals: CallTotals;
  pool: number[];
  /** Where the pool and the held-out items came from (file, digest, split seed and sizes): the split on record. */
  datasets: { pool: DatasetRef; heldOut?: DatasetRef };
  heldOut?: HeldOutResult;
  /** True when the search ended early (the prompts are the best so far); `stopReason` says why. */
  stopped: boolean;
  stopReason?: StopReason;
  /** The cap in force at the end, when one was set. */
  budget?: Budget;
}

/** Search attributes of a search run, whoever starts it (the CLI, the library or an experiment grid). */
export function searchAttributesOf(input: OptimizeInput): SearchAttributePair[] {
  const { ctx } = input;
  return startingAttributes({
    kind: 'optimize',
    run: ctx.runName,
    dataset: ctx.dataset.name,
    topology: ctx.mas.topology,
    strategy: `${ctx.settings.strategy}/${ctx.settings.profile}`,
  });
}

/** The backbone calls of finished evaluations as call totals, priced call by call (cache hits free). */
export function evaluationTotals(results: readonly EvaluateResult[], price: TokenPrice | null | undefined): CallTotals {
  const t = emptyTotals();
  for (const r of results) for (const item of r.records) for (const c of item.calls) countCall(t, 'backbone', c, price);
  return t;
}

/**
 * Appends a round's summary to the run's list; a round resumed after a budget stop continues the same round, so its
 * summary is merged into that round's (counts and totals summed, per agent too).
 */
export function mergeRound(rounds: RoundSummary[], s: RoundSummary): void {
  const last = rounds[rounds.length - 1];
  if (!last || last.round !== s.round) {
    rounds.push(s);
    return;
  }
  const byAgent = { ...last.byAgent };
  for (const [id, t] of Object.entries(s.byAgent ?? {})) byAgent[id] = byAgent[id] ? addTotals(byAgent[id], t) : t;
  rounds[rounds.length - 1] = {
    ...s,
    improvements: last.improvements + s.improvements,
    anchorShifts: last.anchorShifts + s.anchorShifts,
    totals: addTotals(last.totals, s.totals),
    byAgent,
  };
}
