/**
 * The per-agent beam: nodes, which proposals to evaluate, children, top-K selection, best-so-far and Beam Refresh
 * (paper Eq. 8; study §2.3, §5). Pure: functions return new arrays/objects; randomness only from the `Prng` passed.
 *
 * The only place J is computed: `childrenOf` (J = parent.J + R) and `rescoreBeam` (J = R(p, p_best), the best 0).
 * One step of agent a (workflows/optimize/units.ts `runStep`): for each beam node (beam order) → proposals → `candidatePrompts` →
 * evaluate each (reward.ts); then search.ts `applyStep`: `childrenOf` per node → `nextBeam` → `updateBest`.
 *
 * faithful: every distinct proposal is a candidate (an unusable one becomes the parent's prompt, R = 0, no calls);
 * a candidate with R > 0 yields a child with J = parent.J + R, any other a COPY of the parent (same id, prompt
 * and J), so a beam may hold duplicates; the new beam is the top K of all children by J (stable sort).
 * fixed: only usable proposals that differ from every prompt in the beam are candidates; a child needs R > 0; the
 * new beam is the top K of (old beam ∪ children), one node per prompt (parents survive unless beaten); ties in J
 * keep the agent's best-so-far first, then are broken by the seeded PRNG where a tie straddles the cut — so the
 * best is always in the beam (checked by `assertConsistent`).
 *
 * Refresh (at the start of each revisit turn, rounds 2..D, when `beamRefresh`): stale J values are replaced by
 * J_new(p) = R(p, p_best) (= winRate − 0.5) against the agent's current best; a node whose prompt IS the best gets 0
 * with no calls. The top node becomes the best (with its refreshed J); if its prompt differs from the old best's
 * this is an anchor shift. faithful: stable sort, so a tie at 0 with an earlier node shifts the anchor, and a best
 * missing from the beam can be replaced by a worse node; fixed: the best is put back into the beam if missing, and
 * ties favour the incumbent, so the anchor moves only to a strictly better node (J > ε).
 */
import type { Prng } from '../common/prng';
import type { Proposal } from './prompts-optimizer';
import type { SearchSettings } from './types';
import type { BeamNode } from './node';

type Beam = Pick<SearchSettings, 'profile' | 'beamWidth' | 'tieBreak' | 'improvementEpsilon' | 'refreshKeepsBest'>;
const TIE = 1e-9;

/** The prompts to evaluate against `parent`, in proposal order (see header). Faithful may include `parent.prompt`. */
export function candidatePrompts(settings: Pick<SearchSettings, 'profile'>, parent: BeamNode, proposals: readonly Proposal[], beam: readonly BeamNode[]): string[] {
  const out: string[] = [];
  for (const p of proposals) {
    const prompt = p.ok ? p.prompt : settings.profile === 'faithful' ? parent.prompt : null;
    if (prompt === null || out.includes(prompt)) continue;
    if (settings.profile === 'fixed' && beam.some((n) => n.prompt === prompt)) continue;
    out.push(prompt);
  }
  return out;
}

export interface ScoredCandidate {
  prompt: string;
  /** Reward vs the parent; null when not evaluated because it equals the parent (R = 0). */
  R: number | null;
}

/** Children of one parent after evaluation (see header). `newId` allocates ids (state.ts `allocateNodeId`). */
export function childrenOf(
  settings: Pick<SearchSettings, 'profile'>,
  parent: BeamNode,
  scored: readonly ScoredCandidate[],
  at: { round: number; step: number; newId: () => string },
): BeamNode[] {
  const out: BeamNode[] = [];
  for (const c of scored) {
    if (c.R !== null && c.R > 0 && c.prompt !== parent.prompt) {
      out.push({ id: at.newId(), agentId: parent.agentId, prompt: c.prompt, J: parent.J + c.R, parentId: parent.id, round: at.round, step: at.step, R: c.R });
    } else if (settings.profile === 'faithful') {
      out.push({ ...parent });
    }
  }
  return out;
}

/**
 * The new beam after one step: `children[i]` are the children of `beam[i]`. Fixed: the agent's `best` (default
 * `beam[0]`, which is the best in a fixed beam: the seed, the top after a step, the first after a refresh) is kept
 * before any other node on a tie in J, so the best-so-far never leaves the beam unless it is beaten (then
 * `updateBest` moves to the new top) — `assertConsistent` checks it.
 */
export function nextBeam(settings: Beam, beam: readonly BeamNode[], children: ReadonlyArray<readonly BeamNode[]>, prng: Prng, best?: BeamNode): BeamNode[] {
  if (settings.profile === 'faithful') return topK(children.flat(), settings.beamWidth, settings.tieBreak, prng);
  return topK(uniqueByPrompt([...beam, ...children.flat()]), settings.beamWidth, settings.tieBreak, prng, (best ?? beam[0])?.prompt);
}

/** Keeps the highest-J node per prompt (the first on ties), in first-appearance order. */
export function uniqueByPrompt(nodes: readonly BeamNode[]): BeamNode[] {
  const best = new Map<string, BeamNode>();
  for (const n of nodes) {
    const seen = best.get(n.prompt);
    if (!seen || n.J > seen.J + TIE) best.set(n.prompt, n);
  }
  const kept = new Set(best.values());
  return nodes.filter((n) => kept.has(n) && (kept.delete(n) || true));
}

/**
 * Top k by J, descending. Stable; a node whose prompt is `prefer` goes first among equal J. With `seeded`, the
 * other nodes of an equal-J group that straddles the cut are shuffled by `prng` (consumed only then).
 */
export function topK(nodes: readonly BeamNode[], k: number, tieBreak: 'stable' | 'seeded', prng: Prng, prefer?: string): BeamNode[] {
  const rank = (n: BeamNode) => (n.prompt === prefer ? 0 : 1);
  const sorted = nodes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => (Math.abs(a.n.J - b.n.J) <= TIE ? rank(a.n) - rank(b.n) || a.i - b.i : b.n.J - a.n.J))
    .map((x) => x.n);
  if (tieBreak === 'seeded' && sorted.length > k && k > 0) {
    const cutJ = sorted[k - 1].J;
    if (Math.abs(sorted[k].J - cutJ) <= TIE) {
      const start = sorted.findIndex((n) => Math.abs(n.J - cutJ) <= TIE && n.prompt !== prefer);
      const group = sorted.filter((n, i) => i >= start && Math.abs(n.J - cutJ) <= TIE);
      if (start >= 0 && start < k && group.length > 1) sorted.splice(start, group.length, ...prng.shuffle(group));
    }
  }
  return sorted.slice(0, k);
}

/** Best-so-far: the beam's top node replaces `best` when its J exceeds best.J + ε. */
export function updateBest(settings: Pick<SearchSettings, 'improvementEpsilon'>, best: BeamNode, beam: readonly BeamNode[]): { best: BeamNode; improved: boolean } {
  const top = beam.reduce<BeamNode | null>((m, n) => (m === null || n.J > m.J + TIE ? n : m), null);
  if (top && top.J > best.J + settings.improvementEpsilon) return { best: top, improved: true };
  return { best, improved: false };
}

/** Distinct prompts of the beam that need R(p, p_best) at a refresh (the best's own prompt needs no call). */
export function refreshTargets(beam: readonly BeamNode[], best: BeamNode): string[] {
  const out: string[] = [];
  for (const n of beam) if (n.prompt !== best.prompt && !out.includes(n.prompt)) out.push(n.prompt);
  return out;
}

export interface RefreshResult {
  beam: BeamNode[];
  best: BeamNode;
  /** The best prompt changed (the global prompt map must follow). */
  anchorShift: boolean;
  /** The top-1 prompt by J is the same before and after (the study's "Kendall top-1 overlap" statistic). */
  top1Stable: boolean;
}

/** The beam after a refresh (search.ts `applyRefresh`). `rewards[prompt]` = R(p, p_best) for every prompt of `refreshTargets`. */
export function rescoreBeam(settings: Beam, beam: readonly BeamNode[], best: BeamNode, rewards: Readonly<Record<string, number>>, prng: Prng): RefreshResult {
  const before = topK(beam, 1, 'stable', prng)[0];
  const rescore = (n: BeamNode): BeamNode => {
    if (n.prompt === best.prompt) return { ...n, J: 0 };
    const R = rewards[n.prompt];
    if (typeof R !== 'number' || !Number.isFinite(R)) throw new Error(`rescoreBeam: no reward for beam node ${n.id}`);
    return { ...n, J: R };
  };
  if (settings.profile === 'faithful') {
    const refreshed = topK(beam.map(rescore), beam.length, 'stable', prng);
    const top = refreshed[0];
    return { beam: refreshed, best: { ...top }, anchorShift: top.prompt !== best.prompt, top1Stable: before?.prompt === top.prompt };
  }
  const incumbent = { ...best, J: 0 };
  const pool = uniqueByPrompt([incumbent, ...beam.map(rescore)]);
  const ranked = topK(pool, pool.length, 'stable', prng);
  const top = ranked[0];
  const shift = !settings.refreshKeepsBest && top.prompt !== best.prompt && top.J > settings.improvementEpsilon;
  const newBest = shift ? top : incumbent;
  // Keep the best in the beam, then fill with the others by J (ties at the cut broken by the PRNG).
  const others = ranked.filter((n) => n.prompt !== newBest.prompt);
  const kept = [newBest, ...topK(others, settings.beamWidth - 1, settings.tieBreak, prng)];
  const refreshed = topK(kept, kept.length, 'stable', prng);
  return { beam: refreshed, best: newBest, anchorShift: shift, top1Stable: before?.prompt === refreshed[0].prompt };
}
