/**
 * Misalignment mining, the per-agent case buffer, and case delivery (paper Eq. 6; study §4). Pure; draws come
 * from the run's `Prng`.
 *
 * Mining (per evaluated candidate of a NON-terminal agent; the terminal has no local verdict): an item is a
 * misalignment case when the candidate WON the local comparison AND lost a lookahead comparison OR lost the global
 * one. A missing verdict is not a loss (faithful: "counts as a win"), and a tie is not a loss. Priority: lost both
 * (0) > lookahead only (1) > global only (2); a stable sort keeps batch order within a priority; the top Kmis are
 * kept. Ablations fill the same slot differently: `random` = Kmis items of the batch at random, `success` = items
 * won locally and lost nowhere downstream, `off` = nothing.
 *
 * Buffer update (after each step of agent a; `updateBuffer`):
 * - faithful: replaced by the cases of the candidate that became a's new best, if that list is non-empty;
 *   otherwise unchanged (stale cases persist; nothing accumulates) — study §4.2.
 * - fixed (our choice): the cases mined from ALL candidates of the step come first (each candidate's list already
 *   by priority; candidates in evaluation order), then the previous buffer; one case per question (the newest);
 *   capped at Kmis. So the buffer holds the most recent hard negatives, whether or not their candidate was
 *   accepted: a rejected candidate's failure is exactly what the next proposal should avoid.
 *
 * Delivery (`casesForProposal`, `injectedItems`):
 * - fixed: the agent's own next proposals get its buffer, marked (prompts-optimizer.ts);
 * - faithful: nothing is marked; when optimising b, the cases' items from the buffers of b's DIRECT predecessors
 *   (union, first-seen order) go to the front of each of b's node batches, a random `maxInjectedQuestions` (5) of
 *   them when there are more.
 */
import { predecessors, type AgentGraph } from '../common/graph';
import { hashString, type Prng } from '../common/prng';
import type { ItemVerdicts } from './reward';
import type { MisalignmentCase, SearchSettings } from './types';

/** What mining needs to know about one item of a candidate's evaluation. */
export interface MiningItem {
  verdicts: ItemVerdicts;
  question: string;
  /** The agent's input context on this item (shared by candidate and parent). */
  context: string;
  /** The candidate's output. */
  output: string;
  /** Outputs of the re-run agents under the candidate (successors, terminal), by agent id. */
  downstream: Readonly<Record<string, string>>;
  /** Faithful: the item was injected (excluded from the misalignment rate, as in the reference). */
  injected?: boolean;
}

export interface MiningContext {
  settings: Pick<SearchSettings, 'misalignment' | 'maxMisalignmentCases' | 'caseCharLimit'>;
  agentId: string;
  terminalId: string;
  round: number;
  step: number;
}

export function lostDownstream(v: ItemVerdicts): { lookahead: boolean; global: boolean } {
  return { lookahead: v.lookahead.some((l) => l.outcome === 'loss'), global: v.global === 'loss' };
}

export function isMisaligned(v: ItemVerdicts): boolean {
  const lost = lostDownstream(v);
  return v.local === 'win' && (lost.lookahead || lost.global);
}

function priorityOf(lost: { lookahead: boolean; global: boolean }): number {
  return lost.lookahead && lost.global ? 0 : lost.lookahead ? 1 : 2;
}

export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}\n[… ${text.length - limit} more characters]`;
}

function toCase(x: MiningItem, kind: MisalignmentCase['kind'], ctx: MiningContext): MisalignmentCase {
  const lost = lostDownstream(x.verdicts);
  const limit = ctx.settings.caseCharLimit;
  const lostLookahead = x.verdicts.lookahead.find((l) => l.outcome === 'loss')?.agentId;
  const nextId = lostLookahead ?? x.verdicts.lookahead[0]?.agentId ?? ctx.terminalId;
  const shownId = kind === 'misalignment' && !lost.lookahead ? ctx.terminalId : nextId;
  const down = x.downstream[shownId];
  return {
    kind,
    agentId: ctx.agentId,
    index: x.verdicts.item,
    question: x.question,
    context: clip(x.context, limit),
    output: clip(x.output, limit),
    ...(down !== undefined && shownId !== ctx.agentId ? { downstream: { agentId: shownId, output: clip(down, limit) } } : {}),
    lost,
    priority: kind === 'misalignment' ? priorityOf(lost) : 3,
    round: ctx.round,
    step: ctx.step,
  };
}

/** Hard negatives of one candidate: top Kmis misaligned items by priority (stable). */
export function mineMisalignment(items: readonly MiningItem[], ctx: MiningContext): MisalignmentCase[] {
  return items
    .filter((x) => isMisaligned(x.verdicts))
    .map((x) => toCase(x, 'misalignment', ctx))
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.priority - b.c.priority || a.i - b.i)
    .slice(0, ctx.settings.maxMisalignmentCases)
    .map(({ c }) => c);
}

/** The cases one candidate contributes under the configured mode (`off`, or the terminal agent: none). */
export function casesFromEvaluation(items: readonly MiningItem[], ctx: MiningContext, prng: Prng): MisalignmentCase[] {
  const k = ctx.settings.maxMisalignmentCases;
  if (ctx.agentId === ctx.terminalId) return [];
  switch (ctx.settings.misalignment) {
    case 'off':
      return [];
    case 'hard-negatives':
      return mineMisalignment(items, ctx);
    case 'random':
      return prng.sample(items, k).map((x) => toCase(x, 'random', ctx));
    case 'success':
      return items
        .filter((x) => x.verdicts.local === 'win' && !lostDownstream(x.verdicts).lookahead && !lostDownstream(x.verdicts).global)
        .slice(0, k)
        .map((x) => toCase(x, 'success', ctx));
  }
}

/** Share of evaluable, non-injected items that are misaligned (statistics only; null when none is evaluable). */
export function misalignmentRate(items: readonly MiningItem[]): number | null {
  const evaluable = items.filter((x) => !x.injected && x.verdicts.local !== undefined);
  return evaluable.length ? evaluable.filter((x) => isMisaligned(x.verdicts)).length / evaluable.length : null;
}

export interface BufferUpdate {
  /** Cases of every candidate evaluated in this step of the agent, in evaluation order. */
  stepCases: ReadonlyArray<readonly MisalignmentCase[]>;
  /** Cases of the candidate that became the agent's new best in this step; undefined if the best did not change. */
  newBestCases?: readonly MisalignmentCase[];
}

export function updateBuffer(
  settings: Pick<SearchSettings, 'profile' | 'maxMisalignmentCases'>,
  buffer: readonly MisalignmentCase[],
  update: BufferUpdate,
): MisalignmentCase[] {
  if (settings.profile === 'faithful') {
    return update.newBestCases && update.newBestCases.length ? update.newBestCases.slice(0, settings.maxMisalignmentCases) : buffer.slice();
  }
  const seen = new Set<string>();
  const out: MisalignmentCase[] = [];
  for (const c of [...update.stepCases.flat(), ...buffer]) {
    if (seen.has(c.question)) continue;
    seen.add(c.question);
    out.push(c);
    if (out.length === settings.maxMisalignmentCases) break;
  }
  return out;
}

/** Key of a prompt for `MisalignmentCase.against` (a hash: cases stay small in the search state). */
export function promptKey(prompt: string): string {
  return hashString(prompt).toString(36);
}

/**
 * The cases of a buffer still worth showing (`caseExpiry`): a case ages out after `turns` later steps of its agent
 * (`turn` = the step count now), and with `beamExit` it leaves once the prompt it was mined against is no longer in
 * the beam — its evidence was about a parent the search has moved away from. Cases from before these fields (no
 * `turn` / `against`) are kept. Without `caseExpiry` the buffer is returned as is.
 */
export function liveCases(
  settings: Pick<SearchSettings, 'caseExpiry'>,
  buffer: readonly MisalignmentCase[],
  now: { turn: number; beamPrompts: readonly string[] },
): MisalignmentCase[] {
  const e = settings.caseExpiry;
  if (!e) return buffer.slice();
  const inBeam = new Set(now.beamPrompts.map(promptKey));
  return buffer.filter((c) => {
    if (e.turns !== undefined && c.turn !== undefined && now.turn - c.turn >= e.turns) return false;
    if (e.beamExit && c.against !== undefined && !inBeam.has(c.against)) return false;
    return true;
  });
}

/** The cases shown (marked) to the agent's next proposals: fixed → its buffer; faithful → none. */
export function casesForProposal(settings: Pick<SearchSettings, 'caseDelivery' | 'maxMisalignmentCases'>, buffer: readonly MisalignmentCase[]): MisalignmentCase[] {
  return settings.caseDelivery === 'marked-self' ? buffer.slice(0, settings.maxMisalignmentCases) : [];
}

/**
 * Faithful successor-side injection: dataset indices to put at the front of agent b's node batches. Fixed → [].
 * Draws from `prng` only when more than the cap are available.
 */
export function injectedItems(
  settings: Pick<SearchSettings, 'caseDelivery' | 'maxInjectedQuestions'>,
  graph: AgentGraph,
  agentId: string,
  buffers: Readonly<Record<string, readonly MisalignmentCase[]>>,
  prng: Prng,
): number[] {
  if (settings.caseDelivery !== 'successor-questions') return [];
  const items: number[] = [];
  for (const p of predecessors(graph, agentId)) for (const c of buffers[p] ?? []) if (!items.includes(c.index)) items.push(c.index);
  return items.length > settings.maxInjectedQuestions ? prng.sample(items, settings.maxInjectedQuestions) : items;
}
