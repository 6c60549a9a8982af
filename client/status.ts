/** A workflow's status (`maspo status <workflowId>`): state, progress, pending LLM calls with their retry state, and the result. */
import type { Client } from '@temporalio/client';
import { messageFor } from './errors';
import { evaluationProgress } from './evaluate';
import { formatEvaluation, formatOptimization } from './format';
import type { EvaluateResult } from '../core/contracts/evaluate';
import type { OptimizeResult } from '../core/contracts/optimize';
import { runCredit, type RunCredit } from '../core/contracts/run-record-credit';
import { formatSearchProgress, optimizationProgress, type SearchProgressView } from './optimize';
import { formatCreditTable } from './report/credit-text';
import { assembleRunRecord } from './run-record';

export interface PendingCall {
  activityId: string;
  type: string;
  attempt: number;
  state: string;
  lastFailure?: string;
  nextAttemptAt?: string;
}

export interface StatusReport {
  workflowId: string;
  type: string;
  status: string;
  startTime: string;
  closeTime?: string;
  searchAttributes: Record<string, unknown>;
  progress?: unknown;
  pending: PendingCall[];
  result?: unknown;
  /** A finished optimize run: credit per agent and edge, from its run record (core/contracts/run-record-credit.ts). */
  credit?: RunCredit;
  failure?: string;
}

/** Pending activities of the workflow and of its running children (where evaluation LLM calls live). */
async function pendingCalls(client: Client, workflowId: string): Promise<PendingCall[]> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const own = (d.raw.pendingActivities ?? []).map((a) => ({
    activityId: `${workflowId}:${a.activityId}`,
    type: a.activityType?.name ?? '?',
    attempt: a.attempt ?? 1,
    state: String(a.state ?? ''),
    lastFailure: a.lastFailure?.message ?? undefined,
    nextAttemptAt: a.nextAttemptScheduleTime?.seconds ? new Date(Number(a.nextAttemptScheduleTime.seconds) * 1000).toISOString() : undefined,
  }));
  const children = (d.raw.pendingChildren ?? []).map((c) => c.workflowId!).filter(Boolean);
  const nested = await Promise.all(children.map((id) => pendingCalls(client, id).catch(() => [])));
  return [...own, ...nested.flat()];
}

export async function statusReport(client: Client, workflowId: string): Promise<StatusReport> {
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  const report: StatusReport = {
    workflowId,
    type: d.type,
    status: d.status.name,
    startTime: d.startTime.toISOString(),
    closeTime: d.closeTime?.toISOString(),
    searchAttributes: Object.fromEntries(d.typedSearchAttributes.getAll().filter((p) => p.key.name.startsWith('Maspo')).map((p) => [p.key.name, p.value])),
    pending: [],
  };
  if (d.status.name === 'RUNNING') {
    if (d.type === 'evaluateMas') report.progress = await evaluationProgress(client, workflowId).catch(() => undefined);
    if (d.type === 'optimizeMas') report.progress = await optimizationProgress(client, workflowId).catch(() => undefined);
    report.pending = await pendingCalls(client, workflowId);
  } else if (d.status.name === 'COMPLETED') {
    report.result = await handle.result();
    // Reads every unit's history (as `maspo export` does); the status still shows without it.
    if (d.type === 'optimizeMas') report.credit = await assembleRunRecord(client, workflowId).then(runCredit, () => undefined);
  } else if (d.status.name === 'FAILED') {
    // The innermost cause: a search fails through several child workflows before the activity's own message.
    report.failure = await handle.result().then(
      () => undefined,
      (e: unknown) => messageFor(e).replace(/^workflow failed: /, ''),
    );
  }
  return report;
}

/** The report as terminal lines. */
export function formatStatus(r: StatusReport): string {
  const out = [`${r.workflowId} · ${r.type} · ${r.status} · started ${r.startTime}${r.closeTime ? ` · closed ${r.closeTime}` : ''}`];
  const sa = Object.entries(r.searchAttributes).map(([k, v]) => `${k}=${v}`).join(' ');
  if (sa) out.push(`search attributes: ${sa}`);
  if (r.progress) out.push(`progress: ${r.type === 'optimizeMas' ? formatSearchProgress(r.progress as SearchProgressView) : JSON.stringify(r.progress)}`);
  for (const p of r.pending) {
    out.push(`pending ${p.type} ${p.activityId} attempt ${p.attempt}${p.lastFailure ? ` · last error: ${p.lastFailure}` : ''}${p.nextAttemptAt ? ` · next attempt ${p.nextAttemptAt}` : ''}`);
  }
  if (r.result && r.type === 'evaluateMas') out.push(formatEvaluation(r.result as EvaluateResult, r.workflowId));
  if (r.result && r.type === 'optimizeMas') out.push(formatOptimization(r.result as OptimizeResult, r.workflowId));
  if (r.credit) out.push(formatCreditTable(r.credit));
  if (r.failure) out.push(`failure: ${r.failure}`);
  return out.join('\n');
}
