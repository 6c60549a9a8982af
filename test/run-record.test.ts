/**
 * The pure parts of the run record: reading a prompts file that may be a record, parsing a workflow history
 * (children, LLM calls by role, closing), re-deriving the beam lineage from the recorded steps, and spend by role
 * and round.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter, type LoadedDataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { applyPromptsFile } from '../client/config';
import { resolvePromptSet } from '../client/compare';
import { buildLineage } from '../client/report/lineage';
import { spendSummary, totalCalls } from '../client/report/spend';
import { readRunRecord } from '../client/run-record';
import { parseExecution, roleOfQueue } from '../client/workflow-history';
import { promptsFromFileContent } from '../core/contracts/run-record';
import { tempHome } from './support/evaluation';
import { fixtureRecord } from './support/run-record-fixture';

describe('prompts files', () => {
  test('a plain prompts object and a run record both give { agentId: prompt }; anything else is an error', async () => {
    const record = await fixtureRecord();
    expect(promptsFromFileContent({ a: 'x' })).toEqual({ prompts: { a: 'x' } });
    expect(promptsFromFileContent(record)).toEqual({ prompts: record.prompts });
    expect(promptsFromFileContent({ ...record, version: 99 })).toEqual({ error: expect.stringMatching(/run record version 99/) });
    expect(promptsFromFileContent({ ...record, prompts: ['x'] })).toEqual({ error: expect.stringMatching(/^prompts: /) });
    expect(promptsFromFileContent([1])).toEqual({ error: expect.stringMatching(/expected an object/) });
  });

  test('evaluate --prompts, compare and the library take a run record file: its winning prompts replace the seeds', async () => {
    const record = await fixtureRecord();
    const dir = tempHome();
    const file = path.join(dir, 'run.json');
    writeFileSync(file, JSON.stringify(record));
    const mas = record.input.ctx.mas;
    const applied = await applyPromptsFile(mas, file);
    expect(Object.fromEntries(applied.agents.map((a) => [a.id, a.prompt]))).toEqual(record.prompts);
    const side = await resolvePromptSet(mas, file);
    expect(side.mas.agents.map((a) => a.prompt)).toEqual(applied.agents.map((a) => a.prompt));
    expect((await readRunRecord(file)).workflowId).toBe('opt-fixture');

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...record, prompts: { nobody: 'x {{question}}' } }));
    await expect(applyPromptsFile(mas, bad)).rejects.toThrow(/bad\.json: nobody: unknown agent/);
    writeFileSync(bad, JSON.stringify({ solver: 'x' }));
    await expect(readRunRecord(bad)).rejects.toThrow(/bad\.json: not a maspo run record/);
  });
});

describe('workflow history parsing', () => {
  const converter = { payloadConverter: defaultPayloadConverter, failureConverter: undefined, payloadCodecs: [] } as unknown as LoadedDataConverter;
  const payloads = (v: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(v)] });
  // Event ids are Long in the proto types; plain numbers are what the parser sees after JSON, and it keys by string.
  const E = { create: (e: object) => e as temporal.api.history.v1.IHistoryEvent };

  test('input, children with their inputs/results/run ids, LLM calls by role, and the close', async () => {
    const events = [
      E.create({ eventId: 1, workflowExecutionStartedEventAttributes: { workflowType: { name: 'optimizeStep' }, input: payloads({ agentId: 'a' }), continuedExecutionRunId: 'prev' } }),
      E.create({ eventId: 5, activityTaskScheduledEventAttributes: { activityType: { name: 'llmCall' }, taskQueue: { name: 'q-llm-optimizer' } } }),
      E.create({ eventId: 6, activityTaskScheduledEventAttributes: { activityType: { name: 'llmCall' }, taskQueue: { name: 'q-llm-backbone' } } }),
      E.create({ eventId: 7, activityTaskScheduledEventAttributes: { activityType: { name: 'loadItems' }, taskQueue: { name: 'q' } } }),
      E.create({ eventId: 8, activityTaskCompletedEventAttributes: { scheduledEventId: 6, result: payloads({ cached: true, usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } }) } }),
      E.create({ eventId: 9, activityTaskCompletedEventAttributes: { scheduledEventId: 5, result: payloads({ cached: false, usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 } }) } }),
      E.create({ eventId: 10, activityTaskCompletedEventAttributes: { scheduledEventId: 7, result: payloads([]) } }),
      E.create({ eventId: 11, startChildWorkflowExecutionInitiatedEventAttributes: { workflowId: 'x/cand-0', workflowType: { name: 'evaluateCandidate' }, input: payloads({ candidate: 'c0' }) } }),
      E.create({ eventId: 12, startChildWorkflowExecutionInitiatedEventAttributes: { workflowId: 'x/cand-1', workflowType: { name: 'evaluateCandidate' }, input: payloads({ candidate: 'c1' }) } }),
      E.create({ eventId: 13, childWorkflowExecutionStartedEventAttributes: { initiatedEventId: 11, workflowExecution: { workflowId: 'x/cand-0', runId: 'r0' } } }),
      E.create({ eventId: 14, childWorkflowExecutionCompletedEventAttributes: { initiatedEventId: 11, result: payloads({ R: 0.25 }) } }),
      E.create({ eventId: 15, childWorkflowExecutionFailedEventAttributes: { initiatedEventId: 12 } }),
      E.create({ eventId: 16, workflowExecutionCompletedEventAttributes: { result: payloads({ done: true }) } }),
    ];
    const h = await parseExecution(converter, 'x', 'run-x', events);
    expect(h.type).toBe('optimizeStep');
    expect(h.status).toBe('completed');
    expect(h.continuedFrom).toBe('prev');
    expect(await h.input()).toEqual({ agentId: 'a' });
    expect(await h.result()).toEqual({ done: true });
    expect(h.llmCalls).toEqual([
      { role: 'backbone', cached: true, usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } },
      { role: 'optimizer', cached: false, usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 } },
    ]);
    expect(h.children.map((c) => [c.workflowId, c.runId, c.status])).toEqual([
      ['x/cand-0', 'r0', 'completed'],
      ['x/cand-1', undefined, 'failed'],
    ]);
    expect(await h.children[0].input()).toEqual({ candidate: 'c0' });
    expect(await h.children[0].result()).toEqual({ R: 0.25 });
    expect(await h.children[1].result()).toBeUndefined();
  });

  test('a running execution has no result; the role comes from the LLM task queue name', async () => {
    const h = await parseExecution(converter, 'y', undefined, [E.create({ eventId: 1, workflowExecutionStartedEventAttributes: { workflowType: { name: 'optimizeMas' }, input: payloads(1) } })]);
    expect(h.status).toBe('running');
    expect(await h.result()).toBeUndefined();
    expect(roleOfQueue('maspo-llm-judge')).toBe('judge');
    expect(roleOfQueue('maspo-llm-other')).toBeUndefined();
    expect(roleOfQueue('maspo')).toBeUndefined();
    await expect(parseExecution(converter, 'z', undefined, [])).rejects.toThrow(/z: history does not start/);
  });
});

describe('beam lineage from the recorded steps', () => {
  test('node ids are re-derived in schedule order; the winning path, its cases, rejected and cut candidates', async () => {
    const record = await fixtureRecord();
    const { agents, problems } = buildLineage(record);
    expect(problems).toEqual([]);
    const solver = agents.solver;
    expect(solver.nodes.map((n) => n.id).sort()).toEqual(['solver#1', 'solver#2', 'solver#3', 'solver#seed']);
    expect(solver.path.map((n) => n.id)).toEqual(['solver#seed', 'solver#1', 'solver#2']);
    expect(solver.best?.id).toBe('solver#2');
    // Step 1's candidate was accepted with the case it mined; step 2 was given that case and produced the winner.
    expect(solver.evolution.map((e) => [e.node.id, e.previous.id, e.mined.length, e.injected.length])).toEqual([
      ['solver#1', 'solver#seed', 1, 0],
      ['solver#2', 'solver#1', 0, 1],
    ]);
    expect(solver.evolution[0].mined[0].index).toBe(4);
    const byId = Object.fromEntries(solver.nodes.map((n) => [n.id, n]));
    expect(byId['solver#3'].inBeam).toBe(false); // R > 0 but cut from the beam at once
    expect(byId['solver#1'].inBeam).toBe(true);
    expect(solver.rejected.map((r) => [r.parentId, r.R])).toEqual([
      ['solver#seed', -0.1],
      ['solver#seed', null],
    ]);
    // The other agent's ids continue the same counter.
    expect(agents.checker.nodes.map((n) => n.id).sort()).toEqual(['checker#4', 'checker#5', 'checker#seed']);
    expect(agents.checker.path.map((n) => n.id)).toEqual(['checker#seed', 'checker#5']);
  });

  test('a record whose beams disagree with the replay is reported, not silently redrawn', async () => {
    const record = await fixtureRecord();
    record.result!.agents.solver.best = { ...record.result!.agents.solver.best, id: 'solver#9' };
    const { problems, agents } = buildLineage(record);
    expect(problems.join('\n')).toMatch(/best of solver: node solver#9 was not re-derived/);
    expect(agents.solver.best?.id).toBe('solver#9');
  });
});

describe('spend', () => {
  test('per round and role, held-out apart, cache hits free, priced with the record prices', async () => {
    const record = await fixtureRecord();
    const s = spendSummary(record);
    expect(s.rounds.map((r) => r.round)).toEqual([1]);
    const r1 = s.rounds[0].ledger;
    expect(r1.backbone).toMatchObject({ paidCalls: 3, cachedCalls: 3, inputTokens: 300, outputTokens: 150 });
    expect(r1.optimizer.costUsd).toBeCloseTo((3 * (1000 * 1 + 200 * 2)) / 1e6, 12);
    expect(totalCalls(s.heldOut!.ledger)).toBe(2);
    expect(s.heldOut!.ledger.backbone.costUsd).toBeCloseTo((10 + 5 * 2) / 1e6, 12); // the cached call is free
    expect(totalCalls(s.total.ledger)).toBe(totalCalls(r1) + 2);
    expect(s.unpriced).toEqual([]);
    record.prices.judge = null;
    expect(spendSummary(record).unpriced).toEqual(['judge']);
  });
});
