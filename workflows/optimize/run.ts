/**
 * The optimisation run (paper Alg. 1): D rounds of coordinate ascent over the agents, each round a child
 * workflow. The run continues-as-new after every round, carrying the search state (beams, best prompts,
 * misalignment buffers, PRNG state) so its history stays small however long the search is.
 */
import { ContinueAsNew, continueAsNew, executeChild, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { addTotals, emptyTotals, type OptimizeInput, type OptimizeResult } from '../../core/optimization';
import { currentUnit, initialSearchState, promptMap, type SearchState } from '../../core/maspo/beam';
import { SA_STATUS } from '../../core/search-attributes';
import { evaluation } from '../activities';
import { optimizeRound } from './round';

export async function optimizeMas(input: OptimizeInput): Promise<OptimizeResult> {
  const { ctx } = input;
  const settings = ctx.settings;
  try {
    let state: SearchState;
    if (input.resume) state = input.resume.state;
    else {
      const { count } = await evaluation.describeDataset(ctx.dataset);
      state = initialSearchState(settings, ctx.mas, { seed: ctx.seed, datasetSize: count });
    }
    const rounds = input.resume?.rounds ?? [];
    let totals = input.resume?.totals ?? emptyTotals();

    if (currentUnit(state, settings).kind !== 'done') {
      const round = state.cursor.round;
      setCurrentDetails(`round ${round}/${settings.rounds} running`);
      const out = await executeChild(optimizeRound, {
        // The run id (not the per-execution run id) keeps round ids stable across continue-as-new.
        workflowId: `${workflowInfo().workflowId}/round-${round}`,
        staticSummary: `round ${round} of ${settings.rounds}`,
        args: [{ ctx, state }],
      });
      state = out.state;
      rounds.push(out.summary);
      totals = addTotals(totals, out.summary.totals);
      if (currentUnit(state, settings).kind !== 'done') {
        await continueAsNew<typeof optimizeMas>({ ctx, resume: { state, rounds, totals } });
      }
    }

    upsertSearchAttributes([{ key: SA_STATUS, value: 'completed' }]);
    setCurrentDetails(`done: ${rounds.length} round(s), ${totals.calls.backbone + totals.calls.optimizer + totals.calls.judge} LLM calls`);
    return {
      runName: ctx.runName,
      strategy: settings.strategy,
      profile: settings.profile,
      seedPrompts: Object.fromEntries(ctx.mas.agents.map((a) => [a.id, a.prompt])),
      prompts: promptMap(state),
      agents: Object.fromEntries(
        state.order.map((id) => {
          const a = state.agents[id];
          return [id, { best: a.best, beam: a.beam, buffer: a.buffer.length, refreshes: a.refreshes }];
        }),
      ),
      rounds,
      totals,
      pool: state.pool,
    };
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    upsertSearchAttributes([{ key: SA_STATUS, value: 'failed' }]);
    throw err;
  }
}
