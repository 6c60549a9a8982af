/**
 * The search units' I/O inside Temporal (units.ts `UnitIo`): each LLM call an activity on its role's
 * task queue, the dataset's items an activity, a candidate evaluation an `evaluateCandidate` child workflow of the
 * calling workflow (proxies.ts `callLlm`, shared with `evaluateBatch`). Prompts,
 * parsing, counting and the order of the calls are core/search's; this file only wires.
 */
import { executeChild, patched, workflowInfo } from '@temporalio/workflow';
import type { CandidateInput, CandidateResult, SearchContext } from '../../core/contracts/optimize';
import type { UnitIo } from './units';
import { callLlm, loadItems } from '../proxies';

type CandidateWorkflow = (input: CandidateInput) => Promise<CandidateResult>;

/**
 * `UnitIo` for one workflow of the search. `candidateWorkflow` is workflows/optimize/candidate.ts's
 * `evaluateCandidate` (passed in, not imported, so that module can use this one).
 */
export function workflowIo(ctx: SearchContext, candidateWorkflow?: CandidateWorkflow): UnitIo {
  return {
    llm: (role, prompt, sampleIndex, label) => callLlm(ctx, role, ctx.models[role], prompt, sampleIndex, label),
    loadItems: (dataset, indices) => loadItems(dataset, indices),
    candidate: (input, child) => {
      if (!candidateWorkflow) throw new Error('workflowIo: no candidate workflow given');
      return executeChild(candidateWorkflow, { workflowId: `${workflowInfo().workflowId}/${child.name}`, staticSummary: child.summary, args: [input] });
    },
    pipelined: (feature) => patched(`pipelined-${feature}`),
  };
}
