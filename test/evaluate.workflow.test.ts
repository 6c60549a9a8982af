/**
 * The evaluation job end to end on a real Temporal dev server (the installed `temporal` CLI), with the
 * in-process simulated LLM world: results, determinism, cache, search attributes, audit trail, replay,
 * DAG topologies and fatal misconfiguration.
 */
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { startEvaluation } from '../client/evaluate';
import { messageFor } from '../client/errors';
import { SA_DATASET, SA_STATUS, SA_TOPOLOGY, SA_SCORE } from '../core/contracts/search-attributes';
import { useTestEnv } from './support/temporal';
import { CHAIN_YAML, inputFrom, startWorkers, tempHome } from './support/evaluation';

const testEnv = useTestEnv();

const maybe = testEnv;

describe('evaluateMas on a real dev server', () => {
  test('2-agent chain: accuracy with CI, per-item records, cache, search attributes, audit trail, replay', async () => {
    const e = maybe();
    if (!e) return;
    const input = await inputFrom(CHAIN_YAML);
    const home = tempHome();
    const w = await startWorkers(e, input.taskQueue, path.join(home, 'cache'));
    try {
      const first = await startEvaluation(e.client, input, `eval-${input.taskQueue}-a`);
      const r1 = await first.result();
      expect(r1.summary.n).toBe(12);
      expect(r1.records.map((r) => r.index)).toEqual([...Array(12).keys()]);
      expect(r1.calls).toBe(24);
      expect(r1.cachedCalls).toBe(0);
      expect(r1.summary.ci.low).toBeLessThanOrEqual(r1.summary.accuracy);
      expect(r1.summary.ci.high).toBeGreaterThanOrEqual(r1.summary.accuracy);
      expect(r1.summary.correct).toBe(r1.records.filter((r) => r.correct).length);
      expect(r1.usage.outputTokens).toBeGreaterThan(0);
      for (const rec of r1.records) expect(rec.expected).toMatch(/^-?\d+$/);

      // Same input again: identical records, every call served from the persistent cache.
      const second = await startEvaluation(e.client, input, `eval-${input.taskQueue}-b`);
      const r2 = await second.result();
      expect(r2.records.map(({ calls: _c, ...r }) => r)).toEqual(r1.records.map(({ calls: _c, ...r }) => r));
      expect(r2.cachedCalls).toBe(24);

      // Search attributes for filtering in the UI.
      const d = await first.describe();
      expect(d.typedSearchAttributes.get(SA_STATUS)).toBe('completed');
      expect(d.typedSearchAttributes.get(SA_DATASET)).toBe('sim-test');
      expect(d.typedSearchAttributes.get(SA_TOPOLOGY)).toBe('chain');
      expect(d.typedSearchAttributes.get(SA_SCORE)).toBeCloseTo(r1.summary.accuracy);

      // Audit trail: the batch child's history holds each LLM call's prompt (input) and reply (result).
      const batch = e.client.workflow.getHandle(`eval-${input.taskQueue}-a/batch-0`);
      const history = await batch.fetchHistory();
      const scheduled = history.events!.filter((ev) => ev.activityTaskScheduledEventAttributes?.activityType?.name === 'llmCall');
      expect(scheduled).toHaveLength(10);
      const payload = JSON.parse(Buffer.from(scheduled[0].activityTaskScheduledEventAttributes!.input!.payloads![1].data!).toString());
      expect(payload.messages[0].content).toContain('step by step');
      // Default dispatch: the calls live on the workflow's own queue (eager dispatch), and their results name the role.
      expect(scheduled[0].activityTaskScheduledEventAttributes!.taskQueue!.name).toBe(input.taskQueue);
      const done = history.events!.find((ev) => String(ev.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled[0].eventId))!;
      expect(JSON.parse(Buffer.from(done.activityTaskCompletedEventAttributes!.result!.payloads![0].data!).toString()).role).toBe('backbone');

      // Replay: the recorded histories replay without nondeterminism against the current workflow code.
      for (const id of [first.workflowId, batch.workflowId]) {
        await Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, await e.client.workflow.getHandle(id).fetchHistory(), id);
      }
    } finally {
      await w.stop();
    }
  });

  test('hierarchical DAG: three solvers run in parallel into one aggregator', async () => {
    const e = maybe();
    if (!e) return;
    const yaml = `
name: test-hier
dataset: { kind: sim, split: test, size: 4 }
mas:
  topology: hierarchical
  agents:
    - { id: a, prompt: "Solve step by step. <answer></answer> {{question}}" }
    - { id: b, prompt: "Solve carefully. {{question}}" }
    - { id: c, prompt: "Solve. {{question}}" }
    - { id: agg, prompt: "Compare the solutions and give the final answer inside <answer></answer>. {{context}} {{question}}" }
  edges: ["a -> agg", "b -> agg", "c -> agg"]
models: { backbone: { provider: sim, model: sim-agent } }
`;
    const input = await inputFrom(yaml);
    const w = await startWorkers(e, input.taskQueue, path.join(tempHome(), 'cache'));
    try {
      const h = await startEvaluation(e.client, input, `eval-${input.taskQueue}`);
      const r = await h.result();
      expect(r.calls).toBe(16);
      expect(r.records[0].calls.map((c) => c.agentId)).toEqual(['a', 'b', 'c', 'agg']);
      const history = await e.client.workflow.getHandle(`eval-${input.taskQueue}/batch-0`).fetchHistory();
      const prompts = history
        .events!.filter((ev) => ev.activityTaskScheduledEventAttributes?.activityType?.name === 'llmCall')
        .map((ev) => JSON.parse(Buffer.from(ev.activityTaskScheduledEventAttributes!.input!.payloads![1].data!).toString()).messages[0].content as string);
      const aggPrompt = prompts.find((p) => p.startsWith('Compare'))!;
      expect(aggPrompt).toContain('[a]\n');
      expect(aggPrompt).toContain('[b]\n');
      expect(aggPrompt).toContain('[c]\n');
    } finally {
      await w.stop();
    }
  });

  test('llmDispatch: role-queues puts the calls on <taskQueue>-llm-<role>, with the same records', async () => {
    const e = maybe();
    if (!e) return;
    const onWorkflowQueue = await inputFrom(CHAIN_YAML, (t) => t.replace('size: 12', 'size: 4'));
    const onRoleQueues = await inputFrom(CHAIN_YAML, (t) => t.replace('size: 12', 'size: 4').replace('llmHeartbeatTimeoutMs: 2000 }', 'llmHeartbeatTimeoutMs: 2000, llmDispatch: role-queues }'));
    expect(onRoleQueues.options.llmDispatch).toBe('role-queues');
    const home = tempHome();
    const a = await startWorkers(e, onWorkflowQueue.taskQueue, path.join(home, 'cache-a'));
    const b = await startWorkers(e, onRoleQueues.taskQueue, path.join(home, 'cache-b'));
    try {
      const ra = await (await startEvaluation(e.client, onWorkflowQueue, `eval-${onWorkflowQueue.taskQueue}`)).result();
      const rb = await (await startEvaluation(e.client, onRoleQueues, `eval-${onRoleQueues.taskQueue}`)).result();
      expect(rb.records.map(({ calls: _c, ...r }) => r)).toEqual(ra.records.map(({ calls: _c, ...r }) => r));
      const history = await e.client.workflow.getHandle(`eval-${onRoleQueues.taskQueue}/batch-0`).fetchHistory();
      const queues = new Set(history.events!.filter((ev) => ev.activityTaskScheduledEventAttributes?.activityType?.name === 'llmCall').map((ev) => ev.activityTaskScheduledEventAttributes!.taskQueue!.name));
      expect([...queues]).toEqual([`${onRoleQueues.taskQueue}-llm-backbone`]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('an edge marked handoff: summary hands the successor a short summary instead of the full output', async () => {
    const e = maybe();
    if (!e) return;
    const input = await inputFrom(CHAIN_YAML, (t) =>
      t.replace('edges: ["solver -> reviewer"]', 'edges: [{ from: solver, to: reviewer, handoff: summary }]\n  summaryWords: 20').replace('size: 12', 'size: 3'),
    );
    const w = await startWorkers(e, input.taskQueue, path.join(tempHome(), 'cache'));
    try {
      const r = await (await startEvaluation(e.client, input, `eval-${input.taskQueue}`)).result();
      expect(r.calls).toBe(9); // solver, its summary, reviewer — per item
      const history = await e.client.workflow.getHandle(`eval-${input.taskQueue}/batch-0`).fetchHistory();
      // label → prompt and reply of every LLM call of the first item, from the batch's history
      const events = history.events!;
      const replyOf = (id: unknown) => {
        const done = events.find((ev) => String(ev.activityTaskCompletedEventAttributes?.scheduledEventId) === String(id));
        return JSON.parse(Buffer.from(done!.activityTaskCompletedEventAttributes!.result!.payloads![0].data!).toString()).text as string;
      };
      const calls = events
        .filter((ev) => ev.activityTaskScheduledEventAttributes?.activityType?.name === 'llmCall')
        .map((ev) => {
          const req = JSON.parse(Buffer.from(ev.activityTaskScheduledEventAttributes!.input!.payloads![1].data!).toString()) as { label: string; messages: Array<{ content: string }> };
          return { label: req.label, prompt: req.messages[0].content, reply: replyOf(ev.eventId) };
        })
        .filter((c) => c.label.startsWith(`item ${r.records[0].id} `));
      const solver = calls.find((c) => c.label.endsWith('agent solver'))!;
      const summary = calls.find((c) => c.label.includes('summary of solver'))!;
      const reviewer = calls.find((c) => c.label.endsWith('agent reviewer'))!;
      expect(summary.prompt).toContain('at most 20 words');
      expect(summary.prompt).toContain(solver.reply);
      expect(reviewer.prompt).toContain(summary.reply);
      if (summary.reply !== solver.reply) expect(reviewer.prompt).not.toContain(solver.reply);
    } finally {
      await w.stop();
    }
  });

  test('a missing API key fails the evaluation fast with a message naming provider, model and env var', async () => {
    const e = maybe();
    if (!e) return;
    const input = await inputFrom(CHAIN_YAML, (t) =>
      t.replace('backbone: { provider: sim, model: sim-agent }', 'backbone: { provider: openai, model: gpt-4o-mini, apiKeyEnv: MASPO_TEST_UNSET_KEY }'),
    );
    const w = await startWorkers(e, input.taskQueue, path.join(tempHome(), 'cache'));
    try {
      const started = Date.now();
      const h = await startEvaluation(e.client, input, `eval-${input.taskQueue}`);
      const err = await h.result().then(() => undefined, (x: unknown) => x);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const message = messageFor(err);
      expect(message).toMatch(/MASPO_TEST_UNSET_KEY/);
      expect(message).toMatch(/gpt-4o-mini/);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect((await h.describe()).typedSearchAttributes.get(SA_STATUS)).toBe('failed');
    } finally {
      await w.stop();
    }
  });
});
