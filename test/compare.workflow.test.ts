/**
 * `maspo compare`'s library path end to end on a real Temporal dev server with the in-process simulated LLM
 * world: two evaluateMas workflows on the same 40 items (seed prompts vs a prompts file), records paired by
 * index, McNemar counts equal to the discordant records.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { formatComparison, pairResults, resolvePromptSet, runComparison } from '../client/compare';
import { ConfigError } from '../client/config';
import { deriveSeed } from '../core/common/prng';
import { useTestEnv } from './support/temporal';
import { inputFrom, startWorkers, tempHome } from './support/evaluation';

const COMPARE_YAML = `
name: test-compare
seed: 5
dataset: { kind: sim, split: test, size: 40 }
mas:
  topology: chain
  agents:
    - id: solver
      role: predictor
      prompt: |
        Problem: {{question}}
    - id: reviewer
      role: reflector
      prompt: |
        Check the previous solution and give the final answer inside <answer></answer>.
        Previous solution: {{context}}
        Problem: {{question}}
  edges: ["solver -> reviewer"]
models:
  backbone: { provider: sim, model: sim-agent }
evaluate: { batchSize: 10, concurrency: 4, llmHeartbeatTimeoutMs: 2000 }
`;

const B_SOLVER = 'Think step by step and show each intermediate result. Put the final answer inside <answer></answer>.\nProblem: {{question}}\n';

const testEnv = useTestEnv();

const maybe = testEnv;

describe('paired comparison on a real dev server', () => {
  test('seed vs a prompts file on 40 sim items: paired by index, McNemar counts = discordant records', async () => {
    const e = maybe();
    if (!e) return;
    const input = await inputFrom(COMPARE_YAML);
    const home = tempHome();
    const promptsFile = path.join(home, 'prompts.json');
    writeFileSync(promptsFile, JSON.stringify({ solver: B_SOLVER }));
    const sides = { a: await resolvePromptSet(input.mas, 'seed'), b: await resolvePromptSet(input.mas, promptsFile) };
    expect(sides.a.label).toBe('seed');
    expect(sides.b.mas.agents[0].prompt).toBe(B_SOLVER);
    expect(sides.b.mas.agents[1].prompt).toBe(input.mas.agents[1].prompt);

    const w = await startWorkers(e, input.taskQueue, path.join(home, 'cache'));
    try {
      const ids = { a: `compare-${input.taskQueue}-a`, b: `compare-${input.taskQueue}-b` };
      const progress: number[] = [];
      const c = await runComparison(e.client, input, sides, { workflowIds: ids, onProgress: (p) => progress.push(p.total), pollMs: 100 });
      expect(c.a.workflowId).toBe(ids.a);
      expect(c.b.workflowId).toBe(ids.b);

      // Both runs cover the same 40 items, in index order, with the same expected answers.
      const ra = c.a.result;
      const rb = c.b.result;
      expect(ra.records.map((r) => r.index)).toEqual([...Array(40).keys()]);
      expect(rb.records.map((r) => r.index)).toEqual([...Array(40).keys()]);
      expect(rb.records.map((r) => r.expected)).toEqual(ra.records.map((r) => r.expected));
      // The prompts differed where they should: B's first call used the prompts file.
      const batch = await e.client.workflow.getHandle(`${ids.b}/batch-0`).fetchHistory();
      const first = batch.events!.find((ev) => ev.activityTaskScheduledEventAttributes?.activityType?.name === 'llmCall')!;
      const payload = JSON.parse(Buffer.from(first.activityTaskScheduledEventAttributes!.input!.payloads![1].data!).toString());
      expect(payload.messages[0].content).toMatch(/^Think step by step/);

      // McNemar counts are exactly the discordant records; accuracies match the per-run summaries.
      const bOnly = ra.records.filter((r, i) => !r.correct && rb.records[i].correct).length;
      const aOnly = ra.records.filter((r, i) => r.correct && !rb.records[i].correct).length;
      const p = c.paired;
      expect(p.n).toBe(40);
      expect(p.mcnemar.bOnly).toBe(bOnly);
      expect(p.mcnemar.aOnly).toBe(aOnly);
      expect(p.accuracyA).toBeCloseTo(ra.summary.accuracy, 12);
      expect(p.accuracyB).toBeCloseTo(rb.summary.accuracy, 12);
      expect(p.difference).toBeCloseTo(rb.summary.accuracy - ra.summary.accuracy, 12);
      expect(p.difference).toBeCloseTo((bOnly - aOnly) / 40, 12);
      expect(p.ci.low).toBeLessThanOrEqual(p.difference);
      expect(p.ci.high).toBeGreaterThanOrEqual(p.difference);
      expect(p.mcnemar.pValue).toBeGreaterThan(0);
      expect(p.mcnemar.pValue).toBeLessThanOrEqual(1);
      // Pairing is by index, not by position: shuffled records give the same comparison.
      const shuffled = { ...rb, records: rb.records.slice().reverse() };
      expect(pairResults(ra, shuffled, deriveSeed(input.seed, 'compare'), input.options.bootstrapResamples)).toEqual(p);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.every((t) => t === 80)).toBe(true); // summed over both runs, reported once both totals are known

      const text = formatComparison(c);
      expect(text).toContain(`(${promptsFile})`);
      expect(text).toMatch(/McNemar exact test: B right where A wrong \d+, A right where B wrong \d+, two-sided p = /);
      expect(text).toMatch(/simulator/);
      process.stdout.write(`${text}\n`);
    } finally {
      await w.stop();
    }
  }, 120_000);
});

describe('bad prompt sets fail before anything starts', () => {
  test('missing file, unknown agent → ConfigError naming the file', async () => {
    const input = await inputFrom(COMPARE_YAML);
    const home = tempHome();
    await expect(resolvePromptSet(input.mas, path.join(home, 'nope.json'))).rejects.toThrow(ConfigError);
    await expect(resolvePromptSet(input.mas, path.join(home, 'nope.json'))).rejects.toThrow(/nope\.json: no such file/);
    const bad = path.join(home, 'bad.json');
    writeFileSync(bad, JSON.stringify({ planner: 'Solve {{question}}' }));
    await expect(resolvePromptSet(input.mas, bad)).rejects.toThrow(/bad\.json: planner: unknown agent \(agents: solver, reviewer\)/);
  });

  test('records of different items cannot be paired', async () => {
    const rec = (index: number, correct: boolean) => ({ index, id: `i${index}`, correct, predicted: null, expected: '1', outputPreview: '', calls: [] });
    const base = { runName: 'x', dataset: 'd', topology: 'chain', model: 'sim:m', errors: 0, calls: 0, cachedCalls: 0, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } };
    const summary = { n: 2, correct: 1, accuracy: 0.5, ci: { low: 0, high: 1, level: 0.95 }, resamples: 200 };
    const a = { ...base, summary, records: [rec(0, true), rec(1, false)] };
    const b = { ...base, summary, records: [rec(0, true), rec(2, false)] };
    expect(() => pairResults(a, b, 1)).toThrow(/different items/);
    expect(pairResults(a, { ...b, records: [rec(1, true), rec(0, true)] }, 1).mcnemar).toEqual({ bOnly: 1, aOnly: 0, pValue: 1 });
  });
});
