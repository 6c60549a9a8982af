/** `maspo plan`'s wall-clock estimate for models served on this host (core/forecast/throughput.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { forecastPhaseSeconds, generationRate, SHORT_PROMPT_TOKENS, type ThroughputProfile } from '../core/forecast/throughput';
import type { CostBlock, CostLine } from '../core/forecast/pricing';
import { localThroughput, throughputFile } from '../activities/llm/providers/local/throughput';
import { tempHome } from './support/evaluation';

const profile: ThroughputProfile = { promptTokPerSec: 100, generation: [[1, 20], [2, 30], [8, 60]], source: 'test' };

test('the aggregate rate is interpolated between measured slot counts and flat beyond them', () => {
  expect(generationRate(profile, 1)).toBe(20);
  expect(generationRate(profile, 5)).toBeCloseTo(45);
  expect(generationRate(profile, 32)).toBe(60);
  expect(generationRate(profile, 0.5)).toBe(20);
});

const line = (calls: number, inputTokens: number, outputTokens: number): CostLine => ({ calls, inputTokens, outputTokens, dollars: 0 });

test('output at the rate of the requests in flight, plus only the long part of long prompts; roles add up; unprofiled roles are null', () => {
  const block: CostBlock = {
    roles: { backbone: line(10, 10 * 300, 10 * 120), optimizer: line(2, 2 * (SHORT_PROMPT_TOKENS + 1000), 2 * 200), judge: line(4, 4 * 900, 4 * 100) },
    total: line(16, 0, 0),
  };
  const t = forecastPhaseSeconds(block, { backbone: profile, optimizer: profile }, { backbone: 8, optimizer: 1, judge: 2 });
  expect(t.roles.backbone).toBeCloseTo(1200 / 60); // short prompts: in the end-to-end rate already
  expect(t.roles.optimizer).toBeCloseTo(2000 / 100 + 400 / 20); // one request at a time: the 1-slot rate
  expect(t.roles.judge).toBeNull();
  expect(t.seconds).toBeCloseTo(t.roles.backbone! + t.roles.optimizer!);
});

test("the local provider prefers this host's measurement, falls back to the catalogue, and knows nothing of unknown models", () => {
  const home = tempHome();
  expect(localThroughput('qwen2.5-coder-0.5b-instruct', home)?.source).toMatch(/catalogue/);
  const file = throughputFile(home, 'qwen2.5-coder-0.5b-instruct');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ measuredAt: '2026-12-06T00:00:00Z', rows: [{ slots: 2, aggregateTokPerSec: 40, promptTokPerSec: 90 }, { slots: 1, aggregateTokPerSec: 25, promptTokPerSec: 130 }] }));
  const own = localThroughput('qwen2.5-coder-0.5b-instruct', home)!;
  expect(own.source).toMatch(/measured on this host 2026-12-06/);
  expect(own.generation).toEqual([[1, 25], [2, 40]]);
  expect(own.promptTokPerSec).toBe(130);
  expect(localThroughput('no-such-model', home)).toBeUndefined();
  expect(localThroughput('/tmp/unmeasured.gguf', home)).toBeUndefined();
});
