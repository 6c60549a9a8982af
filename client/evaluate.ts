/**
 * Library front door for the evaluation job: start it on a Temporal client, follow its progress, await the
 * result. The CLI is a thin layer over these functions.
 */
import { createHash } from 'node:crypto';
import { Client, WorkflowHandle, WorkflowIdReusePolicy } from '@temporalio/client';
import type { EvaluateInput, EvaluateProgress, EvaluateResult } from '../core/contracts/evaluate';
import { startingAttributes } from '../core/contracts/search-attributes';
import type { evaluateMas } from '../workflows/evaluate';
import { batchProgressQuery, evaluationStatusQuery } from '../workflows/evaluate-queries';
import { awaitWithProgress } from './poll';
import { idStamp } from './workflow-ids';

export function configDigest(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16);
}

export function defaultEvaluationId(input: EvaluateInput, now = new Date()): string {
  const stamp = idStamp(now);
  return `evaluate-${input.runName}-${stamp}`;
}

export async function startEvaluation(client: Client, input: EvaluateInput, workflowId = defaultEvaluationId(input)): Promise<WorkflowHandle<typeof evaluateMas>> {
  return client.workflow.start<typeof evaluateMas>('evaluateMas', {
    taskQueue: input.taskQueue,
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: startingAttributes({ kind: 'evaluate', run: input.runName, dataset: input.dataset.name, topology: input.mas.topology }),
    memo: { configDigest: configDigest(input), seed: input.seed, model: `${input.models.backbone.provider}:${input.models.backbone.model}` },
    staticSummary: `evaluate ${input.runName} on ${input.dataset.name} (${input.mas.topology}, ${input.mas.agents.length} agents)`,
  });
}

/**
 * Current progress: finished batches from the parent, plus live counts of running batches queried from the
 * children directly (queries add nothing to history).
 */
export async function evaluationProgress(client: Client, workflowId: string): Promise<EvaluateProgress> {
  const parent = await client.workflow.getHandle(workflowId).query(evaluationStatusQuery);
  const total: EvaluateProgress = { ...parent };
  const running = await Promise.all(
    parent.runningBatches.map((id) => client.workflow.getHandle(id).query(batchProgressQuery).catch(() => undefined)),
  );
  for (const b of running) {
    if (!b || b.status === 'completed') continue;
    total.done += b.done;
    total.correct += b.correct;
    total.errors += b.errors;
    total.calls += b.calls;
    total.cachedCalls += b.cachedCalls;
  }
  return { total: total.total, done: total.done, correct: total.correct, errors: total.errors, calls: total.calls, cachedCalls: total.cachedCalls, status: total.status };
}

/** Awaits the result, calling `onProgress` every `pollMs` while the workflow runs. */
export async function awaitEvaluation(
  client: Client,
  handle: WorkflowHandle<typeof evaluateMas>,
  onProgress?: (p: EvaluateProgress) => void,
  pollMs = 500,
): Promise<EvaluateResult> {
  return awaitWithProgress(handle.result(), () => evaluationProgress(client, handle.workflowId), onProgress, pollMs);
}
