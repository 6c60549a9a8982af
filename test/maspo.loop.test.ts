/**
 * A whole search on the simulated world through the workflows' own units without Temporal (workflows/optimize/units.ts
 * `searchInProcess`, the simulator injected as the LLM caller by fixtures/sim-search.ts): every unit leaves a
 * consistent state, calls stay within the plan's forecast, the same seed gives the same prompts, and a weak 2-agent
 * chain improves on held-out tasks. Reduced configuration to keep the test fast.
 */
import { defaultSimWorld } from '../core/schema/sim-config';
import { planSearch } from '../core/forecast/plan';
import { optimizeSettings } from '../core/schema/optimize';
import { generateTasks } from '../sim/tasks';
import { searchOnSim, simContext, type SimSearchResult } from '../fixtures/sim-search';
import { chainStats } from '../fixtures/sim-chain';

const SEED = 5;
const world = defaultSimWorld({ seed: SEED });
const pool = generateTasks({ seed: SEED, split: 'train', size: 100, world }).map((t) => t.question);
const test_ = generateTasks({ seed: SEED, split: 'test', size: 150, world });
const agents = [
  { id: 'solver', role: 'predictor', prompt: 'You are a math solver.\n\nQuestion: {{question}}' },
  { id: 'reviewer', role: 'reviewer', prompt: 'You are a reviewer. Previous solution:\n{{context}}\n\nQuestion: {{question}}' },
];
const edges = [{ from: 'solver', to: 'reviewer' }];
const small = { rounds: 2, stepsPerRound: 2, poolSize: 30, batchSize: 6 } as const;

describe.each([
  ['fixed', optimizeSettings(small)],
  ['faithful (full hand-offs)', optimizeSettings({ ...small, profile: 'faithful', handoffSummaryWords: false })],
])('a whole search, %s profile', (_name, settings) => {
  const ctx = simContext(settings, agents, edges, world, SEED);
  let result: SimSearchResult;
  beforeAll(async () => {
    result = await searchOnSim(ctx, pool);
  }, 60_000);

  test('stays within the forecast and is reproducible', async () => {
    const plan = planSearch(settings, { agents: agents.map((a) => a.id), edges });
    for (const role of ['backbone', 'optimizer', 'judge'] as const) {
      expect(result.calls[role]).toBeLessThanOrEqual(result.requests[role]);
      expect(result.requests[role]).toBeLessThanOrEqual(plan.total[role]);
    }
    expect(result.requests.optimizer).toBeGreaterThan(0.75 * plan.total.optimizer);
    expect((await searchOnSim(ctx, pool)).prompts).toEqual(result.prompts);
  });

  test('improves the weak seed prompts on held-out tasks', () => {
    const before = chainStats(world, agents.map((a) => a.prompt), test_).accuracy;
    const after = chainStats(world, agents.map((a) => result.prompts[a.id]), test_).accuracy;
    expect(before).toBeLessThan(0.6);
    expect(after).toBeGreaterThan(before + 0.15);
  });
});

describe('lookahead on a 3-agent chain (solver → verifier → finalizer): judged on its own, not only copied from global', () => {
  const chain3 = [
    agents[0],
    { id: 'verifier', role: 'reviewer', prompt: 'You are a verifier. Previous solution:\n{{context}}\n\nQuestion: {{question}}' },
    { id: 'finalizer', role: 'reviewer', prompt: 'You write the final answer. Previous work:\n{{context}}\n\nQuestion: {{question}}' },
  ];
  const chainEdges = [{ from: 'solver', to: 'verifier' }, { from: 'verifier', to: 'finalizer' }];
  const tiny = { rounds: 1, stepsPerRound: 1, poolSize: 12, batchSize: 4 } as const;

  test.each([1, 2])('lookaheadDepth %i', async (depth) => {
    const settings = optimizeSettings({ ...tiny, lookaheadDepth: depth });
    const r = await searchOnSim(simContext(settings, chain3, chainEdges, world, SEED), pool);
    const c = r.totals.comparisons!;
    // The solver's candidates are judged on the verifier's re-run output (not the terminal): real lookahead verdicts.
    expect(c.judged.lookahead).toBeGreaterThan(0);
    // The verifier's lookahead (depth 1), and the solver's second hop (depth 2), is the terminal: copied from global.
    expect(c.copiedLookahead).toBeGreaterThan(0);
    expect(c.judged.local).toBeGreaterThan(0);
    expect(c.judged.terminal).toBeGreaterThan(0);
  }, 60_000);
});

describe('case expiry in a whole search (optimize.caseExpiry)', () => {
  const settingsWith = (caseExpiry?: { turns: number }) => optimizeSettings({ rounds: 2, stepsPerRound: 2, poolSize: 30, batchSize: 6, ...(caseExpiry ? { caseExpiry } : {}) });
  const stale = (r: SimSearchResult) => Object.values(r.state.agents).flatMap((a) => a.buffer.filter((c) => c.turn! < a.stepsDone));

  test('without it, cases mined in an earlier step are still buffered at the end; with turns: 1, none is', async () => {
    const without = await searchOnSim(simContext(settingsWith(), agents, edges, world, SEED), pool);
    expect(without.casesMined).toBeGreaterThan(0);
    expect(stale(without).length).toBeGreaterThan(0); // e.g. the solver's turn-2 cases, still shown at turns 3 and 4
    const withExpiry = await searchOnSim(simContext(settingsWith({ turns: 1 }), agents, edges, world, SEED), pool);
    expect(withExpiry.casesMined).toBeGreaterThan(0);
    expect(stale(withExpiry)).toEqual([]);
    for (const a of Object.values(withExpiry.state.agents)) for (const c of a.buffer) expect(c.against).toMatch(/^[0-9a-z]+$/);
  }, 60_000);
});
