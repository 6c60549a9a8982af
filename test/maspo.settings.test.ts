import { parseConfigText, ConfigError } from '../client/config';
import { OptimizeSchema, optimizeSettings, resolveOptimizeSettings } from '../core/schema/optimize';

const base = `
name: chain
dataset: { kind: sim, split: test, size: 10 }
mas:
  agents:
    - { id: solver, prompt: "Solve: {{question}}" }
    - { id: reviewer, prompt: "Check {{context}} for {{question}}" }
  edges: ["solver -> reviewer"]
models:
  backbone: { provider: sim, model: sim-agent }
`;
const withModels = `${base}  optimizer: { provider: sim, model: sim-opt, temperature: 0.7 }\n  judge: { provider: sim, model: sim-judge }\n`;

function configError(text: string): string {
  try {
    parseConfigText('run.yaml', text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function optimizeError(input: unknown): string {
  const r = OptimizeSchema.safeParse(input);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(' | ');
}

describe('optimize settings', () => {
  test('defaults are the paper configuration, fixed profile', () => {
    const s = optimizeSettings();
    expect(s).toMatchObject({
      profile: 'fixed',
      strategy: 'maspo',
      search: true,
      rounds: 3,
      stepsPerRound: 3,
      beamWidth: 2,
      proposalsPerParent: 2,
      poolSize: 50,
      batchSize: 10,
      weights: { local: 0.4, lookahead: 0.4, global: 0.2 },
      lookaheadDepth: 1,
      jointEvaluation: true,
      lookahead: true,
      misalignment: 'hard-negatives',
      maxMisalignmentCases: 3,
      beamRefresh: true,
      judgeBothOrders: true,
      taskType: 'math',
      verdictParsing: 'strict',
      allowTieVerdict: true,
      batchPerNode: false,
      parentCopies: false,
      caseDelivery: 'marked-self',
      handoffSummaryWords: null,
      tieBreak: 'seeded',
    });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  test('faithful profile carries the reference semantics', () => {
    const s = optimizeSettings({ profile: 'faithful' });
    expect(s).toMatchObject({
      judgeBothOrders: false,
      verdictParsing: 'lenient',
      allowTieVerdict: false,
      batchPerNode: true,
      parentCopies: true,
      caseDelivery: 'successor-questions',
      maxInjectedQuestions: 5,
      noLookaheadWeights: { local: 0.7, lookahead: 0, global: 0.3 },
      refreshWeights: { local: 0.7, lookahead: 0, global: 0.3 },
      refreshLookahead: false,
      handoffSummaryWords: 30,
      proposalTraces: 'split',
      tieBreak: 'stable',
    });
    expect(optimizeSettings({ profile: 'faithful', taskType: 'code' }).handoffSummaryWords).toBe(50);
    expect(optimizeSettings({ profile: 'faithful', judgeBothOrders: true }).judgeBothOrders).toBe(true);
  });

  test('fixed renormalises α and θ when no lookahead comparison is made', () => {
    const w = optimizeSettings().noLookaheadWeights;
    expect(w.local).toBeCloseTo(2 / 3, 12);
    expect(w.global).toBeCloseTo(1 / 3, 12);
    expect(w.lookahead).toBe(0);
  });

  test('strategy presets: local-only and none', () => {
    expect(optimizeSettings({ strategy: 'local-only' })).toMatchObject({ jointEvaluation: false, lookahead: false, misalignment: 'off', beamRefresh: false, search: true });
    expect(optimizeSettings({ strategy: 'none' }).search).toBe(false);
  });

  test('Table 2 ablations are expressible', () => {
    expect(optimizeSettings({ jointEvaluation: false })).toMatchObject({ jointEvaluation: false, lookahead: false, misalignment: 'off', beamRefresh: true });
    expect(optimizeSettings({ misalignment: 'random' }).misalignment).toBe('random');
    expect(optimizeSettings({ misalignment: 'success' }).misalignment).toBe('success');
    expect(optimizeSettings({ misalignment: 'off' }).misalignment).toBe('off');
    expect(optimizeSettings({ beamRefresh: false }).beamRefresh).toBe(false);
    expect(optimizeSettings({}).refreshSharesFirstBatch).toBe(true);
    expect(optimizeSettings({ refreshBatch: 'fresh' }).refreshSharesFirstBatch).toBe(false);
    expect(optimizeSettings({ refreshBatch: 'shared' }).refreshSharesFirstBatch).toBe(true);
    expect(optimizeSettings({}).refreshKeepsBest).toBeUndefined();
    expect(optimizeSettings({ refreshMovesBest: false }).refreshKeepsBest).toBe(true);
    expect(optimizeSettings({ lookaheadDepth: 3 }).lookaheadDepth).toBe(3);
    expect(optimizeSettings({ maxMisalignmentCases: 5 }).maxMisalignmentCases).toBe(5);
    expect(optimizeSettings({ weights: { local: 0.5, lookahead: 0, global: 0.5 } }).lookahead).toBe(false);
    expect(resolveOptimizeSettings(OptimizeSchema.parse({}), { grader: 'choice' }).taskType).toBe('choice');
  });

  test.each([
    ['weights not summing to 1', { weights: { local: 0.5 } }, /weights must sum to 1, but local 0.5 \+ lookahead 0.4 \+ global 0.2 = 1.1/],
    ['K = 0', { beamWidth: 0 }, /beamWidth: beamWidth \(K\) must be at least 1/],
    ['Ksub = 0', { proposalsPerParent: 0 }, /proposalsPerParent \(Ksub\) must be at least 1/],
    ['lookahead depth 4', { lookaheadDepth: 4 }, /lookaheadDepth/],
    ['batch larger than pool', { poolSize: 5, batchSize: 10 }, /batchSize: batchSize \(10\) must not exceed poolSize \(5\)/],
    ['unknown field', { temperature: 0.7 }, /Unrecognized key|unrecognized/i],
    ['unknown profile', { profile: 'paper' }, /profile/],
    ['local-only with refresh', { strategy: 'local-only', beamRefresh: true }, /beamRefresh: strategy local-only implies beamRefresh: false/],
    ['local-only with hard negatives', { strategy: 'local-only', misalignment: 'hard-negatives' }, /strategy local-only implies misalignment: off/],
    ['refreshBatch in the faithful profile', { profile: 'faithful', refreshBatch: 'shared' }, /refreshBatch: applies to the fixed profile only \(faithful always refreshes on a fresh batch\)/],
    ['hard negatives without joint evaluation', { jointEvaluation: false, misalignment: 'hard-negatives' }, /needs the lookahead\/global verdicts/],
  ])('%s is refused with a clear message', (_name, input, message) => {
    expect(optimizeError(input)).toMatch(message);
  });

  test('the config accepts an optimize section and requires optimizer and judge models for a search', () => {
    const c = parseConfigText('run.yaml', `${withModels}optimize: { profile: faithful }\n`);
    expect(c.optimize?.profile).toBe('faithful');
    expect(parseConfigText('run.yaml', base).optimize).toBeUndefined();
    expect(parseConfigText('run.yaml', `${base}optimize: { strategy: none }\n`).optimize?.strategy).toBe('none');
    expect(configError(`${base}optimize: {}\n`)).toMatch(/^run\.yaml: models\.optimizer: required when optimize\.strategy is maspo .*\(and 1 more problem\)$/);
    expect(configError(`${base}  optimizer: { provider: sim, model: o }\noptimize: {}\n`)).toMatch(/models\.judge: required/);
    expect(configError(`${withModels}optimize: { weights: { global: 0.5 } }\n`)).toMatch(/^run\.yaml: optimize\.weights: weights must sum to 1/);
  });
});
