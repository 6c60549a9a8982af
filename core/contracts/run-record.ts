/**
 * The run record: everything about one optimize run (finished, running or stopped) in one JSON document, assembled
 * by the client from Temporal (client/run-record.ts) and rendered offline by `maspo report` (client/report/).
 * It holds facts read from the workflows' histories, nothing derived: the run's input (config, seed prompts), its
 * result, and every unit of the search (each step's beam, cases and scored candidates; each refresh's rewards)
 * with the LLM calls each unit made, by role. Its `prompts` are the winning prompts, so a record file is also
 * a prompts file (`evaluate --prompts run.json`). Pure types and helpers: no I/O.
 */
import { graphOf, topologicalOrder } from '../common/graph';
import type { ModelRole } from './llm';
import type { Ledger, TokenPrice } from './ledger';
import type { HeldOutItems } from './held-out-items';
import type { BeamNode } from '../search/node';
import type { MisalignmentCase } from '../search/types';
import type { ItemVerdicts } from '../search/reward';
import type { CallTotals, HeldOutResult, OptimizeInput, OptimizeResult, ParentOutcome, RoundSummary } from './optimize';

export const RUN_RECORD_KIND = 'maspo-run-record';
export const RUN_RECORD_VERSION = 1;

/** A workflow's state as the record reports it (Temporal's execution status, lower case). */
export type UnitStatus = 'running' | 'completed' | 'failed' | 'canceled' | 'terminated' | 'timed-out' | 'continued-as-new' | 'unknown';

export interface StepRecord {
  kind: 'step';
  workflowId: string;
  status: UnitStatus;
  round: number;
  agentId: string;
  /** 1-based, as in the workflow id `…/step-<s>`. */
  step: number;
  /** Every agent's prompt when the step started (the other agents at their best). */
  prompts: Record<string, string>;
  /** The beam at the start of the step: the parents of this step's proposals. */
  beam: BeamNode[];
  batches: number[][];
  /** Cases injected into this step's proposals (the agent's buffer; fixed profile: marked hard negatives). */
  cases: MisalignmentCase[];
  /** Absent while the step runs (or when it failed). */
  parents?: ParentOutcome[];
  /**
   * Per-item verdicts of each evaluated candidate, read from its workflow's result (`CandidateResult.verdicts`);
   * the credit per edge needs them (run-record-credit.ts). Absent in records from before it and while the step runs.
   */
  verdicts?: CandidateVerdicts[];
  totals?: CallTotals;
  /** Calls made by the step and its candidate evaluations, read from their histories. */
  ledger: Ledger;
}

/** The per-item verdicts of `parents[parent].scored[candidate]` (the workflow `…/parent-<parent>/cand-<candidate>`). */
export interface CandidateVerdicts {
  parent: number;
  candidate: number;
  items: ItemVerdicts[];
}

export interface RefreshRecord {
  kind: 'refresh';
  workflowId: string;
  status: UnitStatus;
  round: number;
  agentId: string;
  batch: number[];
  /** Beam prompts re-scored against the best. */
  targets: string[];
  best: string;
  /** R(p, p_best) per target prompt; absent while running. */
  rewards?: Record<string, number>;
  totals?: CallTotals;
  /** Calls made by the refresh and its evaluations, read from their histories. */
  ledger: Ledger;
}

export type UnitRecord = StepRecord | RefreshRecord;

/** Calls of one held-out evaluation (all backbone), from its result's per-item call records. */
export interface HeldOutSpend {
  workflowId: string;
  ledger: Ledger;
}

export interface RunRecord {
  kind: typeof RUN_RECORD_KIND;
  version: typeof RUN_RECORD_VERSION;
  workflowId: string;
  status: UnitStatus;
  startTime: string;
  closeTime?: string;
  /** When the record was assembled. */
  recordedAt: string;
  /** maspo version that assembled it. */
  maspoVersion: string;
  /** Input of the FIRST execution of the run (before any continue-as-new): config, seed prompts, settings. */
  input: OptimizeInput;
  /** The run's result, once it completed. */
  result?: OptimizeResult;
  /** Winning prompts: the result's, or for a running run the best so far at the last unit boundary seen. */
  prompts: Record<string, string>;
  seedPrompts: Record<string, string>;
  /** Where `prompts` come from. */
  promptsFrom: 'result' | 'latest-step' | 'round-boundary' | 'seed';
  /** Completed round summaries (the result's, or those carried so far by continue-as-new). */
  rounds: RoundSummary[];
  /** Every refresh and step, in schedule order. */
  units: UnitRecord[];
  heldOut?: HeldOutResult;
  heldOutSpend?: { seed?: HeldOutSpend; optimized?: HeldOutSpend };
  /** Per-item outcomes of the held-out evaluations, for comparing runs item by item (absent in older records). */
  heldOutItems?: HeldOutItems;
  /** Executions in the continue-as-new chain, first to last. */
  executions: string[];
  /**
   * A fork's ancestry (`maspo fork`), oldest first: each run it descends from and the round its descendant started
   * at. The units of rounds before a fork's start ran in its ancestors (their calls were paid there) and are listed
   * here too, so the lineage reads from the seed prompts. Absent for a run that is not a fork.
   */
  forks?: ForkOrigin[];
  /** USD per 1M tokens the ledgers were priced with (the run's own pricing, else the default table); null = unpriced. */
  prices: Record<ModelRole, TokenPrice | null>;
}

/** Where a fork started: the run it was forked from and the round (its memo holds it under `FORK_MEMO_KEY`). */
export interface ForkOrigin {
  workflowId: string;
  round: number;
}

export const FORK_MEMO_KEY = 'forkOf';

/** The fork origin in a run's memo; undefined for a run that is not a fork. */
export function forkOriginOf(memo: Record<string, unknown> | undefined): ForkOrigin | undefined {
  const v = memo?.[FORK_MEMO_KEY] as Partial<ForkOrigin> | undefined;
  return v && typeof v.workflowId === 'string' && typeof v.round === 'number' ? { workflowId: v.workflowId, round: v.round } : undefined;
}

/** The ancestor run a unit of a fork's record ran in, or undefined when the record's own run ran it. */
export function inheritedFrom(record: Pick<RunRecord, 'forks'>, unit: Pick<UnitRecord, 'round'>): string | undefined {
  const forks = record.forks ?? [];
  // The latest fork point at or before which the unit's round falls: ancestors[i] ran rounds < forks[i].round.
  for (let i = forks.length - 1; i >= 0; i--) if (unit.round < forks[i].round && (i === 0 || unit.round >= forks[i - 1].round)) return forks[i].workflowId;
  return undefined;
}

export function isRunRecord(raw: unknown): raw is RunRecord {
  return !!raw && typeof raw === 'object' && (raw as { kind?: unknown }).kind === RUN_RECORD_KIND;
}

/**
 * The `{ agentId: prompt }` map of a prompts file, which may be a plain prompts object or a run record (then its
 * winning `prompts`). Returns an error message (naming the field) instead of throwing, for the caller to prefix.
 */
export function promptsFromFileContent(raw: unknown): { prompts: Record<string, unknown> } | { error: string } {
  if (isRunRecord(raw)) {
    if ((raw as { version?: unknown }).version !== RUN_RECORD_VERSION) return { error: `run record version ${String((raw as { version?: unknown }).version)} (this maspo reads ${RUN_RECORD_VERSION})` };
    const p = (raw as { prompts?: unknown }).prompts;
    if (!p || typeof p !== 'object' || Array.isArray(p)) return { error: 'prompts: expected an object { agentId: prompt } in the run record' };
    return { prompts: p as Record<string, unknown> };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: 'expected an object { agentId: prompt } or a run record (maspo export)' };
  return { prompts: raw as Record<string, unknown> };
}

/** Agents in the search's order: topological, as the search visits them (state.order). */
export function agentOrder(record: Pick<RunRecord, 'input'>): string[] {
  return topologicalOrder(graphOf(record.input.ctx.mas));
}
