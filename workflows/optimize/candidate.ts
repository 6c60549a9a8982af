/**
 * Child workflow: the joint reward of one candidate prompt against its parent on a mini-batch (paper §3). The body
 * is units.ts `evaluateCandidate` (re-runs, judge calls, R, mined cases); here its calls are activities.
 */
import type { CandidateInput, CandidateResult } from '../../core/contracts/optimize';
import { evaluateCandidate as scoreCandidate } from './units';
import { workflowIo } from './calls';

export async function evaluateCandidate(input: CandidateInput): Promise<CandidateResult> {
  return scoreCandidate(workflowIo(input.ctx), input);
}
