/**
 * A whole MASPO search in process, on the simulated world, through the same units as the workflows
 * (core/maspo/search.ts `searchInProcess` → units.ts): the only things injected are the LLM caller, here the
 * simulator's `respond` (sim/world.ts, what the in-process `sim` provider answers with, faults off), and the items,
 * here a list of questions. No Temporal, no retries.
 * Like the product's response cache, an identical request (same role, model, temperature, sample and text) is paid
 * once: `calls` counts paid calls per role, `requests` all of them (what the workflows' totals and `maspo plan` count).
 */
import type { MasEdge } from '../../core/evaluation';
import type { LlmResult, ModelRole, ModelSpec } from '../../core/llm';
import type { SearchContext } from '../../core/optimization';
import type { RoleCalls } from '../../core/maspo/plan';
import { searchInProcess, type InProcessSearch } from '../../core/maspo/search';
import { initialSearchState } from '../../core/maspo/state';
import type { SearchSettings } from '../../core/maspo/types';
import type { LlmCaller } from '../../core/maspo/units';
import type { SimWorldConfig } from '../../core/sim-config';
import { respond } from '../../sim/world';

export interface SimAgent {
  id: string;
  role: string;
  prompt: string;
}

/** The models of examples/sim-*.yaml: the simulator for every role, the optimizer sampling at 0.7. */
export function simModels(world: SimWorldConfig): SearchContext['models'] {
  const spec = (model: string, temperature: number): ModelSpec => ({ provider: 'sim', model, temperature, maxTokens: 100_000, timeoutMs: 60_000, sim: world as unknown as Record<string, unknown> });
  return { backbone: spec('sim-agent', 0), optimizer: spec('sim-optimizer', 0.7), judge: spec('sim-judge', 0) };
}

/** A search context for a configuration without a config file (no pricing, items in order). */
export function simContext(settings: SearchSettings, agents: SimAgent[], edges: MasEdge[], world: SimWorldConfig, seed: number): SearchContext {
  return {
    runName: 'in-process',
    seed,
    taskQueue: 'in-process',
    dataset: { kind: 'sim', name: 'sim-train', split: 'train', size: settings.poolSize, seed: world.seed, world: world as unknown as Record<string, unknown> },
    mas: { topology: 'custom', agents, edges },
    models: simModels(world),
    settings,
    concurrency: 8,
    llmHeartbeatTimeoutMs: 60_000,
  };
}

export interface SimSearchResult extends InProcessSearch {
  calls: RoleCalls;
  requests: RoleCalls;
}

/** Runs the search of `ctx` (its models answered by the simulator) with `questions` as the dataset's items. */
export async function searchOnSim(ctx: SearchContext, questions: readonly string[]): Promise<SimSearchResult> {
  const calls: RoleCalls = { backbone: 0, optimizer: 0, judge: 0 };
  const requests: RoleCalls = { backbone: 0, optimizer: 0, judge: 0 };
  const cache = new Map<string, Promise<LlmResult>>();
  const llm: LlmCaller = (role: ModelRole, prompt, sampleIndex) => {
    const spec = ctx.models[role];
    requests[role]++;
    const key = JSON.stringify([role, spec.model, spec.temperature, sampleIndex, prompt]);
    const hit = cache.get(key);
    if (hit) return hit.then((r) => ({ ...r, cached: true, latencyMs: 0 }));
    calls[role]++;
    const r = respond(spec.sim as unknown as SimWorldConfig, { model: spec.model, messages: [{ role: 'user', content: prompt }], temperature: spec.temperature, maxTokens: spec.maxTokens, seed: sampleIndex });
    const made = Promise.resolve<LlmResult>({
      text: r.text,
      finishReason: { unified: r.finishReason, raw: r.finishReason },
      usage: r.usage,
      empty: r.text.trim() === '',
      cached: false,
      provider: 'sim',
      model: spec.model,
      latencyMs: 0,
    });
    cache.set(key, made);
    return made;
  };
  const loadItems = async (_dataset: unknown, indices: number[]) => indices.map((index) => ({ index, id: `q${index}`, question: questions[index] }));
  const state = initialSearchState(ctx.settings, ctx.mas, { seed: ctx.seed, datasetSize: questions.length });
  const result = await searchInProcess(ctx, state, { llm, loadItems });
  return { ...result, calls, requests };
}
