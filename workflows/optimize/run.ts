/**
 * The optimisation run (paper Alg. 1): D rounds of coordinate ascent over the agents, each round a child
 * workflow. The run continues-as-new after every round, carrying the search state (beams, best prompts,
 * misalignment buffers, PRNG state) so its history stays small however long the search is.
 */
import { allHandlersFinished, condition, ContinueAsNew, continueAsNew, executeChild, getExternalWorkflowHandle, patched, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { addTotals, emptyTotals, evaluationTotals, mergeRound, type CallTotals, type OptimizeInput, type OptimizeResult, type StopReason } from '../../core/contracts/optimize';
import { budgetChangeError, checkBudget, heldOutCalls, nextBudget, reservationFor, spendOf, type Budget } from '../../core/contracts/ledger';
import { currentUnit, initialSearchState, promptMap, type SearchState } from '../../core/search/state';
import { SA_SCORE, SA_SPEND, SA_STATUS } from '../../core/contracts/search-attributes';
import { comparePairedRecords } from '../../core/common/paired-stats';
import type { HeldOutResult } from '../../core/contracts/optimize';
import { evaluateMas } from '../evaluate';
import { withPrompts } from '../run-mas';
import { evaluation } from '../proxies';
import { budgetSignal, budgetUpdate, controlSignal, controlUpdate, nextControl, runProgressQuery, type RunProgress, type SearchControl } from './control';
import { optimizeRound } from './round';

export async function optimizeMas(input: OptimizeInput): Promise<OptimizeResult> {
  const { ctx } = input;
  const settings = ctx.settings;
  let control: SearchControl = input.control ?? 'running';
  let budget: Budget | undefined = input.budget;
  let budgetVersion = 0;
  let roundWorkflowId: string | undefined;
  let progress: Omit<RunProgress, 'control' | 'roundWorkflowId'> = {
    phase: 'searching', round: input.resume?.state.cursor.round ?? 1, rounds: settings.rounds, totals: input.resume?.totals ?? emptyTotals(), prompts: {}, bestJ: {},
  };
  setHandler(runProgressQuery, () => ({ ...progress, control, roundWorkflowId, budget }));
  setHandler(controlUpdate, async (command) => {
    control = nextControl(control, command);
    // Forward to the running round so it reacts at its next boundary (not only at the end of the round).
    if (roundWorkflowId) await getExternalWorkflowHandle(roundWorkflowId).signal(controlSignal, control).catch(() => undefined);
    return control;
  });
  setHandler(
    budgetUpdate,
    async (change) => {
      budget = nextBudget(budget, change);
      budgetVersion++;
      if (roundWorkflowId) await getExternalWorkflowHandle(roundWorkflowId).signal(budgetSignal, budget).catch(() => undefined);
      return budget;
    },
    {
      validator: (change) => {
        const error = budgetChangeError(change);
        if (error) throw new Error(error);
      },
    },
  );
  // Spend and status attributes came with the ledger; runs recorded before it replay without those upserts.
  const ledgered = patched('ledger-attributes');
  let heldOutLedger: CallTotals['ledger'];
  const upsertSpend = (status?: string) => {
    const usd = spendOf(totals.ledger).usd + spendOf(heldOutLedger).usd;
    if (ledgered) upsertSearchAttributes([{ key: SA_SPEND, value: usd }, ...(status ? [{ key: SA_STATUS, value: status }] : [])]);
  };
  let totals = input.resume?.totals ?? emptyTotals();
  let stopReason: StopReason | undefined;
  /**
   * Waits at a boundary whose next unit the cap cannot cover until the cap changes (true) or a stop (false).
   * The run's status reads `budget_exhausted` meanwhile; nothing is in flight.
   */
  const waitForBudget = async (reason: string): Promise<boolean> => {
    progress = { ...progress, phase: 'budget-exhausted', budgetExhausted: reason };
    upsertSpend('budget_exhausted');
    setCurrentDetails(`budget exhausted ${reason} — raise the cap (maspo budget) or stop`);
    const seen = budgetVersion;
    await condition(() => control === 'stopping' || budgetVersion !== seen);
    progress = { ...progress, phase: 'searching', budgetExhausted: undefined };
    if (control === 'stopping') {
      stopReason = 'budget_exhausted';
      return false;
    }
    upsertSpend('running');
    return true;
  };
  try {
    let state: SearchState;
    if (input.resume) state = input.resume.state;
    else {
      const { count } = await evaluation.describeDataset(ctx.dataset);
      state = initialSearchState(settings, ctx.mas, { seed: ctx.seed, datasetSize: count });
    }
    const rounds = input.resume?.rounds ?? [];
    progress = { ...progress, prompts: promptMap(state), bestJ: bestJOf(state) };

    await condition(() => control !== 'paused');
    if (control === 'stopping') stopReason = 'stopped';
    if (!stopReason && currentUnit(state, settings).kind !== 'done') {
      const round = state.cursor.round;
      setCurrentDetails(`round ${round}/${settings.rounds} running`);
      roundWorkflowId = `${workflowInfo().workflowId}/round-${round}`;
      const out = await executeChild(optimizeRound, {
        // The run id (not the per-execution run id) keeps round ids stable across continue-as-new.
        workflowId: roundWorkflowId,
        staticSummary: `round ${round} of ${settings.rounds}`,
        args: [{ ctx, state, control, budget, spent: totals.ledger }],
      });
      roundWorkflowId = undefined;
      state = out.state;
      mergeRound(rounds, out.summary);
      totals = addTotals(totals, out.summary.totals);
      if (out.stopped || control === 'stopping') stopReason = 'stopped';
      // After the last round the cursor points one past it; progress shows the last round, not "round 3/2".
      progress = { ...progress, round: Math.min(state.cursor.round, settings.rounds), totals, prompts: promptMap(state), bestJ: bestJOf(state) };
      upsertSpend();
      if (!stopReason && out.budgetExhausted) await waitForBudget(out.budgetExhausted);
      if (!stopReason && currentUnit(state, settings).kind !== 'done') {
        await condition(allHandlersFinished);
        await continueAsNew<typeof optimizeMas>({ ...input, control, budget, resume: { state, rounds, totals } });
      }
    }

    const prompts = promptMap(state);
    /** The held-out evaluation is a unit too: reserved against the cap like the search's units. */
    async function heldOutFits(): Promise<boolean> {
      if (!budget) return true;
      const { count } = await evaluation.describeDataset(input.heldOut!.dataset);
      for (;;) {
        const check = checkBudget(budget, spendOf(totals.ledger), reservationFor(heldOutCalls(count, ctx.mas.agents.length), ctx.pricing, totals.ledger));
        if (check.ok) return true;
        if (!(await waitForBudget(`before the held-out evaluation: ${check.reason}`))) return false;
      }
    }
    progress = { ...progress, phase: 'held-out' };
    // A stopped search skips the held-out evaluation: the user asked it to spend nothing more.
    let heldOut: HeldOutResult | undefined;
    if (input.heldOut && !stopReason && (await heldOutFits())) heldOut = await evaluateHeldOut(input, prompts);
    heldOutLedger = heldOut?.totals?.ledger;
    progress = { ...progress, phase: 'done' };
    const status = stopReason ?? 'completed';
    upsertSearchAttributes([{ key: SA_STATUS, value: status }, ...(heldOut ? [{ key: SA_SCORE, value: heldOut.optimized.accuracy }] : [])]);
    upsertSpend();
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
      stopped: stopReason !== undefined,
      ...(stopReason ? { stopReason } : {}),
      ...(budget ? { budget } : {}),
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
  // A search that changed no prompt evaluates the seed prompts once: run side by side, the two identical
  // evaluations would both miss the response cache and pay for every call twice (new runs only).
  const unchanged = ctx.mas.agents.every((a) => prompts[a.id] === undefined || prompts[a.id] === a.prompt);
  const once = unchanged && patched('held-out-once');
  const [seed, optimized] = once
    ? await run('seed', ctx.mas).then((r) => [r, r] as const)
    : await Promise.all([run('seed', ctx.mas), run('optimized', withPrompts(ctx.mas, prompts))]);
  return {
    dataset: spec.dataset.name,
    seed: seed.summary,
    optimized: optimized.summary,
    // Pure and seeded (no commands): recorded histories replay unchanged.
    paired: comparePairedRecords(seed.records, optimized.records, ctx.seed, seed.summary.resamples),
    totals: evaluationTotals(once ? [seed] : [seed, optimized], ctx.pricing?.prices.backbone),
    workflows: { seed: `${base}/held-out-seed`, optimized: once ? `${base}/held-out-seed` : `${base}/held-out-optimized` },
  };
}

function bestJOf(state: SearchState): Record<string, number> {
  return Object.fromEntries(state.order.map((id) => [id, state.agents[id].best.J]));
}
