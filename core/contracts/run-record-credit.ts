/**
 * Credit per agent and per edge, from a run record: the numbers behind "why did this prompt win, and who was hurt".
 * Pure, derived from the record's step units only (refresh evaluations re-score the beam; they propose nothing).
 *
 * Per agent and round (and over the whole run):
 * - win rates of the agent's candidates at each judged level, pooled over every comparison of every evaluated
 *   candidate (`scored[].breakdown`); a tie counts ½, as in the reward (search/reward.ts `rateOf`). `terminal` is
 *   judged only when the agent is the terminal, `local`/`lookahead`/`global` only when it is not;
 * - misalignment cases mined against the agent (cases of kind `misalignment` in its candidates' evaluations);
 * - proposals: accepted = the candidate became a beam child (search/beam.ts `childrenOf`: R > 0 and a prompt other
 *   than its parent's); rejected = evaluated but not accepted, plus unusable proposals (`proposals[].ok === false`).
 *   A candidate identical to its parent is neither (not evaluated; faithful turns an unusable proposal into one,
 *   which is counted once, as unusable).
 *
 * Per edge u → v: on the same item of the same candidate evaluation of u, u's local verdict and the lookahead
 * verdict judged at v (v downstream of u within `lookaheadDepth`; `direct` when v is a successor). They DISAGREE
 * when one is a win and the other a loss; a tie on either side is neither. `rate` = disagreements / compared
 * (items with both verdicts, ties included). winThenLoss (u's candidate won locally but lost at v) is the
 * misalignment the search mines; lossThenWin is the reverse (v liked what u's own judge did not).
 */
import { graphOf, successors } from '../common/graph';
import { childrenOf } from '../search/beam';
import type { BeamNode } from '../search/node';
import type { Rate } from '../search/reward';
import type { SearchSettings } from '../search/types';
import type { ParentOutcome } from './optimize';
import { agentOrder, type RunRecord, type StepRecord } from './run-record';

export const JUDGED_LEVELS = ['local', 'lookahead', 'global', 'terminal'] as const;
export type JudgedLevel = (typeof JUDGED_LEVELS)[number];

export interface CreditTally {
  /** Completed steps counted. */
  steps: number;
  /** Optimizer replies (usable or not). */
  proposals: number;
  unusable: number;
  /** Candidates judged against their parent (R not null). */
  evaluated: number;
  accepted: number;
  /** evaluated − accepted + unusable. */
  rejected: number;
  rates: Record<JudgedLevel, Rate>;
  misalignmentCases: number;
}

export interface AgentCredit {
  agentId: string;
  /** One tally per round in which the agent completed a step, in round order. */
  byRound: Array<CreditTally & { round: number }>;
  total: CreditTally;
}

export interface EdgeCredit {
  from: string;
  to: string;
  /** `to` is a successor of `from` (else it lies further downstream, within the lookahead depth). */
  direct: boolean;
  /** Items with both verdicts: `from`'s local and the lookahead judged at `to`. */
  compared: number;
  /** Both verdicts decisive (neither a tie). */
  decisive: number;
  /** `from`'s candidate won locally and lost the lookahead at `to`. */
  winThenLoss: number;
  /** `from`'s candidate lost locally and won the lookahead at `to`. */
  lossThenWin: number;
  disagreements: number;
  /** disagreements / compared; null when nothing was compared. */
  rate: number | null;
}

export interface RunCredit {
  agents: AgentCredit[];
  /** Every edge of the graph, then any further downstream pair that was judged; `from` in the search's order. */
  edges: EdgeCredit[];
  /** Evaluated candidates, and how many of them have per-item verdicts in the record (the edge figures need them). */
  evaluations: number;
  evaluationsWithVerdicts: number;
}

type Scored = ParentOutcome['scored'][number];

export function emptyRate(): Rate {
  return { wins: 0, ties: 0, losses: 0, n: 0, rate: null };
}

/** Pools two rates over all their comparisons (a tie counts ½, as reward.ts `rateOf`). */
export function addRates(a: Rate, b: Rate): Rate {
  const wins = a.wins + b.wins;
  const ties = a.ties + b.ties;
  const n = a.n + b.n;
  return { wins, ties, losses: a.losses + b.losses, n, rate: n === 0 ? null : (wins + ties / 2) / n };
}

function emptyTally(): CreditTally {
  return {
    steps: 0,
    proposals: 0,
    unusable: 0,
    evaluated: 0,
    accepted: 0,
    rejected: 0,
    rates: { local: emptyRate(), lookahead: emptyRate(), global: emptyRate(), terminal: emptyRate() },
    misalignmentCases: 0,
  };
}

function addTally(a: CreditTally, b: CreditTally): CreditTally {
  const rates = Object.fromEntries(JUDGED_LEVELS.map((l) => [l, addRates(a.rates[l], b.rates[l])])) as CreditTally['rates'];
  return {
    steps: a.steps + b.steps,
    proposals: a.proposals + b.proposals,
    unusable: a.unusable + b.unusable,
    evaluated: a.evaluated + b.evaluated,
    accepted: a.accepted + b.accepted,
    rejected: a.rejected + b.rejected,
    rates,
    misalignmentCases: a.misalignmentCases + b.misalignmentCases,
  };
}

const ACCEPTED = '\u0000accepted';

/** Whether `c` became a child of `parent`: asks beam.ts's own rule rather than restating it. */
function isAccepted(settings: Pick<SearchSettings, 'profile'>, parent: BeamNode, c: Scored, step: StepRecord): boolean {
  return childrenOf(settings, parent, [c], { round: step.round, step: step.step, newId: () => ACCEPTED }).some((n) => n.id === ACCEPTED);
}

/** One completed step's tally (see the header). */
export function stepTally(settings: Pick<SearchSettings, 'profile'>, step: StepRecord): CreditTally {
  const t = emptyTally();
  if (!step.parents) return t;
  t.steps = 1;
  step.parents.forEach((outcome, i) => {
    const parent = step.beam[i] ?? step.beam.find((n) => n.id === outcome.parentId); // parents[i] is beam[i]'s outcome
    t.proposals += outcome.proposals.length;
    t.unusable += outcome.proposals.filter((p) => !p.ok).length;
    for (const c of outcome.scored) {
      t.misalignmentCases += c.cases.filter((x) => x.kind === 'misalignment' && x.agentId === step.agentId).length;
      if (c.R === null) continue;
      t.evaluated++;
      if (parent && isAccepted(settings, parent, c, step)) t.accepted++;
      if (c.breakdown) for (const l of JUDGED_LEVELS) t.rates[l] = addRates(t.rates[l], c.breakdown[l]);
    }
  });
  t.rejected = t.evaluated - t.accepted + t.unusable;
  return t;
}

function agentCredit(settings: Pick<SearchSettings, 'profile'>, agentId: string, steps: readonly StepRecord[]): AgentCredit {
  const byRound = new Map<number, CreditTally>();
  for (const s of steps) {
    if (s.agentId !== agentId || !s.parents) continue;
    byRound.set(s.round, addTally(byRound.get(s.round) ?? emptyTally(), stepTally(settings, s)));
  }
  const rounds = [...byRound.entries()].sort((a, b) => a[0] - b[0]).map(([round, t]) => ({ round, ...t }));
  return { agentId, byRound: rounds, total: rounds.reduce<CreditTally>((a, b) => addTally(a, b), emptyTally()) };
}

function edgeCredits(record: RunRecord, order: readonly string[], steps: readonly StepRecord[]): EdgeCredit[] {
  const graph = graphOf(record.input.ctx.mas);
  const edges = new Map<string, EdgeCredit>();
  const edge = (from: string, to: string) => {
    const key = JSON.stringify([from, to]);
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, direct: successors(graph, from).includes(to), compared: 0, decisive: 0, winThenLoss: 0, lossThenWin: 0, disagreements: 0, rate: null }));
    return e;
  };
  for (const from of order) for (const to of successors(graph, from)) edge(from, to);
  for (const s of steps) {
    for (const c of s.verdicts ?? []) {
      for (const item of c.items) {
        if (item.local === undefined) continue;
        for (const la of item.lookahead) {
          const e = edge(s.agentId, la.agentId);
          e.compared++;
          if (item.local !== 'tie' && la.outcome !== 'tie') e.decisive++;
          if (item.local === 'win' && la.outcome === 'loss') e.winThenLoss++;
          if (item.local === 'loss' && la.outcome === 'win') e.lossThenWin++;
        }
      }
    }
  }
  const rank = (id: string) => order.indexOf(id);
  return [...edges.values()]
    .map((e) => ({ ...e, disagreements: e.winThenLoss + e.lossThenWin, rate: e.compared ? (e.winThenLoss + e.lossThenWin) / e.compared : null }))
    .sort((a, b) => Number(b.direct) - Number(a.direct) || rank(a.from) - rank(b.from) || rank(a.to) - rank(b.to));
}

/** The run's credit per agent (by round and in total) and per edge; see the header for every definition. */
export function runCredit(record: RunRecord): RunCredit {
  const settings = record.input.ctx.settings;
  const order = agentOrder(record);
  const steps = record.units.filter((u): u is StepRecord => u.kind === 'step' && !!u.parents);
  const evaluated = (s: StepRecord) => s.parents!.flatMap((p, i) => p.scored.flatMap((c, j) => (c.R === null ? [] : [[i, j] as const])));
  const withVerdicts = (s: StepRecord) => evaluated(s).filter(([i, j]) => s.verdicts?.some((v) => v.parent === i && v.candidate === j)).length;
  return {
    agents: order.map((id) => agentCredit(settings, id, steps)),
    edges: edgeCredits(record, order, steps),
    evaluations: steps.reduce((n, s) => n + evaluated(s).length, 0),
    evaluationsWithVerdicts: steps.reduce((n, s) => n + withVerdicts(s), 0),
  };
}
