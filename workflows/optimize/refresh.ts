/**
 * Child workflow: Beam Refresh at the start of a revisit of an agent (paper §3.4). Peers have changed since
 * the beam was scored, so stale cumulative scores are dropped and every beam prompt is re-scored against the
 * current global best on a fresh batch: J_new = R(p, p_best) (the centred win rate, win rate − 0.5).
 * The body is units.ts `runRefresh`; the round applies the rewards (core/search/search.ts `applyRefresh`).
 */
import type { RefreshInput, RefreshResultData } from '../../core/contracts/optimize';
import { runRefresh } from './units';
import { workflowIo } from './calls';
import { evaluateCandidate } from './candidate';

export async function refreshBeam(input: RefreshInput): Promise<RefreshResultData> {
  return runRefresh(workflowIo(input.ctx, evaluateCandidate), input);
}
