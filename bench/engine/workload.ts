/**
 * A scenario as the workflow the harness starts and the worker limits it runs with: the search on the simulator
 * (the paper and growth scenarios), the evaluation job alone on the simulator, or the reduced search on a real
 * local model. The simulator's HTTP server is started only when some model is simulated (`world` set).
 */
import { graphOf, type AgentGraph } from '../../core/common/graph';
import type { EvaluateInput } from '../../core/contracts/evaluate';
import type { ModelRole } from '../../core/contracts/llm';
import type { OptimizeInput } from '../../core/contracts/optimize';
import type { SimWorldInput } from '../../core/schema/sim-config';
import type { RoleLimits } from '../../workers/worker';
import { evaluationInput } from './evaluation-input';
import { localModels, REAL_OPTIMIZE_SETTINGS, REAL_ROLES } from './real-model';
import { readPaperConfig, ROLE_CONCURRENCY, simulatedModels, simWorld, type Scenario } from './scenario';
import { searchInput } from './search-input';

export type Workload = ({ kind: 'search'; input: OptimizeInput } | { kind: 'evaluation'; input: EvaluateInput }) & {
  graph: AgentGraph;
  /** The worker's per-role limits. */
  roles: Partial<Record<ModelRole, RoleLimits>>;
};

export interface LoadedWorkload {
  /** The world the simulator's HTTP server runs; absent when no model is simulated (no server is started). */
  world?: SimWorldInput;
  /** The workload, once the simulator's server (if any) is listening at `simUrl`. */
  build(simUrl?: string): Promise<Workload>;
}

const SIMULATOR_ROLES: Workload['roles'] = { backbone: { concurrency: ROLE_CONCURRENCY }, optimizer: { concurrency: ROLE_CONCURRENCY }, judge: { concurrency: ROLE_CONCURRENCY } };

export async function loadWorkload(s: Scenario): Promise<LoadedWorkload> {
  const paper = await readPaperConfig();
  const world = simWorld(paper, s);
  if (s.realModel) {
    const model = s.realModel;
    return {
      // The dataset still generates the simulator's word problems (as plain text); no simulated model answers.
      build: async () => {
        const input = await searchInput(paper, s, localModels(paper, model), world, REAL_OPTIMIZE_SETTINGS);
        const roles = Object.fromEntries(Object.entries(REAL_ROLES).map(([role, r]) => [role, { concurrency: r.concurrency, model }]));
        return { kind: 'search', input, graph: graphOf(input.ctx.mas), roles };
      },
    };
  }
  const needUrl = (simUrl: string | undefined): string => {
    if (!simUrl) throw new Error(`${s.id}: the simulator's server is not running`);
    return simUrl;
  };
  if (s.workload === 'evaluation') {
    return {
      world,
      build: async (simUrl) => {
        const input = await evaluationInput(paper, s, world, needUrl(simUrl));
        return { kind: 'evaluation', input, graph: graphOf(input.mas), roles: SIMULATOR_ROLES };
      },
    };
  }
  return {
    world,
    build: async (simUrl) => {
      const input = await searchInput(paper, s, simulatedModels(paper, s, needUrl(simUrl)), world);
      return { kind: 'search', input, graph: graphOf(input.ctx.mas), roles: SIMULATOR_ROLES };
    },
  };
}
