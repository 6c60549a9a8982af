/**
 * Control and progress of a search. Updates go to the run (`optimizeMas`), which forwards them to the running
 * round as a signal; both stop or pause only at a unit boundary (between a refresh or a step and the next), so
 * nothing in flight is lost. Definitions only: the client imports them too.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallTotals } from '../../core/optimization';

export type SearchControl = 'running' | 'paused' | 'stopping';

export interface RunProgress {
  phase: 'searching' | 'held-out' | 'done';
  control: SearchControl;
  round: number;
  rounds: number;
  /** Id of the running round child (query it with `roundProgressQuery` for the agent and step). */
  roundWorkflowId?: string;
  /** Calls of completed rounds. */
  totals: CallTotals;
  prompts: Record<string, string>;
  bestJ: Record<string, number>;
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
}

export const runProgressQuery = defineQuery<RunProgress>('runProgress');
export const roundProgressQuery = defineQuery<RoundProgress>('roundProgress');

/** Pause at the next boundary; resume; or stop at the next boundary and finish with the best prompts so far. */
export const controlUpdate = defineUpdate<SearchControl, ['pause' | 'resume' | 'stop']>('control');
/** The run's forward of a control change to its running round. */
export const controlSignal = defineSignal<[SearchControl]>('control');

export function nextControl(current: SearchControl, command: 'pause' | 'resume' | 'stop'): SearchControl {
  if (command === 'stop' || current === 'stopping') return 'stopping';
  return command === 'pause' ? 'paused' : 'running';
}
