/**
 * Two optimize runs side by side (`maspo report --compare A B`): each run's final prompts per agent, held-out
 * accuracy, calls and spend, the paired difference of their optimized prompts on shared held-out items, and the
 * configuration fields that differ. Everything comes from the two run records; the HTML page
 * (./render.ts) and the terminal summary (./summary.ts) only lay it out. Pure.
 */
import { agentOrder, type RunRecord } from '../../../core/contracts/run-record';
import { spendSummary, type SpendSummary } from '../spend';
import { configDifferences, type ConfigDiff } from './config-diff';
import { pairOptimizedHeldOut, type CrossRunPairing } from './pairing';

export type SideName = 'A' | 'B';

export interface RunSide {
  name: SideName;
  record: RunRecord;
  spend: SpendSummary;
}

/** One agent's final prompt in each run; absent where the run has no such agent. */
export interface AgentPrompts {
  agentId: string;
  a?: string;
  b?: string;
}

export interface RunComparison {
  a: RunSide;
  b: RunSide;
  /** A's agents in search order, then agents only B has. */
  agents: AgentPrompts[];
  /** Optimized B − optimized A on the held-out items both runs evaluated. */
  optimized: CrossRunPairing;
  config: ConfigDiff;
}

export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  const ids = [...agentOrder(a), ...agentOrder(b).filter((id) => !(id in a.prompts))];
  return {
    a: { name: 'A', record: a, spend: spendSummary(a) },
    b: { name: 'B', record: b, spend: spendSummary(b) },
    agents: ids.map((agentId) => ({ agentId, a: a.prompts[agentId], b: b.prompts[agentId] })),
    optimized: pairOptimizedHeldOut(a, b),
    config: configDifferences(a, b),
  };
}
