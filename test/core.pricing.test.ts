/** core/forecast/pricing.ts: price lookup, the `prices:` schema, token estimates and the cost arithmetic on hand-computed cases. */
import { isFreeProvider } from '../activities/llm/providers/registry';
import { DEFAULT_PRICES, estimateTokensPerCall, forecastCost, heldOutCalls, lookupPrice, type TokenEstimates } from '../core/forecast/pricing';
import { PricesSchema } from '../core/schema/prices';
import { optimizeSettings } from '../core/schema/optimize';

const tokens: TokenEstimates = { backbone: { input: 1000, output: 500 }, optimizer: { input: 10_000, output: 2000 }, judge: { input: 2000, output: 100 } };
const models = { backbone: { provider: 'openai', model: 'gpt-4o-mini' }, optimizer: { provider: 'openai', model: 'gpt-4o' }, judge: { provider: 'openai', model: 'gpt-4o-mini' } };

test('default table: list prices for common models, sim* and the sim provider cost 0', () => {
  expect(lookupPrice({ model: 'gpt-4o' })).toEqual({ price: { input: 2.5, output: 10 }, source: 'default', key: 'gpt-4o' });
  expect(lookupPrice({ model: 'gpt-4o-mini' })?.key).toBe('gpt-4o-mini'); // exact key, not a prefix of gpt-4o
  expect(lookupPrice({ model: 'sim-agent' })).toEqual({ price: { input: 0, output: 0 }, source: 'default', key: 'sim*' });
  expect(lookupPrice({ provider: 'sim', model: 'anything' }, {}, DEFAULT_PRICES, isFreeProvider)?.price).toEqual({ input: 0, output: 0 });
  for (const m of ['gpt-4.1', 'gpt-4.1-mini', 'o3-mini', 'gemini-2.5-pro', 'gemini-2.5-flash', 'deepseek-chat', 'qwen3-8b']) expect(DEFAULT_PRICES[m]).toBeDefined();
  expect(DEFAULT_PRICES['qwen3-8b']).toEqual({ input: 0, output: 0 });
});

test('config overrides win (exact, then longest prefix); unknown models are unpriced, never guessed', () => {
  const over = { 'gpt-4o': { input: 1, output: 2 }, 'my-*': { input: 3, output: 4 }, 'my-big*': { input: 5, output: 6 } };
  expect(lookupPrice({ model: 'gpt-4o' }, over)).toEqual({ price: { input: 1, output: 2 }, source: 'config', key: 'gpt-4o' });
  expect(lookupPrice({ model: 'my-big-model' }, over)?.key).toBe('my-big*');
  expect(lookupPrice({ model: 'my-small' }, over)?.key).toBe('my-*');
  expect(lookupPrice({ model: 'llama-3-70b' }, over)).toBeUndefined();
  expect(lookupPrice({ model: 'gpt-4o-2024-08-06' })).toBeUndefined(); // no fuzzy matching of dated snapshots
});

test('the prices: schema accepts { model: { input, output } } and rejects bad entries', () => {
  expect(PricesSchema.parse({ 'gpt-4o': { input: 2.5, output: 10 } })).toEqual({ 'gpt-4o': { input: 2.5, output: 10 } });
  expect(PricesSchema.safeParse({ x: { input: -1, output: 1 } }).success).toBe(false);
  expect(PricesSchema.safeParse({ x: { input: 1 } }).success).toBe(false);
  expect(PricesSchema.safeParse({ x: { input: 1, output: 1, cached: 0.5 } }).success).toBe(false);
});

test('cost arithmetic per role, per round, held-out and totals (hand-computed)', () => {
  const plan = {
    rounds: [
      { round: 1, calls: { backbone: 100, optimizer: 4, judge: 50 } },
      { round: 2, calls: { backbone: 200, optimizer: 6, judge: 50 } },
    ],
    heldOut: heldOutCalls(10, 2),
  };
  expect(plan.heldOut).toEqual({ backbone: 40, optimizer: 0, judge: 0 });
  const f = forecastCost(plan, models, {}, tokens);
  // round 1 backbone: 100 × 1000 in = 100,000 × $0.15/1M = $0.015; 100 × 500 out = 50,000 × $0.60/1M = $0.03 → $0.045
  expect(f.rounds[0].roles.backbone).toEqual({ calls: 100, inputTokens: 100_000, outputTokens: 50_000, dollars: expect.closeTo(0.045, 10) });
  // round 1 optimizer (gpt-4o): 40,000 in × 2.5/1M = $0.1; 8,000 out × 10/1M = $0.08 → $0.18
  expect(f.rounds[0].roles.optimizer.dollars).toBeCloseTo(0.18, 10);
  // round 1 judge: 100,000 in × 0.15/1M = $0.015; 5,000 out × 0.6/1M = $0.003 → $0.018
  expect(f.rounds[0].roles.judge.dollars).toBeCloseTo(0.018, 10);
  expect(f.rounds[0].total.calls).toBe(154);
  expect(f.rounds[0].total.dollars).toBeCloseTo(0.243, 10);
  // search: backbone 300 calls → 300,000 in, 150,000 out → 0.045 + 0.09 = $0.135
  expect(f.search.roles.backbone).toEqual({ calls: 300, inputTokens: 300_000, outputTokens: 150_000, dollars: expect.closeTo(0.135, 10) });
  // held-out: 40 × (1000 × 0.15 + 500 × 0.6)/1M = 40 × 0.00045 = $0.018
  expect(f.heldOut!.total).toEqual({ calls: 40, inputTokens: 40_000, outputTokens: 20_000, dollars: expect.closeTo(0.018, 10) });
  // total: search backbone 0.135 + optimizer 10 calls (100,000 × 2.5 + 20,000 × 10)/1M = 0.45 + judge 100 calls (200,000 × 0.15 + 10,000 × 0.6)/1M = 0.036, + held-out 0.018
  expect(f.total.total.calls).toBe(300 + 10 + 100 + 40);
  expect(f.total.total.dollars).toBeCloseTo(0.135 + 0.45 + 0.036 + 0.018, 10);
  expect(f.unpriced).toEqual([]);
});

test('an unpriced model keeps its tokens but gets no dollars, and is listed', () => {
  const f = forecastCost({ rounds: [{ round: 1, calls: { backbone: 10, optimizer: 2, judge: 0 } }] }, { ...models, optimizer: { provider: 'openai', model: 'mystery-1' } }, {}, tokens);
  expect(f.unpriced).toEqual(['mystery-1']);
  expect(f.prices.optimizer).toBeNull();
  expect(f.total.roles.optimizer).toEqual({ calls: 2, inputTokens: 20_000, outputTokens: 4000, dollars: null });
  // the total's dollars cover the priced roles only: backbone 10 × 0.00045
  expect(f.total.total.dollars).toBeCloseTo(0.0045, 10);
  expect(f.heldOut).toBeUndefined();
  // a price in the config makes it priced
  const priced = forecastCost({ rounds: [{ round: 1, calls: { backbone: 0, optimizer: 2, judge: 0 } }] }, { ...models, optimizer: { model: 'mystery-1' } }, { 'mystery-1': { input: 1, output: 1 } }, tokens);
  expect(priced.total.total.dollars).toBeCloseTo(24_000 / 1e6, 10);
});

test('token estimates follow the documented assumptions', () => {
  const settings = optimizeSettings({ batchSize: 4, proposalsPerParent: 2 });
  const agents = [
    { id: 'a', prompt: 'x'.repeat(400) + '{{question}}', predecessors: [], successors: ['b'] },
    { id: 'b', prompt: 'y'.repeat(800) + '{{context}}{{question}}', predecessors: ['a'], successors: [] },
  ];
  const t = estimateTokensPerCall(
    { agents, maxTokens: { backbone: 1000, optimizer: 2000, judge: 100 }, settings },
    { charsPerToken: 4, questionTokens: 100, outputFraction: { backbone: 0.5, optimizer: 0.25, judge: 1 } },
  );
  // replies: 500 / 500 / 100; backbone input: mean(100 + 100, 200 + 100 + 500) = 500
  expect(t.backbone).toEqual({ input: 500, output: 500 });
  expect(t.optimizer.output).toBe(500);
  expect(t.judge.output).toBe(100);
  // judge input = fixed text + question + 2 replies
  expect(t.judge.input).toBeGreaterThan(100 + 1000);
  expect(t.judge.input).toBeLessThan(100 + 1000 + 1000);
  // optimizer sees every trace (fixed: proposalTraces all): at least mean template + 4 traces of question + context + output
  expect(settings.proposalTraces).toBe('all');
  expect(t.optimizer.input).toBeGreaterThan(150 + 4 * (100 + 250 + 500));
});
