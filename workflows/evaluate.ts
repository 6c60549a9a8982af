/**
 * The evaluation job: run a multi-agent system over a dataset and report accuracy with a 95% bootstrap CI
 * and per-item records. The parent only loads the dataset's size, fans batches out to child workflows
 * (deterministic ids `<parent>/batch-<n>`) and summarises; every LLM call is an activity inside a child.
 */
import { executeChild, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { addUsage, emptyUsage } from '../core/contracts/llm';
import { chunkRange, type EvaluateInput, type EvaluateResult, type ItemRecord } from '../core/contracts/evaluate';
import { deriveSeed } from '../core/common/prng';
import { SA_SCORE, SA_STATUS } from '../core/contracts/search-attributes';
import { summarizeAccuracy } from '../core/common/stats';
import { evaluation } from './proxies';
import { evaluateBatch } from './evaluate-batch';
import { evaluationStatusQuery, type EvaluationStatus } from './evaluate-queries';

export async function evaluateMas(input: EvaluateInput): Promise<EvaluateResult> {
  const status: EvaluationStatus = { total: 0, done: 0, correct: 0, errors: 0, calls: 0, cachedCalls: 0, status: 'loading', runningBatches: [] };
  setHandler(evaluationStatusQuery, () => status);
  try {
    const { count } = await evaluation.describeDataset(input.dataset);
    status.total = count;
    status.status = 'running';
    setCurrentDetails(`0/${count} items evaluated`);

    const batches = chunkRange(count, input.options.batchSize);
    const records: ItemRecord[] = [];
    await Promise.all(
      batches.map(async (indices, b) => {
        const workflowId = `${workflowInfo().workflowId}/batch-${b}`;
        status.runningBatches.push(workflowId);
        const batch = await executeChild(evaluateBatch, {
          workflowId,
          staticSummary: `items ${indices[0]}–${indices[indices.length - 1]}`,
          args: [
            {
              taskQueue: input.taskQueue,
              dataset: input.dataset,
              mas: input.mas,
              backbone: input.models.backbone,
              indices,
              concurrency: input.options.concurrency,
              llmHeartbeatTimeoutMs: input.options.llmHeartbeatTimeoutMs,
              ...(input.options.llmDispatch ? { llmDispatch: input.options.llmDispatch } : {}),
            },
          ],
        });
        status.runningBatches = status.runningBatches.filter((id) => id !== workflowId);
        records.push(...batch);
        for (const r of batch) {
          status.done++;
          status.correct += r.correct ? 1 : 0;
          status.errors += r.error ? 1 : 0;
          status.calls += r.calls.length;
          status.cachedCalls += r.calls.filter((c) => c.cached).length;
        }
        setCurrentDetails(`${status.done}/${count} items evaluated, ${status.correct} correct`);
      }),
    );

    records.sort((a, b) => a.index - b.index);
    const summary = summarizeAccuracy(
      records.map((r) => r.correct),
      deriveSeed(input.seed, 'bootstrap'),
      input.options.bootstrapResamples,
    );
    status.status = 'completed';
    upsertSearchAttributes([
      { key: SA_STATUS, value: 'completed' },
      { key: SA_SCORE, value: summary.accuracy },
    ]);
    setCurrentDetails(`accuracy ${(summary.accuracy * 100).toFixed(1)}% (95% CI ${(summary.ci.low * 100).toFixed(1)}–${(summary.ci.high * 100).toFixed(1)}) on ${summary.n} items`);
    return {
      runName: input.runName,
      dataset: input.dataset.name,
      topology: input.mas.topology,
      model: `${input.models.backbone.provider}:${input.models.backbone.model}`,
      summary,
      errors: status.errors,
      calls: status.calls,
      cachedCalls: status.cachedCalls,
      usage: records.flatMap((r) => r.calls).reduce((u, c) => addUsage(u, c.usage), emptyUsage()),
      records,
    };
  } catch (err) {
    status.status = 'failed';
    upsertSearchAttributes([{ key: SA_STATUS, value: 'failed' }]);
    throw err;
  }
}
