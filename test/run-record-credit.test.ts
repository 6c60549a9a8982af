/**
 * Credit per agent and per edge (core/contracts/run-record-credit.ts) on the hand-made record of
 * support/run-record-fixture.ts, given per-item verdicts (and the breakdowns they imply) written out here, so every
 * expected number below is counted by hand from the items; then the same credit as the report section, the text
 * table of `maspo export` / `maspo status`, and the step verdicts read from a step's history.
 */
import { addRates, runCredit, stepTally } from '../core/contracts/run-record-credit';
import type { RunRecord, StepRecord } from '../core/contracts/run-record';
import { jointReward, type ItemVerdicts } from '../core/search/reward';
import { creditSection } from '../client/report/credit';
import { formatCreditTable } from '../client/report/credit-text';
import { renderReport } from '../client/report/render';
import { stepVerdicts } from '../client/run-record-verdicts';
import type { ExecutionHistory } from '../client/workflow-history';
import { fixtureRecord } from './support/run-record-fixture';

const la = (outcome: ItemVerdicts['local']) => [{ agentId: 'checker', outcome: outcome! }];
// solver's candidates (chain solver → checker; the lookahead at the terminal checker shows the global pair).
const S1: ItemVerdicts[] = [
  { item: 0, local: 'win', lookahead: la('loss'), global: 'loss' }, // won locally, lost at checker: disagree
  { item: 1, local: 'win', lookahead: la('win'), global: 'win' }, // agree
  { item: 2, local: 'tie', lookahead: la('loss'), global: 'loss' }, // a tie: neither
];
const GUESS: ItemVerdicts[] = [
  { item: 0, local: 'loss', lookahead: la('win'), global: 'win' }, // lost locally, won at checker: disagree
  { item: 1, local: 'loss', lookahead: la('loss'), global: 'loss' }, // agree
  { item: 2, local: 'win', lookahead: la('tie'), global: 'tie' }, // a tie: neither
];
const S3: ItemVerdicts[] = [
  { item: 0, local: 'win', lookahead: la('loss'), global: 'loss' }, // disagree
  { item: 3, lookahead: la('win'), global: 'win' }, // no local verdict: not compared
];
const C4: ItemVerdicts[] = [
  { item: 0, lookahead: [], terminal: 'win' },
  { item: 1, lookahead: [], terminal: 'tie' },
];
const ROUND2: ItemVerdicts[] = [{ item: 5, local: 'loss', lookahead: [], global: 'loss' }];

async function creditRecord(): Promise<RunRecord> {
  const record = await fixtureRecord();
  const settings = record.input.ctx.settings;
  const breakdown = (items: ItemVerdicts[], terminal = false) => jointReward(items, { settings, terminal, mode: 'step' });
  const [solver1, solver2, checker1] = record.units as StepRecord[];
  // solver step 1: parents[0].scored = [S1 (R 0.2), Guess (R −0.1)]; step 2: parents[0].scored[0] = S3 (R 0.1).
  solver1.parents![0].scored[0].breakdown = breakdown(S1);
  solver1.parents![0].scored[1].breakdown = breakdown(GUESS);
  solver1.verdicts = [
    { parent: 0, candidate: 0, items: S1 },
    { parent: 0, candidate: 1, items: GUESS },
  ];
  solver2.parents![0].scored[0].breakdown = breakdown(S3);
  solver2.verdicts = [{ parent: 0, candidate: 0, items: S3 }]; // "Be brief" (parents[1]) has neither
  checker1.parents![0].scored[0].breakdown = breakdown(C4, true);
  checker1.verdicts = [{ parent: 0, candidate: 0, items: C4 }];
  // A second round of the solver: one rejected candidate and one unusable reply, no verdicts on record.
  const s2 = record.result!.agents.solver.best;
  record.units.push({
    ...solver1,
    workflowId: 'opt-fixture/round-2/solver/step-1',
    round: 2,
    step: 1,
    beam: [s2],
    cases: [],
    parents: [{ parentId: s2.id, proposals: [{ ok: true }, { ok: false, reason: 'no prompt' }], scored: [{ prompt: 'Worse. {{question}}', R: -0.2, breakdown: breakdown(ROUND2), cases: [], misalignmentRate: 0 }] }],
    verdicts: undefined,
  });
  return record;
}

test('per agent and round: pooled win rates per level, mined cases, accepted and rejected proposals', async () => {
  const credit = runCredit(await creditRecord());
  const [solver, checker] = credit.agents;
  expect(solver.agentId).toBe('solver');
  expect(solver.byRound.map((r) => r.round)).toEqual([1, 2]);
  const r1 = solver.byRound[0];
  // Round 1: 2 steps; 2 + 2 + 2 replies, one unusable; evaluated S1, Guess, S3, "Be brief" (the seed copy has R null);
  // accepted the three with R > 0 (S1 0.2, S3 0.1, Be brief 0.05); rejected Guess + the unusable reply.
  expect(r1).toMatchObject({ steps: 2, proposals: 6, unusable: 1, evaluated: 4, accepted: 3, rejected: 2, misalignmentCases: 1 });
  // local over S1, Guess, S3: win win tie · loss loss win · win → 4 won, 1 tied, 2 lost of 7.
  expect(r1.rates.local).toEqual({ wins: 4, ties: 1, losses: 2, n: 7, rate: 4.5 / 7 });
  // lookahead: loss win loss · win loss tie · loss win → 3 won, 1 tied, 4 lost of 8 (the same pairs as global).
  expect(r1.rates.lookahead).toEqual({ wins: 3, ties: 1, losses: 4, n: 8, rate: 3.5 / 8 });
  expect(r1.rates.global).toEqual(r1.rates.lookahead);
  expect(r1.rates.terminal).toEqual({ wins: 0, ties: 0, losses: 0, n: 0, rate: null });
  expect(solver.byRound[1]).toMatchObject({ round: 2, steps: 1, proposals: 2, unusable: 1, evaluated: 1, accepted: 0, rejected: 2, misalignmentCases: 0 });
  expect(solver.total).toMatchObject({ steps: 3, proposals: 8, unusable: 2, evaluated: 5, accepted: 3, rejected: 4 });
  expect(solver.total.rates.local).toEqual({ wins: 4, ties: 1, losses: 3, n: 8, rate: 4.5 / 8 });
  // The checker is the terminal: only terminal verdicts (win, tie → 75%); both its candidates entered the beam.
  expect(checker.byRound).toHaveLength(1);
  expect(checker.total).toMatchObject({ steps: 1, proposals: 2, unusable: 0, evaluated: 2, accepted: 2, rejected: 0, misalignmentCases: 0 });
  expect(checker.total.rates.terminal).toEqual({ wins: 1, ties: 1, losses: 0, n: 2, rate: 0.75 });
  expect(checker.total.rates.local.n).toBe(0);
});

test('per edge: u\'s local verdict vs the lookahead judged at v on the same item; a tie is neither', async () => {
  const credit = runCredit(await creditRecord());
  // Items with both verdicts: S1 3, Guess 3, S3 1 (item 3 has no local verdict) = 7; decisive on both sides: 5;
  // won then lost: S1 item 0, S3 item 0; lost then won: Guess item 0.
  expect(credit.edges).toEqual([{ from: 'solver', to: 'checker', direct: true, compared: 7, decisive: 5, winThenLoss: 2, lossThenWin: 1, disagreements: 3, rate: 3 / 7 }]);
  // Evaluated: 4 solver candidates in round 1, 2 checker, 1 solver in round 2; verdicts for S1, Guess, S3, checker's first.
  expect(credit.evaluations).toBe(7);
  expect(credit.evaluationsWithVerdicts).toBe(4);
});

test('a faithful step counts an unusable reply once (its parent copy is not evaluated) and accepts only R > 0', async () => {
  const record = await fixtureRecord();
  const step = record.units[1] as StepRecord; // beam [solver#1, solver#seed]
  const seedPrompt = step.beam[1].prompt;
  step.parents![1].scored = [{ prompt: seedPrompt, R: null, cases: [], misalignmentRate: null }, { prompt: 'Zero. {{question}}', R: 0, cases: [], misalignmentRate: 0 }];
  step.parents![1].proposals = [{ ok: false, reason: 'no prompt' }, { ok: true }];
  const t = stepTally({ profile: 'faithful' }, step);
  // parents[0]: S3 accepted, one unusable; parents[1]: the parent copy (unusable) and an R = 0 candidate (rejected).
  expect(t).toMatchObject({ proposals: 4, unusable: 2, evaluated: 2, accepted: 1, rejected: 3 });
});

test('an old record without per-item verdicts still gives the agents\' credit and says why the edges are empty', async () => {
  const record = await fixtureRecord();
  const credit = runCredit(record);
  expect(credit.evaluationsWithVerdicts).toBe(0);
  expect(credit.edges).toEqual([{ from: 'solver', to: 'checker', direct: true, compared: 0, decisive: 0, winThenLoss: 0, lossThenWin: 0, disagreements: 0, rate: null }]);
  expect(credit.agents[0].total).toMatchObject({ evaluated: 4, accepted: 3, rejected: 2 });
  expect(formatCreditTable(credit)).toContain('no per-item verdicts in this record');
  expect(renderReport(record)).toContain('holds no per-item verdicts');
});

test('addRates pools comparisons (a tie counts ½)', () => {
  expect(addRates({ wins: 1, ties: 0, losses: 1, n: 2, rate: 0.5 }, { wins: 0, ties: 2, losses: 0, n: 2, rate: 0.5 })).toEqual({ wins: 1, ties: 2, losses: 1, n: 4, rate: 0.5 });
  expect(addRates({ wins: 0, ties: 0, losses: 0, n: 0, rate: null }, { wins: 0, ties: 0, losses: 0, n: 0, rate: null }).rate).toBeNull();
});

test('the report section and the text table show the same numbers', async () => {
  const record = await creditRecord();
  const credit = runCredit(record);
  const section = creditSection(credit).value;
  expect(renderReport(record)).toContain(section);
  expect(renderReport(record)).toContain('<a href="#credit">');
  expect(section).toContain('id="credit"');
  expect(section).toMatch(/<b>solver<\/b> → <b>checker<\/b><\/td><td>7<\/td><td>5<\/td><td>2<\/td><td>1<\/td><td><b>43%<\/b>/);
  expect(section).toContain('title="4 won · 1 tied · 2 lost of 7"');
  expect(section).toContain('title="1 won · 1 tied · 0 lost of 2"'); // checker's terminal rate
  expect(section).toContain('Per-item verdicts are recorded for 4 of 7 candidate evaluations');
  const text = formatCreditTable(credit);
  expect(text.split('\n')).toEqual([
    "credit per agent and round: candidates' win rates (comparisons), ties count ½; misalignment cases mined; proposals accepted into the beam / rejected",
    '  agent         local  lookahead   global  terminal  cases  accepted        rejected',
    '  solver r1   64% (7)    44% (8)  44% (8)         —      1         3  2 (1 unusable)',
    '  solver r2    0% (1)          —   0% (1)         —      0         0  2 (1 unusable)',
    '  solver all  56% (8)    44% (8)  39% (9)         —      1         3  4 (2 unusable)',
    '  checker r1        —          —        —   75% (2)      0         2  0 (0 unusable)',
    "credit per edge u → v: u's local verdict vs the lookahead judged at v, same item and candidate; disagree = one win, one loss",
    '  edge              items  u won, v lost  u lost, v won  disagree',
    '  solver → checker      7              2              1       43%',
  ]);
});

test('stepVerdicts reads each completed candidate\'s verdicts from the step\'s history, keyed by parent and candidate', async () => {
  const child = (workflowId: string, result?: unknown) => ({ workflowId, type: 'evaluateCandidate', status: result ? ('completed' as const) : ('failed' as const), input: async <T>() => ({}) as T, result: async <T>() => result as T | undefined });
  const history = {
    workflowId: 'run/round-1/solver/step-1',
    children: [child('run/round-1/solver/step-1/parent-0/cand-1', { verdicts: GUESS }), child('run/round-1/solver/step-1/parent-1/cand-0', { verdicts: S3 }), child('run/round-1/solver/step-1/parent-1/cand-1')],
  } as unknown as ExecutionHistory;
  // Only the step's own history is needed (the run record reads it once for verdicts and calls alike).
  expect(await stepVerdicts(history)).toEqual([
    { parent: 0, candidate: 1, items: GUESS },
    { parent: 1, candidate: 0, items: S3 },
  ]);
  expect(await stepVerdicts({ ...history, children: [] })).toBeUndefined();
});
