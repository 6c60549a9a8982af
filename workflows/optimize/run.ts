/**
 * The optimisation run (paper Alg. 1): D rounds of coordinate ascent over the agents, each round a child
 * workflow. The run continues-as-new after every round, carrying the search state (beams, best prompts,
 * misalignment buffers, PRNG state) so its history stays small however long the search is.
 */
import { allHandlersFinished, condition, ContinueAsNew, continueAsNew, executeChild, getExternalWorkflowHandle, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { addTotals, emptyTotals, type OptimizeInput, type OptimizeResult } from '../../core/optimization';
import { currentUnit, initialSearchState, promptMap, type SearchState } from '../../core/maspo/beam';
import { SA_SCORE, SA_STATUS } from '../../core/search-attributes';
import type { HeldOutResult } from '../../core/optimization';
import { evaluateMas } from '../evaluate';
import { withPrompts } from '../run-mas';
import { evaluation } from '../activities';
import { controlSignal, controlUpdate, nextControl, runProgressQuery, type RunProgress, type SearchControl } from './messages';
import { optimizeRound } from './round';

export async function optimizeMas(input: OptimizeInput): Promise<OptimizeResult> {
  const { ctx } = input;
  const settings = ctx.settings;
  let control: SearchControl = input.control ?? 'running';
  let roundWorkflowId: string | undefined;
  let progress: Omit<RunProgress, 'control' | 'roundWorkflowId'> = {
    phase: 'searching', round: input.resume?.state.cursor.round ?? 1, rounds: settings.rounds, totals: input.resume?.totals ?? emptyTotals(), prompts: {}, bestJ: {},
  };
  setHandler(runProgressQuery, () => ({ ...progress, control, roundWorkflowId }));
  setHandler(controlUpdate, async (command) => {
    control = nextControl(control, command);
    // Forward to the running round so it reacts at its next boundary (not only at the end of the round).
    if (roundWorkflowId) await getExternalWorkflowHandle(roundWorkflowId).signal(controlSignal, control).catch(() => undefined);
    return control;
  });
  try {
    let state: SearchState;
    if (input.resume) state = input.resume.state;
    else {
      const { count } = await evaluation.describeDataset(ctx.dataset);
      state = initialSearchState(settings, ctx.mas, { seed: ctx.seed, datasetSize: count });
    }
    const rounds = input.resume?.rounds ?? [];
    let totals = input.resume?.totals ?? emptyTotals();
    progress = { ...progress, prompts: promptMap(state), bestJ: bestJOf(state) };

    await condition(() => control !== 'paused');
    let stopped = control === 'stopping';
    if (!stopped && currentUnit(state, settings).kind !== 'done') {
      const round = state.cursor.round;
      setCurrentDetails(`round ${round}/${settings.rounds} running`);
      roundWorkflowId = `${workflowInfo().workflowId}/round-${round}`;
      const out = await executeChild(optimizeRound, {
        // The run id (not the per-execution run id) keeps round ids stable across continue-as-new.
        workflowId: roundWorkflowId,
        staticSummary: `round ${round} of ${settings.rounds}`,
        args: [{ ctx, state, control }],
      });
      roundWorkflowId = undefined;
      state = out.state;
      rounds.push(out.summary);
      totals = addTotals(totals, out.summary.totals);
      stopped = out.stopped || control === 'stopping';
      progress = { ...progress, round: state.cursor.round, totals, prompts: promptMap(state), bestJ: bestJOf(state) };
      if (!stopped && currentUnit(state, settings).kind !== 'done') {
        await condition(allHandlersFinished);
        await continueAsNew<typeof optimizeMas>({ ...input, control, resume: { state, rounds, totals } });
      }
    }

    const prompts = promptMap(state);
    progress = { ...progress, phase: 'held-out' };
    // A stopped search skips the held-out evaluation: the user asked it to spend nothing more.
    const heldOut = input.heldOut && !stopped ? await evaluateHeldOut(input, prompts) : undefined;
    progress = { ...progress, phase: 'done' };
    upsertSearchAttributes([{ key: SA_STATUS, value: stopped ? 'stopped' : 'completed' }, ...(heldOut ? [{ key: SA_SCORE, value: heldOut.optimized.accuracy }] : [])]);
    setCurrentDetails(`done: ${rounds.length} round(s), ${totals.calls.backbone + totals.calls.optimizer + totals.calls.judge} LLM calls`);
    return {
      runName: ctx.runName,
      strategy: settings.strategy,
      profile: settings.profile,
      seedPrompts: Object.fromEntries(ctx.mas.agents.map((a) => [a.id, a.prompt])),
      prompts,
      agents: Object.fromEntries(
        state.order.map((id) => {
          const a = state.agents[id];
          return [id, { best: a.best, beam: a.beam, buffer: a.buffer.length, refreshes: a.refreshes }];
        }),
      ),
      rounds,
      totals,
      pool: state.pool,
      datasets: { pool: ctx.dataset, heldOut: input.heldOut?.dataset },
      heldOut,
      stopped,
    };
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    upsertSearchAttributes([{ key: SA_STATUS, value: 'failed' }]);
    throw err;
  }
}

/** Seed and optimised prompts on the held-out split, as two `evaluateMas` children run side by side. */
async function evaluateHeldOut(input: OptimizeInput, prompts: Record<string, string>): Promise<HeldOutResult> {
  const { ctx } = input;
  const spec = input.heldOut!;
  const base = workflowInfo().workflowId;
  const run = (which: 'seed' | 'optimized', mas: typeof ctx.mas) =>
    executeChild(evaluateMas, {
      workflowId: `${base}/held-out-${which}`,
      staticSummary: `held-out evaluation of the ${which} prompts`,
      args: [{ runName: `${ctx.runName}-${which}`, seed: ctx.seed, taskQueue: ctx.taskQueue, dataset: spec.dataset, mas, models: { backbone: ctx.models.backbone }, options: spec.options }],
    });
  const [seed, optimized] = await Promise.all([run('seed', ctx.mas), run('optimized', withPrompts(ctx.mas, prompts))]);
  return { dataset: spec.dataset.name, seed: seed.summary, optimized: optimized.summary, workflows: { seed: `${base}/held-out-seed`, optimized: `${base}/held-out-optimized` } };
}

function bestJOf(state: SearchState): Record<string, number> {
  return Object.fromEntries(state.order.map((id) => [id, state.agents[id].best.J]));
}
