/**
 * Assembles the run record of an optimize run (core/contracts/run-record.ts) from Temporal alone, with no workflow change:
 *
 *   run (`<id>`, one execution per round: continue-as-new) → input of the FIRST execution, result of the last,
 *     rounds `<id>/round-<r>` → units: `<id>/round-<r>/<agent>/step-<s>` (StepInput / StepResult) and
 *       `<id>/round-<r>/<agent>/refresh` (RefreshInput / RefreshResultData), read from the round's own events;
 *       each unit's LLM calls by role from its history and its candidates' (`…/parent-<i>/cand-<c>`, `…/beam-<i>`);
 *     held-out evaluations `<id>/held-out-seed|optimized` → their calls from the results' per-item records.
 *
 * Works on running and stopped runs too (what has happened so far). Heavy fields that the record does not need
 * (the baselines' full outputs, the repeated context) are dropped. Fetches run through one bounded gate.
 */
import { readFile } from 'node:fs/promises';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import type { EvaluateResult } from '../core/contracts/evaluate';
import { heldOutItemsOf, type HeldOutItems } from '../core/contracts/held-out-items';
import { emptyLedger, recordCall, type Ledger, type TokenPrice } from '../core/contracts/ledger';
import { MODEL_ROLES, type ModelRole } from '../core/contracts/llm';
import { promptMap } from '../core/search/state';
import type { OptimizeInput, OptimizeResult, RefreshInput, RefreshResultData, StepInput, StepResult } from '../core/contracts/optimize';
import { DEFAULT_PRICES, lookupPrice } from '../core/forecast/pricing';
import { isFreeProvider } from '../activities/llm/providers/registry';
import { forkOriginOf, isRunRecord, RUN_RECORD_KIND, RUN_RECORD_VERSION, type ForkOrigin, type RunRecord, type UnitRecord } from '../core/contracts/run-record';
import { ConfigError } from './config';
import { withConnection } from './connect';
import { UsageError } from './errors';
import { packageVersion } from './package-info';
import { executionChain, readExecution, type ChildRun, type ExecutionHistory, type LlmCallSeen } from './workflow-history';
import { stepVerdicts } from './run-record-verdicts';

export interface AssembleOptions {
  /** Histories fetched at once (default 8). */
  concurrency?: number;
  now?: () => Date;
}

type Gate = <T>(job: () => Promise<T>) => Promise<T>;
type Read = (workflowId: string, runId?: string) => Promise<ExecutionHistory>;
type Prices = Record<ModelRole, TokenPrice | null>;

function gate(limit: number): Gate {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** An optimize run's description; a missing workflow or one of another type is a one-line usage error. */
export async function describeOptimizeRun(client: Client, workflowId: string): Promise<WorkflowExecutionDescription> {
  let description: WorkflowExecutionDescription;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw new UsageError(`${workflowId}: no such workflow in namespace ${client.options.namespace}`);
    throw e;
  }
  if (description.type !== 'optimizeMas') throw new UsageError(`${workflowId}: a ${description.type} workflow, not an optimize run (started by \`maspo optimize\`)`);
  return description;
}

export async function assembleRunRecord(client: Client, workflowId: string, opts: AssembleOptions = {}): Promise<RunRecord> {
  const through = gate(opts.concurrency ?? 8);
  const read = (id: string, runId?: string) => through(() => readExecution(client, id, runId));

  const description = await describeOptimizeRun(client, workflowId);
  const { chain, runIds } = await executionChain(read, workflowId, description.runId);
  const first = chain[0];
  const last = chain[chain.length - 1];
  const input = await first.input<OptimizeInput>();
  const prices = pricesOf(input);
  const latestInput = chain.length > 1 ? await last.input<OptimizeInput>() : input;
  const result = await last.result<OptimizeResult>();

  const roundRuns = chain.flatMap((x) => x.children.filter((c) => c.type === 'optimizeRound'));
  const rounds = await Promise.all(roundRuns.map(async (r) => ({ run: r, units: await unitsOfRound(await read(r.workflowId, r.runId), read, prices) })));
  const units = rounds.flatMap((r) => r.units);

  const seedPrompts = Object.fromEntries(input.ctx.mas.agents.map((a) => [a.id, a.prompt]));
  const prompts = currentPrompts(result, latestInput, rounds, seedPrompts);

  const heldOutRuns = last.children.filter((c) => c.type === 'evaluateMas');
  const heldOutSpend: NonNullable<RunRecord['heldOutSpend']> = {};
  const heldOutItems: HeldOutItems = {};
  for (const c of heldOutRuns) {
    const which = c.workflowId.endsWith('/held-out-seed') ? 'seed' : c.workflowId.endsWith('/held-out-optimized') ? 'optimized' : undefined;
    const r = which ? await c.result<EvaluateResult>() : undefined;
    if (which && r) heldOutSpend[which] = { workflowId: c.workflowId, ledger: ledgerOf(r.records.flatMap((x) => x.calls.map((call) => ({ role: 'backbone' as const, ...call }))), prices) };
    if (which && r) heldOutItems[which] = heldOutItemsOf(r.records);
  }

  const fork = await forkAncestry(client, description.memo, opts);

  const now = opts.now?.() ?? new Date();
  return {
    kind: RUN_RECORD_KIND,
    version: RUN_RECORD_VERSION,
    workflowId,
    status: statusName(description.status.name),
    startTime: first.startTime ?? description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString(),
    recordedAt: now.toISOString(),
    maspoVersion: packageVersion(),
    input,
    result,
    prompts: prompts.prompts,
    seedPrompts,
    promptsFrom: prompts.from,
    rounds: result?.rounds ?? latestInput.resume?.rounds ?? [],
    units: [...fork.units, ...units],
    heldOut: result?.heldOut,
    heldOutSpend: Object.keys(heldOutSpend).length ? heldOutSpend : undefined,
    heldOutItems: Object.keys(heldOutItems).length ? heldOutItems : undefined,
    executions: runIds,
    ...(fork.forks.length ? { forks: fork.forks } : {}),
    prices,
  };
}

/**
 * A fork's ancestry and the units it inherited: its parent's record (itself following the parent's own fork
 * origin) cut at the round the fork started from. A parent that is gone (retention) leaves the origin on record
 * with no inherited units.
 */
async function forkAncestry(client: Client, memo: Record<string, unknown> | undefined, opts: AssembleOptions): Promise<{ forks: ForkOrigin[]; units: UnitRecord[] }> {
  const origin = forkOriginOf(memo);
  if (!origin) return { forks: [], units: [] };
  try {
    const parent = await assembleRunRecord(client, origin.workflowId, opts);
    return { forks: [...(parent.forks ?? []), origin], units: parent.units.filter((u) => u.round < origin.round) };
  } catch (e) {
    if (e instanceof UsageError) return { forks: [origin], units: [] };
    throw e;
  }
}

/** The round's refreshes and steps in the order the round started them (schedule order: units run one at a time). */
async function unitsOfRound(round: ExecutionHistory, read: Read, prices: Prices): Promise<UnitRecord[]> {
  const roundNumber = Number(/\/round-(\d+)$/.exec(round.workflowId)?.[1] ?? 0);
  const out: UnitRecord[] = [];
  for (const child of round.children) {
    if (child.type === 'optimizeStep') {
      const i = await child.input<StepInput>();
      const r = await child.result<StepResult>();
      // One read of the step's history serves its verdicts (its candidates' results) and its calls.
      const history = await readIfStarted(child, read);
      out.push({
        kind: 'step',
        workflowId: child.workflowId,
        status: child.status,
        round: i.round,
        agentId: i.agentId,
        step: i.step,
        prompts: i.prompts,
        beam: i.beam,
        batches: i.batches,
        cases: i.cases,
        parents: r?.parents,
        verdicts: r && history ? await stepVerdicts(history) : undefined,
        totals: r?.totals,
        ledger: ledgerOf(history ? await callsBelow(history, read) : [], prices),
      });
    } else if (child.type === 'refreshBeam') {
      const i = await child.input<RefreshInput>();
      const r = await child.result<RefreshResultData>();
      out.push({
        kind: 'refresh',
        workflowId: child.workflowId,
        status: child.status,
        round: i.round ?? roundNumber,
        agentId: i.agentId,
        batch: i.batch,
        targets: i.targets,
        best: i.best,
        rewards: r?.rewards,
        totals: r?.totals,
        ledger: ledgerOf(await treeCalls(child, read), prices),
      });
    }
  }
  return out;
}

/** LLM calls of a workflow and all its descendants, from their histories (children read in parallel). */
async function treeCalls(run: Pick<ChildRun, 'workflowId' | 'runId'>, read: Read): Promise<LlmCallSeen[]> {
  const history = await readIfStarted(run, read);
  return history ? callsBelow(history, read) : [];
}

/** The calls of an execution already read, and of all its descendants. */
async function callsBelow(history: ExecutionHistory, read: Read): Promise<LlmCallSeen[]> {
  const children = await Promise.all(history.children.map((c) => treeCalls(c, read)));
  return [...history.llmCalls, ...children.flat()];
}

/** A child's history; undefined when its start failed and it never ran. */
async function readIfStarted(run: Pick<ChildRun, 'workflowId' | 'runId'>, read: Read): Promise<ExecutionHistory | undefined> {
  try {
    return await read(run.workflowId, run.runId);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return undefined;
    throw e;
  }
}

function ledgerOf(calls: readonly LlmCallSeen[], prices: Prices): Ledger {
  const ledger = emptyLedger();
  for (const c of calls) recordCall(ledger, c.role, c, prices[c.role]);
  return ledger;
}

/** The prices the run accounted with; a run from before ledgers is priced with the default table. */
function pricesOf(input: OptimizeInput): Prices {
  const own = input.ctx.pricing?.prices;
  return Object.fromEntries(MODEL_ROLES.map((r) => [r, own ? own[r] : (lookupPrice(input.ctx.models[r], {}, DEFAULT_PRICES, isFreeProvider)?.price ?? null)])) as Prices;
}

function currentPrompts(
  result: OptimizeResult | undefined,
  latestInput: OptimizeInput,
  rounds: Array<{ run: ChildRun; units: UnitRecord[] }>,
  seed: Record<string, string>,
): { prompts: Record<string, string>; from: RunRecord['promptsFrom'] } {
  if (result) return { prompts: result.prompts, from: 'result' };
  const running = rounds.filter((r) => r.run.status === 'running').at(-1);
  const latest = running?.units.at(-1);
  if (latest?.kind === 'step') return { prompts: latest.prompts, from: 'latest-step' };
  if (latestInput.resume) return { prompts: promptMap(latestInput.resume.state), from: 'round-boundary' };
  return { prompts: seed, from: 'seed' };
}

function statusName(name: string): RunRecord['status'] {
  const map: Record<string, RunRecord['status']> = {
    RUNNING: 'running',
    COMPLETED: 'completed',
    FAILED: 'failed',
    CANCELLED: 'canceled',
    TERMINATED: 'terminated',
    TIMED_OUT: 'timed-out',
    CONTINUED_AS_NEW: 'continued-as-new',
  };
  return map[name] ?? 'unknown';
}

/** Reads a run record written by `maspo export -o`; a file that is not one is a one-line error naming it. */
export async function readRunRecord(file: string): Promise<RunRecord> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: ${code === 'ENOENT' ? 'no such file' : code ? `cannot read (${code})` : `invalid JSON (${(e as Error).message})`}`);
  }
  if (!isRunRecord(raw)) throw new ConfigError(`${file}: not a maspo run record (kind: ${RUN_RECORD_KIND} expected; write one with \`maspo export <workflowId> -o run.json\`)`);
  if (raw.version !== RUN_RECORD_VERSION) throw new ConfigError(`${file}: version: run record version ${String(raw.version)} (this maspo reads ${RUN_RECORD_VERSION})`);
  for (const field of ['input', 'prompts', 'seedPrompts', 'units', 'rounds', 'prices'] as const) {
    if (raw[field] === undefined || raw[field] === null) throw new ConfigError(`${file}: ${field}: missing from the run record`);
  }
  if (!Array.isArray(raw.units)) throw new ConfigError(`${file}: units: expected an array`);
  return raw;
}

/** An optimize run's record read from Temporal (connects like every command; closes the connection after). */
export async function recordFromTemporal(workflowId: string): Promise<RunRecord> {
  return withConnection((temporal) => assembleRunRecord(temporal.client, workflowId));
}
