/**
 * A small, hand-made run record for the pure tests of the record, the lineage, the spend and the HTML report:
 * a solver → checker chain, one round, two solver steps and one checker step, with known node ids, one
 * misalignment case mined in step 1 and injected into step 2, a rejected candidate, and held-out results.
 * `hostile` text may be put into the prompts and the case (escaping tests).
 */
import path from 'node:path';
import { emptyLedger, recordCall, type Ledger } from '../../core/contracts/ledger';
import type { ModelRole } from '../../core/contracts/llm';
import type { BeamNode } from '../../core/search/node';
import type { MisalignmentCase } from '../../core/search/types';
import type { ParentOutcome } from '../../core/contracts/optimize';
import { RUN_RECORD_KIND, RUN_RECORD_VERSION, type RunRecord, type StepRecord } from '../../core/contracts/run-record';
import { parseConfigText } from '../../client/config';
import { buildOptimizeInput } from '../../client/optimize';
import { tinySearchYaml } from './evaluation';

const PRICE = { input: 1, output: 2 }; // $ per 1M tokens, for every role

export function ledgerWith(calls: Partial<Record<ModelRole, Array<{ cached: boolean; inputTokens: number; outputTokens: number }>>>): Ledger {
  const l = emptyLedger();
  for (const [role, list] of Object.entries(calls) as Array<[ModelRole, Array<{ cached: boolean; inputTokens: number; outputTokens: number }>]>) {
    for (const c of list) recordCall(l, role, { cached: c.cached, usage: { inputTokens: c.inputTokens, outputTokens: c.outputTokens } }, PRICE);
  }
  return l;
}

const node = (id: string, prompt: string, J: number, parentId: string | null, step: number, R: number | null): BeamNode => ({
  id,
  agentId: id.split('#')[0],
  prompt,
  J,
  parentId,
  round: parentId ? 1 : 0,
  step,
  R,
});

const scored = (prompt: string, R: number | null, cases: MisalignmentCase[] = []): ParentOutcome['scored'][number] => ({ prompt, R, cases, misalignmentRate: cases.length ? 0.5 : 0 });

export async function fixtureRecord(hostile = ''): Promise<RunRecord> {
  const yaml = tinySearchYaml({ name: 'fixture', seed: 3, heldOut: 20, optimize: '{ rounds: 1, stepsPerRound: 2, beamWidth: 2, proposalsPerParent: 2, poolSize: 6, batchSize: 3 }' });
  const input = await buildOptimizeInput({ file: path.join(process.cwd(), 'fixture.yaml'), config: parseConfigText('fixture.yaml', yaml) });
  const seedSolver = `Be concise.${hostile} Solve: {{question}}`;
  input.ctx.mas.agents[0].prompt = seedSolver;
  const seedChecker = input.ctx.mas.agents[1].prompt;

  const misaligned: MisalignmentCase = {
    kind: 'misalignment',
    agentId: 'solver',
    index: 4,
    question: `What is 2 + 3?${hostile}`,
    context: '',
    output: `<answer>5</answer>${hostile}`,
    downstream: { agentId: 'checker', output: 'The previous solution gives no steps. <answer>6</answer>' },
    lost: { lookahead: true, global: true },
    priority: 0,
    round: 1,
    step: 1,
  };
  const S1 = `Show every step.${hostile} Solve: {{question}}`;
  const S3 = `Show every step and state the result.${hostile} Solve: {{question}}`;
  const seedS = node('solver#seed', seedSolver, 0, null, 0, null);
  const seedC = node('checker#seed', seedChecker, 0, null, 0, null);
  const s1 = node('solver#1', S1, 0.2, 'solver#seed', 1, 0.2);
  const s2 = node('solver#2', S3, 0.3, 'solver#1', 2, 0.1);
  const c5 = node('checker#5', `Verify each step. ${seedChecker}`, 0.3, 'checker#seed', 1, 0.3);
  const c4 = node('checker#4', `Check. ${seedChecker}`, 0.1, 'checker#seed', 1, 0.1);

  const step = (over: Partial<StepRecord> & Pick<StepRecord, 'agentId' | 'step' | 'beam' | 'parents'>): StepRecord => ({
    kind: 'step',
    workflowId: `opt-fixture/round-1/${over.agentId}/step-${over.step}`,
    status: 'completed',
    round: 1,
    prompts: { solver: seedSolver, checker: seedChecker },
    batches: [[0, 1, 2]],
    cases: [],
    ledger: ledgerWith({ backbone: [{ cached: false, inputTokens: 100, outputTokens: 50 }, { cached: true, inputTokens: 100, outputTokens: 50 }], optimizer: [{ cached: false, inputTokens: 1000, outputTokens: 200 }], judge: [{ cached: false, inputTokens: 300, outputTokens: 20 }] }),
    ...over,
  });
  const units: StepRecord[] = [
    step({ agentId: 'solver', step: 1, beam: [seedS], parents: [{ parentId: 'solver#seed', proposals: [{ ok: true }, { ok: true }], scored: [scored(S1, 0.2, [misaligned]), scored(`Guess.${hostile} {{question}}`, -0.1)] }] }),
    step({
      agentId: 'solver',
      step: 2,
      beam: [s1, seedS],
      cases: [misaligned],
      parents: [
        { parentId: 'solver#1', proposals: [{ ok: true }, { ok: false, reason: 'no prompt' }], scored: [scored(S3, 0.1)] },
        { parentId: 'solver#seed', proposals: [{ ok: true }, { ok: true }], scored: [scored(`Be brief. Solve: {{question}}`, 0.05), scored(seedSolver, null)] },
      ],
    }),
    step({
      agentId: 'checker',
      step: 1,
      beam: [seedC],
      parents: [{ parentId: 'checker#seed', proposals: [{ ok: true }, { ok: true }], scored: [scored(c4.prompt, 0.1), scored(c5.prompt, 0.3)] }],
    }),
  ];
  const accuracy = (correct: number, n: number, low: number, high: number) => ({ n, correct, accuracy: correct / n, ci: { low, high, level: 0.95 }, resamples: 2000 });
  const prompts = { solver: S3, checker: c5.prompt };
  return {
    kind: RUN_RECORD_KIND,
    version: RUN_RECORD_VERSION,
    workflowId: 'opt-fixture',
    status: 'completed',
    startTime: '2026-11-25T00:00:00.000Z',
    closeTime: '2026-11-25T00:01:00.000Z',
    recordedAt: '2026-11-25T00:02:00.000Z',
    maspoVersion: '0.0.0-test',
    input,
    result: {
      runName: 'fixture',
      strategy: 'maspo',
      profile: 'fixed',
      seedPrompts: { solver: seedSolver, checker: seedChecker },
      prompts,
      agents: { solver: { best: s2, beam: [s2, s1], buffer: 1, refreshes: 0 }, checker: { best: c5, beam: [c5, c4], buffer: 0, refreshes: 0 } },
      rounds: [{ round: 1, prompts, bestJ: { solver: 0.3, checker: 0.3 }, improvements: 3, anchorShifts: 0, totals: { calls: { backbone: 6, optimizer: 3, judge: 3 }, cached: 3, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, unparseableVerdicts: 0, orderDisagreements: 0, rejectedProposals: 1 } }],
      totals: { calls: { backbone: 6, optimizer: 3, judge: 3 }, cached: 3, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, unparseableVerdicts: 0, orderDisagreements: 0, rejectedProposals: 1 },
      pool: [0, 1, 2, 3, 4, 5],
      datasets: { pool: input.ctx.dataset, heldOut: input.heldOut?.dataset },
      heldOut: { dataset: 'sim-test', seed: accuracy(10, 20, 0.3, 0.55), optimized: accuracy(16, 20, 0.6, 0.95), workflows: { seed: 'opt-fixture/held-out-seed', optimized: 'opt-fixture/held-out-optimized' } },
      stopped: false,
    },
    prompts,
    seedPrompts: { solver: seedSolver, checker: seedChecker },
    promptsFrom: 'result',
    rounds: [{ round: 1, prompts, bestJ: { solver: 0.3, checker: 0.3 }, improvements: 3, anchorShifts: 0, totals: { calls: { backbone: 6, optimizer: 3, judge: 3 }, cached: 3, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, unparseableVerdicts: 0, orderDisagreements: 0, rejectedProposals: 1 } }],
    units,
    heldOut: { dataset: 'sim-test', seed: accuracy(10, 20, 0.3, 0.55), optimized: accuracy(16, 20, 0.6, 0.95), workflows: { seed: 'opt-fixture/held-out-seed', optimized: 'opt-fixture/held-out-optimized' } },
    heldOutSpend: {
      seed: { workflowId: 'opt-fixture/held-out-seed', ledger: ledgerWith({ backbone: [{ cached: false, inputTokens: 10, outputTokens: 5 }] }) },
      optimized: { workflowId: 'opt-fixture/held-out-optimized', ledger: ledgerWith({ backbone: [{ cached: true, inputTokens: 10, outputTokens: 5 }] }) },
    },
    executions: ['run-1'],
    prices: { backbone: PRICE, optimizer: PRICE, judge: PRICE },
  };
}
