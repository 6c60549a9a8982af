/**
 * The per-item verdicts of a step's candidate evaluations, for the run record (`StepRecord.verdicts`): each
 * candidate workflow `…/parent-<i>/cand-<c>` returns them in its result (`CandidateResult.verdicts`), which the
 * step's own history holds in the child's completion event, so one history (the step's) gives them all.
 */
import type { CandidateResult } from '../core/contracts/optimize';
import type { CandidateVerdicts } from '../core/contracts/run-record';
import type { ExecutionHistory } from './workflow-history';

const CANDIDATE_ID = /\/parent-(\d+)\/cand-(\d+)$/;

/** Verdicts of the step's completed candidates, in start order, from the step's history; undefined when none completed. */
export async function stepVerdicts(history: Pick<ExecutionHistory, 'children'>): Promise<CandidateVerdicts[] | undefined> {
  const out: CandidateVerdicts[] = [];
  for (const child of history.children) {
    const at = CANDIDATE_ID.exec(child.workflowId);
    const result = at ? await child.result<CandidateResult>() : undefined;
    if (at && result?.verdicts) out.push({ parent: Number(at[1]), candidate: Number(at[2]), items: result.verdicts });
  }
  return out.length ? out : undefined;
}
