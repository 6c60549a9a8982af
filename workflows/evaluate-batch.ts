/**
 * Child workflow: runs the MAS over one batch of dataset items and grades each final answer.
 * One child per batch keeps every history small (a batch of 20 items on a 2-agent chain is ~100 events).
 */
import { ActivityFailure, ApplicationFailure, patched, setHandler } from '@temporalio/workflow';
import { NON_RETRYABLE_LLM_ERRORS } from '../core/contracts/llm';
import type { DatasetRef, ItemView } from '../core/contracts/dataset';
import { preview, type EvaluateProgress, type GradeRequest, type GradeResult, type ItemRecord } from '../core/contracts/evaluate';
import type { MasSpec } from '../core/contracts/mas';
import type { LlmDispatch, ModelSpec } from '../core/contracts/llm';
import { callLlm, evaluation, grading, loadItems } from './proxies';
import { agentCallLabel, evaluationTaskType, handoffOptions, summaryCallLabel } from './llm-calls';
import { batchProgressQuery } from './evaluate-queries';
import { mapBounded } from '../core/common/bounded';
import { coalescing } from '../core/common/coalesce';
import { runMas } from './run-mas';

export interface EvaluateBatchInput {
  taskQueue: string;
  dataset: DatasetRef;
  mas: MasSpec;
  backbone: ModelSpec;
  indices: number[];
  concurrency: number;
  llmHeartbeatTimeoutMs: number;
  llmDispatch?: LlmDispatch;
}

export async function evaluateBatch(input: EvaluateBatchInput): Promise<ItemRecord[]> {
  const progress: EvaluateProgress = { total: input.indices.length, done: 0, correct: 0, errors: 0, calls: 0, cachedCalls: 0, status: 'loading' };
  setHandler(batchProgressQuery, () => progress);

  const items = await loadItems(input.dataset, input.indices);
  progress.status = 'running';
  const grade = gradingFor(input.dataset);

  const records = await mapBounded(items, input.concurrency, async (item) => {
    const record = await evaluateItem(input, item, grade);
    progress.done++;
    progress.correct += record.correct ? 1 : 0;
    progress.errors += record.error ? 1 : 0;
    progress.calls += record.calls.length;
    progress.cachedCalls += record.calls.filter((c) => c.cached).length;
    return record;
  });
  progress.status = 'completed';
  return records;
}

type Grade = (request: GradeRequest) => Promise<GradeResult>;

/** Items finished while an earlier grading is in flight are graded together (at most this many per activity). */
const GRADE_GROUP = 8;

/**
 * How a batch grades its items: since patch `grouped-grading`, group-while-busy (core/common/coalesce.ts): an item
 * finishing while no grading is in flight is graded at once, items finishing meanwhile go in the next `gradeItems`
 * activity — on a fast backbone a batch's 20 items take a few activities instead of 20, on a slow one nothing waits.
 * Before it: one `gradeItem` activity per item. Asked once per batch, right after its items are loaded.
 */
function gradingFor(dataset: DatasetRef): Grade {
  if (!patched('grouped-grading')) return (request) => evaluation.gradeItem(dataset, request);
  return coalescing((group: GradeRequest[]) => grading.gradeItems(dataset, group), GRADE_GROUP);
}

async function evaluateItem(input: EvaluateBatchInput, item: ItemView, grade: Grade): Promise<ItemRecord> {
  try {
    const call = (label: string, prompt: string) => callLlm(input, 'backbone', input.backbone, prompt, 0, label);
    const taskType = evaluationTaskType(input.dataset);
    const run = await runMas(
      input.mas,
      item.question,
      (agent, prompt) => call(agentCallLabel(item.id, agent.id), prompt),
      handoffOptions(input.mas, { summarizeAllWords: null, taskType }, (agent, prompt) => call(summaryCallLabel(item.id, agent.id), prompt)),
    );
    const graded = await grade({ index: item.index, output: run.final });
    return { ...graded, id: item.id, outputPreview: preview(run.final), calls: run.calls };
  } catch (err) {
    if (isFatal(err)) throw err;
    // A per-item failure (retries exhausted on a transient error) is data, not a crash of the evaluation.
    return { index: item.index, id: item.id, correct: false, predicted: null, expected: '', outputPreview: '', calls: [], error: describe(err) };
  }
}

/** Misconfiguration (bad key, unknown model, missing env var, broken dataset) fails the whole evaluation. */
function isFatal(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && (cause.nonRetryable || NON_RETRYABLE_LLM_ERRORS.includes(cause.type ?? '') || cause.type === 'DatasetError');
}

function describe(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
