/**
 * Reads one workflow execution's history into what the run record needs: its input, how it closed and its result,
 * the child workflows it started (input and result of each, from the parent's own events, so a child's history
 * need not be fetched to know them) and the LLM calls it made itself (role, cache hit, tokens). Payloads are
 * decoded with the client's data converter, so a payload codec configured on the connection applies here too.
 */
import type { Client } from '@temporalio/client';
import type { LoadedDataConverter, Payload } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { MODEL_ROLES, type LlmResult, type ModelRole } from '../core/contracts/llm';
import type { UnitStatus } from '../core/contracts/run-record';

type Event = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

/** One completed LLM call: its role, whether the response cache served it, its tokens. */
export interface LlmCallSeen extends Pick<LlmResult, 'cached' | 'usage'> {
  role: ModelRole;
}

export interface ChildRun {
  workflowId: string;
  /** Run id of the child's execution (undefined if it never started): a workflow id may be reused by a later run. */
  runId?: string;
  type: string;
  status: UnitStatus;
  input<T>(): Promise<T>;
  /** Undefined unless the child completed. */
  result<T>(): Promise<T | undefined>;
}

export interface ExecutionHistory {
  workflowId: string;
  /** As asked for (undefined: the latest run). */
  runId?: string;
  type: string;
  status: UnitStatus;
  /** Run id of the execution this one continued (continue-as-new), if any. */
  continuedFrom?: string;
  /** When the execution started (its first event), ISO 8601. */
  startTime?: string;
  input<T>(): Promise<T>;
  result<T>(): Promise<T | undefined>;
  /** Children in the order they were started. */
  children: ChildRun[];
  /** This execution's own `llmCall` activities that completed. */
  llmCalls: LlmCallSeen[];
}

const key = (id: unknown) => String(id ?? '');

function decoder(converter: LoadedDataConverter) {
  return <T>(payloads: Payloads): Promise<T> => decodeFromPayloadsAtIndex<T>(converter, 0, (payloads?.payloads ?? []) as Payload[]);
}

/** The role of an LLM activity scheduled on a role queue, `<base>-llm-<role>` (workflows/proxies.ts). */
export function roleOfQueue(taskQueue: string | null | undefined): ModelRole | undefined {
  const m = /-llm-([a-z]+)$/.exec(taskQueue ?? '');
  return m && (MODEL_ROLES as readonly string[]).includes(m[1]) ? (m[1] as ModelRole) : undefined;
}

/** A run can continue as new once per round; this bounds the walk back along a chain. */
const MAX_EXECUTIONS = 10_000;

/**
 * A workflow's continue-as-new chain, first execution to latest: walked back from `latestRunId` through each
 * execution's `continuedFrom`. Used by the run record and by `maspo fork` (which picks the execution of a round).
 */
export async function executionChain(
  read: (workflowId: string, runId?: string) => Promise<ExecutionHistory>,
  workflowId: string,
  latestRunId: string,
): Promise<{ chain: ExecutionHistory[]; runIds: string[] }> {
  const chain: ExecutionHistory[] = [];
  const runIds: string[] = [];
  for (let runId: string | undefined = latestRunId; runId && chain.length < MAX_EXECUTIONS; ) {
    const execution = await read(workflowId, runId);
    chain.unshift(execution);
    runIds.unshift(runId);
    runId = execution.continuedFrom;
  }
  return { chain, runIds };
}

export async function readExecution(client: Client, workflowId: string, runId?: string): Promise<ExecutionHistory> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return parseExecution(client.options.loadedDataConverter, workflowId, runId, history.events ?? []);
}

/** Pure over the events (and the converter): see `readExecution`. */
export async function parseExecution(converter: LoadedDataConverter, workflowId: string, runId: string | undefined, events: readonly Event[]): Promise<ExecutionHistory> {
  const decode = decoder(converter);
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${workflowId}: history does not start with WorkflowExecutionStarted`);

  const children = new Map<string, { workflowId: string; runId?: string; type: string; status: UnitStatus; input: Payloads; result?: Payloads }>();
  // An llmCall's role: its queue's, or (on the workflow queue) the one its result names.
  const llmScheduled = new Map<string, ModelRole | 'from-result'>();
  const llmResults: Array<{ role: ModelRole | 'from-result'; payloads: Payloads }> = [];
  let status: UnitStatus = 'running';
  let result: Payloads;

  for (const e of events) {
    const id = key(e.eventId);
    if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a.activityType?.name === 'llmCall') llmScheduled.set(id, roleOfQueue(a.taskQueue?.name) ?? 'from-result');
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      const role = llmScheduled.get(key(a.scheduledEventId));
      if (role) llmResults.push({ role, payloads: a.result });
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
      children.set(id, { workflowId: a.workflowId ?? '', type: a.workflowType?.name ?? '', status: 'running', input: a.input });
    } else if (e.childWorkflowExecutionStartedEventAttributes) {
      const a = e.childWorkflowExecutionStartedEventAttributes;
      const c = children.get(key(a.initiatedEventId));
      if (c) c.runId = a.workflowExecution?.runId ?? undefined;
    } else {
      const closed = childClose(e);
      if (closed) {
        const c = children.get(key(closed.initiatedEventId));
        if (c) {
          c.status = closed.status;
          c.result = closed.result;
        }
      }
      const own = executionClose(e);
      if (own) {
        status = own.status;
        result = own.result;
      }
    }
  }

  // Decoded one by one: a few hundred small results per history.
  const llmCalls: LlmCallSeen[] = [];
  for (const r of llmResults) {
    const { cached, usage, role } = await decode<Pick<LlmResult, 'cached' | 'usage' | 'role'>>(r.payloads);
    const named = r.role === 'from-result' ? role : r.role;
    if (named) llmCalls.push({ role: named, cached, usage });
  }

  return {
    workflowId,
    runId,
    type: started.workflowType?.name ?? '',
    status,
    continuedFrom: started.continuedExecutionRunId || undefined,
    startTime: isoTime(events[0].eventTime),
    input: <T>() => decode<T>(started.input),
    result: async <T>() => (status === 'completed' ? decode<T>(result) : undefined),
    children: [...children.values()].map((c) => ({
      workflowId: c.workflowId,
      runId: c.runId,
      type: c.type,
      status: c.status,
      input: <T>() => decode<T>(c.input),
      result: async <T>() => (c.status === 'completed' ? decode<T>(c.result) : undefined),
    })),
    llmCalls,
  };
}

function isoTime(t: Event['eventTime']): string | undefined {
  const ms = optionalTsToMs(t);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function childClose(e: Event): { initiatedEventId: unknown; status: UnitStatus; result?: Payloads } | undefined {
  if (e.childWorkflowExecutionCompletedEventAttributes) return { initiatedEventId: e.childWorkflowExecutionCompletedEventAttributes.initiatedEventId, status: 'completed', result: e.childWorkflowExecutionCompletedEventAttributes.result };
  if (e.childWorkflowExecutionFailedEventAttributes) return { initiatedEventId: e.childWorkflowExecutionFailedEventAttributes.initiatedEventId, status: 'failed' };
  if (e.childWorkflowExecutionCanceledEventAttributes) return { initiatedEventId: e.childWorkflowExecutionCanceledEventAttributes.initiatedEventId, status: 'canceled' };
  if (e.childWorkflowExecutionTerminatedEventAttributes) return { initiatedEventId: e.childWorkflowExecutionTerminatedEventAttributes.initiatedEventId, status: 'terminated' };
  if (e.childWorkflowExecutionTimedOutEventAttributes) return { initiatedEventId: e.childWorkflowExecutionTimedOutEventAttributes.initiatedEventId, status: 'timed-out' };
  if (e.startChildWorkflowExecutionFailedEventAttributes) return { initiatedEventId: e.startChildWorkflowExecutionFailedEventAttributes.initiatedEventId, status: 'failed' };
  return undefined;
}

function executionClose(e: Event): { status: UnitStatus; result?: Payloads } | undefined {
  if (e.workflowExecutionCompletedEventAttributes) return { status: 'completed', result: e.workflowExecutionCompletedEventAttributes.result };
  if (e.workflowExecutionContinuedAsNewEventAttributes) return { status: 'continued-as-new' };
  if (e.workflowExecutionFailedEventAttributes) return { status: 'failed' };
  if (e.workflowExecutionCanceledEventAttributes) return { status: 'canceled' };
  if (e.workflowExecutionTerminatedEventAttributes) return { status: 'terminated' };
  if (e.workflowExecutionTimedOutEventAttributes) return { status: 'timed-out' };
  return undefined;
}
