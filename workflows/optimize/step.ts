/**
 * Child workflow: one step of one agent's turn (paper Alg. 1, inner loop): every beam parent's traces, Ksub
 * proposals and one `evaluateCandidate` child per distinct usable proposal. The body is units.ts
 * `runStep` (parents side by side under patch `pipelined-parents`); the round turns the scored candidates into
 * the next beam (core/search/search.ts `applyStep`).
 */
import { setHandler } from '@temporalio/workflow';
import type { StepInput, StepResult } from '../../core/contracts/optimize';
import { runStep } from './units';
import { workflowIo } from './calls';
import { evaluateCandidate } from './candidate';
import { stepProgressQuery, type StepProgress } from './control';

export async function optimizeStep(input: StepInput): Promise<StepResult> {
  const progress: StepProgress = { candidatesDone: 0, candidatesPlanned: 0 };
  setHandler(stepProgressQuery, () => progress);
  return runStep(workflowIo(input.ctx, evaluateCandidate), input, progress);
}
