/**
 * Child workflow: Beam Refresh at the start of a revisit of an agent (paper §3.4). Peers have changed since
 * the beam was scored, so stale cumulative scores are dropped and every beam prompt is re-scored against the
 * current global best on a fresh batch: J_new = R(p, p_best) (the centred win rate, win rate − 0.5).
 */
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { addTotals, emptyTotals, type RefreshInput, type RefreshResultData } from '../../core/optimization';
import { evaluation } from '../activities';
import { evaluateCandidate } from './candidate';
import { runBaselines } from './step';

export async function refreshBeam(input: RefreshInput): Promise<RefreshResultData> {
  const { ctx, agentId } = input;
  let totals = emptyTotals();
  const items = await evaluation.loadItems(ctx.dataset, input.batch);
  const baseline = await runBaselines(ctx, input.prompts, agentId, input.best, items, new Map(), totals);
  const rewards: Record<string, number> = {};
  await Promise.all(
    input.targets.map(async (target, i) => {
      const r = await executeChild(evaluateCandidate, {
        workflowId: `${workflowInfo().workflowId}/beam-${i}`,
        staticSummary: `refresh: beam prompt ${i + 1} of ${agentId} vs current best`,
        args: [{ ctx, prompts: input.prompts, agentId, candidate: target, parent: input.best, baseline, mode: 'refresh' as const, round: input.round, step: 0 }],
      });
      rewards[target] = r.R;
      totals = addTotals(totals, r.totals);
    }),
  );
  return { rewards, baseline, totals };
}
