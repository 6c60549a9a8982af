/**
 * Dollar forecast for a planned search (`maspo plan`): a default price table (the config's `prices:` override is
 * validated by core/schema/prices.ts), per-call token estimates and the arithmetic calls × tokens × price. Pure: no I/O, no clock.
 *
 * PRICES ARE LIST PRICES IN USD PER 1M TOKENS AS PUBLISHED BY THE PROVIDERS (snapshot, late 2025), WITHOUT
 * discounts (cached input, batch APIs), long-context surcharges or taxes. They change: check them against your
 * provider and override them in the config:
 *
 *     prices:
 *       gpt-4o-mini: { input: 0.15, output: 0.60 }
 *       my-local-model: { input: 0, output: 0 }
 *
 * A model found neither in `prices:` nor in the table is reported as UNPRICED: its tokens are still forecast but no
 * dollar figure is guessed for it. Keys ending in `*` match by prefix (`sim*`); the longest matching key wins and an
 * exact key beats every prefix. A free provider (the simulator, a model on your own hardware: the provider registry's
 * `free`, passed in by the caller as `isFree`) always costs 0, unless `prices:` names the model.
 *
 * TOKEN COUNTS ARE ESTIMATES from these documented assumptions (`TokenAssumptions`, all overridable):
 * - text ≈ `charsPerToken` characters per token (4, English prose; code and LaTeX run denser);
 * - a question is `questionTokens` tokens (benchmark-dependent; 200 fits MATH/AQuA-style items);
 * - a reply is `outputFraction[role]` × that role's `maxTokens` (the cap is an upper bound; replies rarely reach it);
 * - backbone input = the agent's template (from the config) + question + one reply per predecessor (or a hand-off
 *   summary of `handoffSummaryWords` words ≈ 1.35 tokens/word), averaged over agents;
 * - optimizer input = the meta-prompt's fixed text (measured by building it with empty fields) + the agent's
 *   template + its traces (question + context + output each; all |B| traces, or |B|/Ksub with `split`) + the
 *   fixed profile's Kmis marked cases (a trace plus the downstream output), averaged over agents;
 * - judge input = the judge prompt's fixed text (measured the same way) + question + two replies.
 * Real prompts grow as the optimizer lengthens them; the response cache only lowers the paid calls.
 */
import { buildJudgePrompt, buildOptimizerPrompt } from '../search/prompts';
import { graphOf, predecessors, successors } from '../common/graph';
import { callCostUsd, type RunPricing } from '../contracts/ledger';
import { addCalls, zeroCalls, type RoleCalls } from './plan';
import type { SearchSettings } from '../search/types';

export type Role = 'backbone' | 'optimizer' | 'judge';
export const ROLES: readonly Role[] = ['backbone', 'optimizer', 'judge'];

/** USD per 1M input tokens and per 1M output tokens (validated at the edge by core/schema/prices.ts). */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Config `prices:` — model name (or `prefix*`) → { input, output } USD per 1M tokens; overrides the defaults. */
export type Prices = Record<string, ModelPrice>;

/**
 * Default LIST prices (USD / 1M tokens, standard tier, no caching or batch discount, snapshot late 2025).
 * Check them and override in the config's `prices:`; self-hosted models cost 0 here (your hardware is not priced).
 */
export const DEFAULT_PRICES: Readonly<Prices> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'gemini-2.5-pro': { input: 1.25, output: 10 }, // prompts ≤ 200k tokens
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'deepseek-chat': { input: 0.27, output: 1.1 },
  'qwen3-8b': { input: 0, output: 0 }, // self-hosted (vLLM / Ollama)
  'sim*': { input: 0, output: 0 }, // the offline simulator
};

export interface PriceLookup {
  price: ModelPrice;
  /** Where the price came from: the config's `prices:`, the default table, or a free provider. */
  source: 'config' | 'default' | 'free';
  /** The key that matched (`gpt-4o`, `sim*`, `provider: sim`, …). */
  key: string;
}

/**
 * Whether a provider's calls cost $0 (the simulator, your own hardware). Core does not know the providers: the
 * caller passes the provider registry's answer (activities/llm/providers/registry.ts `isFreeProvider`).
 */
export type IsFreeProvider = (provider: string) => boolean;

const NOTHING_FREE: IsFreeProvider = () => false;

function match(table: Readonly<Prices>, model: string): { key: string; price: ModelPrice } | undefined {
  if (Object.prototype.hasOwnProperty.call(table, model)) return { key: model, price: table[model] };
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (key.endsWith('*') && model.startsWith(key.slice(0, -1)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : { key: best, price: table[best] };
}

/**
 * The price of a model: config override first, then $0 for a free provider, then the default table;
 * undefined = unpriced (never guessed).
 */
export function lookupPrice(
  model: { provider?: string; model: string },
  overrides: Readonly<Prices> = {},
  defaults: Readonly<Prices> = DEFAULT_PRICES,
  isFree: IsFreeProvider = NOTHING_FREE,
): PriceLookup | undefined {
  const own = match(overrides, model.model);
  if (own) return { ...own, source: 'config' };
  if (model.provider !== undefined && isFree(model.provider)) return { price: { input: 0, output: 0 }, source: 'free', key: `provider: ${model.provider}` };
  const def = match(defaults, model.model);
  return def ? { ...def, source: 'default' } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Token estimates

export interface TokenAssumptions {
  charsPerToken: number;
  questionTokens: number;
  /** Typical reply length as a fraction of the role's `maxTokens`. */
  outputFraction: Record<Role, number>;
}

export const DEFAULT_TOKEN_ASSUMPTIONS: TokenAssumptions = {
  charsPerToken: 4,
  questionTokens: 200,
  outputFraction: { backbone: 0.5, optimizer: 0.5, judge: 0.3 },
};

/** Estimated tokens of ONE call of each role. */
export type TokenEstimates = Record<Role, { input: number; output: number }>;

export interface TokenEstimateInput {
  agents: ReadonlyArray<{ id: string; role?: string; description?: string; prompt: string; predecessors: readonly string[]; successors: readonly string[] }>;
  maxTokens: Record<Role, number>;
  settings: Pick<SearchSettings, 'profile' | 'taskType' | 'batchSize' | 'proposalsPerParent' | 'proposalTraces' | 'maxMisalignmentCases' | 'misalignment' | 'handoffSummaryWords'>;
}

const TOKENS_PER_WORD = 1.35;

export function estimateTokensPerCall(input: TokenEstimateInput, assumptions: TokenAssumptions = DEFAULT_TOKEN_ASSUMPTIONS): TokenEstimates {
  const { settings } = input;
  const cpt = assumptions.charsPerToken;
  const tok = (chars: number) => chars / cpt;
  const out = (role: Role) => Math.round(assumptions.outputFraction[role] * input.maxTokens[role]);
  const reply = out('backbone');
  const handoff = settings.handoffSummaryWords !== null ? Math.min(reply, settings.handoffSummaryWords * TOKENS_PER_WORD) : reply;
  const n = Math.max(1, input.agents.length);
  const mean = (f: (a: TokenEstimateInput['agents'][number]) => number) => input.agents.reduce((s, a) => s + f(a), 0) / n;

  const template = (a: TokenEstimateInput['agents'][number]) => tok(a.prompt.replace(/\{\{\s*(question|context)\s*\}\}/g, '').length);
  const context = (a: TokenEstimateInput['agents'][number]) => a.predecessors.length * handoff;
  const backboneIn = mean((a) => template(a) + assumptions.questionTokens + context(a));

  const traces = settings.proposalTraces === 'all' ? settings.batchSize : Math.ceil(settings.batchSize / Math.max(1, settings.proposalsPerParent));
  const cases = settings.profile === 'fixed' && settings.misalignment !== 'off' ? settings.maxMisalignmentCases : 0;
  const optimizerIn = mean((a) => {
    const fixedText = tok(
      buildOptimizerPrompt({
        profile: settings.profile,
        agent: { id: a.id, role: a.role ?? 'agent', description: a.description },
        taskType: settings.taskType,
        parentPrompt: '',
        traces: [],
        predecessors: a.predecessors,
        successors: a.successors,
      }).length,
    );
    const trace = assumptions.questionTokens + context(a) + reply;
    return fixedText + template(a) + traces * trace + cases * (trace + reply);
  });

  const a0 = input.agents[0] ?? { id: 'agent', prompt: '' };
  const judgeFixed = tok(buildJudgePrompt({ kind: 'global', taskType: settings.taskType, question: '', agent: { id: a0.id, role: a0.role ?? 'agent' }, a: '', b: '', allowTie: true }).length);
  const judgeIn = judgeFixed + assumptions.questionTokens + 2 * reply;

  const r = (x: number) => Math.round(x);
  return {
    backbone: { input: r(backboneIn), output: reply },
    optimizer: { input: r(optimizerIn), output: out('optimizer') },
    judge: { input: r(judgeIn), output: out('judge') },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Cost forecast

export interface CostLine {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** null: the role's model is unpriced (no guess). */
  dollars: number | null;
}

export interface CostBlock {
  roles: Record<Role, CostLine>;
  /** Sum over roles; `dollars` sums the priced roles only (see `CostForecast.unpriced`). */
  total: CostLine;
}

export interface CostForecast {
  rounds: Array<{ round: number } & CostBlock>;
  /** The held-out evaluation after the search (seed and optimised prompts), when planned. */
  heldOut?: CostBlock;
  /** The search alone (all rounds). */
  search: CostBlock;
  /** Search + held-out evaluation. */
  total: CostBlock;
  prices: Record<Role, PriceLookup | null>;
  /** Models without a price (their dollars are null and left out of the totals' dollars). */
  unpriced: string[];
  tokensPerCall: TokenEstimates;
}

/** What `forecastCost` needs from a plan: per-round calls (a `SearchPlan` fits) and optionally the held-out calls. */
export interface PlanCalls {
  rounds: ReadonlyArray<{ round: number; calls: RoleCalls }>;
  heldOut?: RoleCalls;
}

/** Calls of the post-search held-out evaluation (defined with the budget arithmetic, which workflows import). */
export { heldOutCalls } from '../contracts/ledger';

export function forecastCost(
  plan: PlanCalls,
  models: Record<Role, { provider?: string; model: string }>,
  prices: Readonly<Prices> = {},
  tokens: TokenEstimates,
  defaults: Readonly<Prices> = DEFAULT_PRICES,
  isFree: IsFreeProvider = NOTHING_FREE,
): CostForecast {
  const found = Object.fromEntries(ROLES.map((r) => [r, lookupPrice(models[r], prices, defaults, isFree) ?? null])) as Record<Role, PriceLookup | null>;
  const block = (calls: RoleCalls): CostBlock => {
    const roles = {} as Record<Role, CostLine>;
    const total: CostLine = { calls: 0, inputTokens: 0, outputTokens: 0, dollars: 0 };
    for (const role of ROLES) {
      const n = calls[role];
      const inputTokens = n * tokens[role].input;
      const outputTokens = n * tokens[role].output;
      const p = found[role];
      const dollars = p ? callCostUsd(p.price, { inputTokens, outputTokens }) : n === 0 ? 0 : null;
      roles[role] = { calls: n, inputTokens, outputTokens, dollars };
      total.calls += n;
      total.inputTokens += inputTokens;
      total.outputTokens += outputTokens;
      total.dollars! += dollars ?? 0;
    }
    return { roles, total };
  };
  const sum = (xs: readonly RoleCalls[]) => xs.reduce(addCalls, zeroCalls());
  const searchCalls = sum(plan.rounds.map((r) => r.calls));
  const unpriced = [...new Set(ROLES.filter((r) => !found[r]).map((r) => models[r].model))];
  return {
    rounds: plan.rounds.map((r) => ({ round: r.round, ...block(r.calls) })),
    ...(plan.heldOut ? { heldOut: block(plan.heldOut) } : {}),
    search: block(searchCalls),
    total: block(sum([searchCalls, plan.heldOut ?? zeroCalls()])),
    prices: found,
    unpriced,
    tokensPerCall: tokens,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Pricing of a run (the workflows' ledger and budget)

/** What the estimates and run pricing need of a search: its agents, graph, models and settings. */
export interface PricedSearch {
  mas: { agents: ReadonlyArray<{ id: string; role?: string; description?: string; prompt: string }>; edges: ReadonlyArray<{ from: string; to: string }> };
  models: Record<Role, { provider?: string; model: string; maxTokens: number }>;
  settings: TokenEstimateInput['settings'];
}

/** `estimateTokensPerCall` for a configured search. */
export function searchTokenEstimates(search: PricedSearch, assumptions: TokenAssumptions = DEFAULT_TOKEN_ASSUMPTIONS): TokenEstimates {
  const graph = graphOf(search.mas);
  return estimateTokensPerCall(
    {
      agents: search.mas.agents.map((a) => ({ ...a, predecessors: predecessors(graph, a.id), successors: successors(graph, a.id) })),
      maxTokens: { backbone: search.models.backbone.maxTokens, optimizer: search.models.optimizer.maxTokens, judge: search.models.judge.maxTokens },
      settings: search.settings,
    },
    assumptions,
  );
}

/** Prices and token bounds the workflows account with; `unpriced` lists the roles whose model has no price. */
export function runPricingFor(search: PricedSearch, prices: Readonly<Prices> = {}, isFree: IsFreeProvider = NOTHING_FREE): { pricing: RunPricing; unpriced: Role[] } {
  const tokens = searchTokenEstimates(search);
  const found = Object.fromEntries(ROLES.map((r) => [r, lookupPrice(search.models[r], prices, DEFAULT_PRICES, isFree)?.price ?? null])) as RunPricing['prices'];
  return {
    pricing: {
      prices: found,
      inputTokens: { backbone: tokens.backbone.input, optimizer: tokens.optimizer.input, judge: tokens.judge.input },
      maxTokens: { backbone: search.models.backbone.maxTokens, optimizer: search.models.optimizer.maxTokens, judge: search.models.judge.maxTokens },
    },
    unpriced: ROLES.filter((r) => found[r] === null),
  };
}
