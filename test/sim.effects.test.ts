/**
 * Directive effects, measured the way MASPO would see them: accuracy of 1- and 2-agent chains over 200 generated
 * tasks for each of three world seeds (600 items per cell), read with the lenient final-answer reader.
 * Assertions are directions with margins well inside what the defaults produce (see sim/README.md for numbers).
 */
import { defaultSimWorld } from '../core/schema/sim-config';
import type { SimWorldInput } from '../core/schema/sim-config';
import { generateTasks } from '../sim/tasks';
import { chainStats, solverPrompt as solver, successorPrompt as successor } from '../fixtures/sim-chain';
import type { ChainStats } from '../fixtures/sim-chain';

const SEEDS = [1, 2, 3];
const SIZE = 200;
const TAG = 'Put the final answer inside <answer></answer>.';
const STEP = 'Think step by step.';
const CHECK = 'Double-check your arithmetic.';
const SHOW = 'Show each intermediate result.';
const BRIEF = 'Be concise.';
const VERIFY = 'Verify each step of the previous solution.';
const TRUST = 'Trust the previous answer.';
const ALONE = 'Solve it independently.';

/** Pooled over the seeds: accuracy, first agent's accuracy and mean output tokens per position. */
function measure(templates: string[], overrides: SimWorldInput = {}): ChainStats {
  const runs = SEEDS.map((seed) => {
    const world = defaultSimWorld({ ...overrides, seed });
    return chainStats(world, templates, generateTasks({ seed, split: 'test', size: SIZE, world }));
  });
  const avg = (f: (s: ChainStats) => number) => runs.reduce((a, s) => a + f(s), 0) / runs.length;
  return {
    accuracy: avg((s) => s.accuracy),
    firstAccuracy: avg((s) => s.firstAccuracy),
    meanTokens: templates.map((_, i) => avg((s) => s.meanTokens[i])),
  };
}

describe('directive effects (one agent)', () => {
  const bare = measure([solver()]);
  const tagged = measure([solver(TAG)]);
  const stepwise = measure([solver(STEP, TAG)]);
  const checked = measure([solver(CHECK, TAG)]);
  const both = measure([solver(STEP, CHECK, TAG)]);
  const brief = measure([solver(BRIEF, TAG)]);

  test('answer tag: untagged endings are sometimes unreadable', () => {
    expect(tagged.accuracy - bare.accuracy).toBeGreaterThan(0.08);
  });

  test('step-by-step lowers the error and lengthens the output', () => {
    expect(stepwise.accuracy - tagged.accuracy).toBeGreaterThan(0.08);
    expect(stepwise.meanTokens[0]).toBeGreaterThan(3 * tagged.meanTokens[0]);
  });

  test('double-check lowers the error; effects combine', () => {
    expect(checked.accuracy - tagged.accuracy).toBeGreaterThan(0.06);
    expect(both.accuracy).toBeGreaterThan(Math.max(stepwise.accuracy, checked.accuracy));
  });

  test('brevity alone looks harmless: shorter, and about as accurate for a lone agent', () => {
    expect(brief.meanTokens[0]).toBeLessThan(tagged.meanTokens[0] / 2);
    expect(Math.abs(brief.accuracy - tagged.accuracy)).toBeLessThan(0.06);
  });

  test('no single directive solves everything', () => {
    for (const s of [tagged, stepwise, checked, brief]) expect(s.accuracy).toBeLessThan(0.9);
  });
});

describe('directive effects (two-agent chain)', () => {
  const showThenVerify = measure([solver(SHOW, TAG), successor(VERIFY, TAG)]);
  const briefThenVerify = measure([solver(BRIEF, TAG), successor(VERIFY, TAG)]);
  const plainThenVerify = measure([solver(TAG), successor(VERIFY, TAG)]);
  const showThenDefault = measure([solver(SHOW, TAG), successor(TAG)]);
  const briefThenDefault = measure([solver(BRIEF, TAG), successor(TAG)]);

  test('planted misalignment: brevity upstream is shorter but lowers the accuracy of a verifying chain', () => {
    expect(briefThenVerify.meanTokens[0]).toBeLessThan(showThenVerify.meanTokens[0] / 3);
    // Locally the brief upstream output is as good as the one showing its work...
    expect(Math.abs(briefThenVerify.firstAccuracy - showThenVerify.firstAccuracy)).toBeLessThan(0.06);
    // ...globally it is not.
    expect(showThenVerify.accuracy - briefThenVerify.accuracy).toBeGreaterThan(0.12);
    expect(plainThenVerify.accuracy - briefThenVerify.accuracy).toBeGreaterThan(0.04);
  });

  test("non-stationarity: the verifier's value depends on its upstream peer's prompt", () => {
    const gainWithShow = showThenVerify.accuracy - showThenDefault.accuracy;
    const gainWithBrief = briefThenVerify.accuracy - briefThenDefault.accuracy;
    expect(gainWithShow).toBeGreaterThan(0.1);
    expect(gainWithBrief).toBeLessThan(0.05);
    expect(gainWithShow - gainWithBrief).toBeGreaterThan(0.1);
  });

  test('a verifying successor fixes most upstream errors when it can see every step', () => {
    expect(showThenVerify.accuracy - showThenVerify.firstAccuracy).toBeGreaterThan(0.15);
  });

  test('trust vs independence: the better choice depends on who is upstream', () => {
    const strongUp = solver(STEP, CHECK, TAG);
    const weakUp = solver();
    const trustStrong = measure([strongUp, successor(TRUST, TAG)]);
    const aloneStrong = measure([strongUp, successor(ALONE, TAG)]);
    const trustWeak = measure([weakUp, successor(TRUST, STEP, TAG)]);
    const aloneWeak = measure([weakUp, successor(ALONE, STEP, TAG)]);
    expect(trustStrong.accuracy - aloneStrong.accuracy).toBeGreaterThan(0.1);
    expect(aloneWeak.accuracy - trustWeak.accuracy).toBeGreaterThan(0.1);
    // Trusting copies the upstream answer as read: chain accuracy ≈ upstream accuracy.
    expect(Math.abs(trustStrong.accuracy - trustStrong.firstAccuracy)).toBeLessThan(0.03);
  });

  test('an untagged upstream ending misleads a trusting successor', () => {
    const untagged = measure([solver(STEP), successor(TRUST, TAG)], { agent: { untaggedAmbiguity: 0.5 } });
    const tagged = measure([solver(STEP, TAG), successor(TRUST, TAG)], { agent: { untaggedAmbiguity: 0.5 } });
    expect(tagged.accuracy - untagged.accuracy).toBeGreaterThan(0.05);
  });

  test('misalignment strength 0 disarms the trap', () => {
    const off = { misalignment: { strength: 0 } };
    const briefOff = measure([solver(BRIEF, TAG), successor(VERIFY, TAG)], off);
    const plainOff = measure([solver(TAG), successor(VERIFY, TAG)], off);
    expect(briefOff.accuracy).toBeGreaterThan(briefThenVerify.accuracy + 0.04);
    expect(Math.abs(briefOff.accuracy - plainOff.accuracy)).toBeLessThan(0.05);
  });
});
