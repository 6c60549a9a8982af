/**
 * Control and progress of a search. Updates go to the run (`optimizeMas`), which forwards them to the running
 * round as a signal; both stop or pause only at a unit boundary (between a refresh or a step and the next), so
 * nothing in flight is lost. Definitions only: the client imports them too.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallTotals } from '../../core/contracts/optimize';
import type { Budget, BudgetChange } from '../../core/contracts/ledger';
import type { StepProgress } from './units';

export type SearchControl = 'running' | 'paused' | 'stopping';

export interface RunProgress {
  /** `budget-exhausted`: waiting at a boundary for a higher cap (the `budget` update) or a stop. */
  phase: 'searching' | 'budget-exhausted' | 'held-out' | 'done';
  control: SearchControl;
  round: number;
  rounds: number;
  /** Id of the running round child (query it with `roundProgressQuery` for the agent and step). */
  roundWorkflowId?: string;
  /** Calls of completed rounds. */
  totals: CallTotals;
  prompts: Record<string, string>;
  bestJ: Record<string, number>;
  budget?: Budget;
  /** Why the run waits (phase `budget-exhausted`). */
  budgetExhausted?: string;
}

export interface RoundProgress {
  round: number;
  agentId: string;
  unit: 'refresh' | 'step';
  step: number;
  stepsPerRound: number;
  control: SearchControl;
  /** Calls of this round's finished units. */
  totals: CallTotals;
  bestJ: Record<string, number>;
  /** Units (refreshes and steps) of this round finished, and planned in all. */
  unitsDone?: number;
  unitsInRound?: number;
  /** Id of the running step child (query it with `stepProgressQuery` for its candidate evaluations). */
  stepWorkflowId?: string;
}

/** Candidate evaluations of the running step (units.ts). */
export type { StepProgress } from './units';

export const stepProgressQuery = defineQuery<StepProgress>('stepProgress');

export const runProgressQuery = defineQuery<RunProgress>('runProgress');
export const roundProgressQuery = defineQuery<RoundProgress>('roundProgress');

/** Pause at the next boundary; resume; or stop at the next boundary and finish with the best prompts so far. */
export const controlUpdate = defineUpdate<SearchControl, ['pause' | 'resume' | 'stop']>('control');
/** The run's forward of a control change to its running round. */
export const controlSignal = defineSignal<[SearchControl]>('control');
/**
 * Set the spending cap (fields given replace the current ones; `null` removes a cap). A run waiting with
 * `budget_exhausted` goes on when the new cap covers its next unit. Returns the cap now in force.
 */
export const budgetUpdate = defineUpdate<Budget, [BudgetChange]>('budget');
/** The run's forward of a cap change to its running round. */
export const budgetSignal = defineSignal<[Budget | undefined]>('budget');

export function nextControl(current: SearchControl, command: 'pause' | 'resume' | 'stop'): SearchControl {
  if (command === 'stop' || current === 'stopping') return 'stopping';
  return command === 'pause' ? 'paused' : 'running';
}
