/**
 * Records every `llmCall` activity the worker executes, one JSON line per attempt, through the SDK's own extension
 * points: a worker plugin (`createMaspoWorkers({ plugins })`, given to every worker) that adds an activity inbound
 * interceptor to the workers an `llmCall` can reach: the per-role LLM queues' and the workflow queue's (where the
 * calls run with `llmDispatch: workflow-queue`). The interceptor records `llmCall` activities only, and only times the
 * call and copies what the activity received and returned; it never changes either.
 */
import fs from 'node:fs';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next, WorkerOptions } from '@temporalio/worker';
import type { LlmRequest, LlmResult } from '../../core/contracts/llm';
import { digest, nowMs, type CallRecord } from './records';

const LLM_QUEUE = /-llm-(backbone|optimizer|judge)$/;

export interface CallRecorder {
  /** The worker plugin (`createMaspoWorkers({ plugins })`); it intercepts the LLM and workflow queues' activities. */
  plugin: { name: string; configureWorker(options: WorkerOptions): WorkerOptions };
  /** Calls recorded so far. */
  count(): number;
  /** Flushes and closes the log. */
  close(): Promise<void>;
}

/** `taskQueue`: the workflow task queue, whose worker runs the LLM calls dispatched there. */
export function createCallRecorder(file: string, opts: { texts: boolean; taskQueue: string }): CallRecorder {
  const out = fs.createWriteStream(file, { flags: 'a' });
  let written = 0;
  const write = (r: CallRecord) => {
    written++;
    out.write(`${JSON.stringify(r)}\n`);
  };

  const interceptor: ActivityInboundCallsInterceptor = {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      const info = Context.current().info;
      if (info.activityType !== 'llmCall') return next(input);
      const request = input.args[1] as LlmRequest;
      const requestText = request.messages.map((m) => m.content).join('\n\n');
      const start = nowMs();
      const base = {
        wf: info.workflowExecution?.workflowId ?? '',
        runId: info.workflowExecution?.runId ?? '',
        activityId: info.activityId,
        attempt: info.attempt,
        role: request.role,
        taskQueue: info.taskQueue,
        label: request.label ?? '',
        scheduled: info.currentAttemptScheduledTimestampMs,
        start,
        requestDigest: digest(requestText),
        ...(opts.texts ? { request: requestText } : {}),
      };
      try {
        const result = (await next(input)) as LlmResult;
        write({
          ...base,
          end: nowMs(),
          ok: true,
          cached: result.cached,
          latencyMs: result.latencyMs,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          responseDigest: digest(result.text),
          ...(opts.texts ? { response: result.text } : {}),
        });
        return result;
      } catch (err) {
        write({ ...base, end: nowMs(), ok: false, error: err instanceof Error ? err.message : String(err), cached: false, inputTokens: 0, outputTokens: 0, responseDigest: '' });
        throw err;
      }
    },
  };

  return {
    plugin: {
      name: 'maspo-bench-call-recorder',
      configureWorker(options: WorkerOptions): WorkerOptions {
        if (!LLM_QUEUE.test(options.taskQueue) && options.taskQueue !== opts.taskQueue) return options;
        const interceptors = options.interceptors ?? {};
        return { ...options, interceptors: { ...interceptors, activity: [...(interceptors.activity ?? []), () => ({ inbound: interceptor })] } };
      },
    },
    count: () => written,
    close: () => new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
